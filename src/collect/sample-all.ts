import type { FailureReason } from '../model/snapshot.js';
import type { SampledSource } from '../sources/source.js';
import { withTimeout } from '../util/timeout.js';
import { redactSecrets } from '../util/redact.js';
import { errorMessage, failureReason } from '../sources/failure-reason.js';

/** One attempt to sample one source: its data, or why it failed. */
export type SampleResult =
  | { readonly source: string; readonly atMs: number; readonly ok: true; readonly data: unknown }
  | { readonly source: string; readonly atMs: number; readonly ok: false; readonly message: string; readonly reason: FailureReason };

/**
 * Samples every source in parallel, each under its own timeout. Never throws: a source that
 * fails or hangs yields an error result and the others are unaffected.
 */
export async function sampleAll(sources: readonly SampledSource[], timeoutMs: number, now: () => number = Date.now): Promise<SampleResult[]> {
  return Promise.all(sources.map(async (source): Promise<SampleResult> => {
    try {
      const data = await withTimeout(`source ${source.name}`, timeoutMs, (signal) => source.sample(signal));
      return { source: source.name, atMs: now(), ok: true, data };
    } catch (err) {
      return { source: source.name, atMs: now(), ok: false, message: redactSecrets(errorMessage(err)), reason: failureReason(err) };
    }
  }));
}
