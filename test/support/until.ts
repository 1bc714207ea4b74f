import { sleep } from '../../src/util/sleep.js';

export interface UntilOptions {
  readonly timeoutMs?: number;
  /** How long to wait between checks. */
  readonly everyMs?: number;
  /** The error's message when `timeoutMs` passes first. */
  readonly message?: string;
}

/** Resolves once `check` holds, checking every `everyMs`; rejects when `timeoutMs` passes first. */
export async function until(check: () => boolean | Promise<boolean>, options: UntilOptions = {}): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(options.message ?? 'condition not met in time');
    await sleep(options.everyMs ?? 100);
  }
}
