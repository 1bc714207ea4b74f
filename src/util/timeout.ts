export class TimeoutError extends Error {
  constructor(what: string, readonly timeoutMs: number) {
    super(`${what} timed out after ${timeoutMs} ms`);
    this.name = 'TimeoutError';
  }
}

/**
 * Runs `work` with an AbortSignal that fires after `timeoutMs`, and rejects with a
 * TimeoutError at that moment even if `work` ignores the signal.
 */
export async function withTimeout<T>(what: string, timeoutMs: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new TimeoutError(what, timeoutMs);
      controller.abort(err);
      reject(err);
    }, timeoutMs);
    timer.unref();
  });
  try {
    return await Promise.race([work(controller.signal), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
