import { failureReason } from '../failure-reason.js';
import { SourceError } from '../source.js';
import { withTimeout } from '../../util/timeout.js';
import { sleep } from '../../util/sleep.js';
import { httpStatusOf } from './failure-signals.js';

export interface RetryOptions {
  /** Names the call in messages, e.g. "prometheus query". */
  readonly what: string;
  /** Tries after the first; 0 means one attempt. */
  readonly retries: number;
  /** Each attempt's own deadline. */
  readonly attemptTimeoutMs: number;
  /** The first back-off; it doubles on each retry, with jitter, up to `maxDelayMs`. */
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  /** The caller's signal: aborting it stops the attempt in flight and any waiting. */
  readonly signal?: AbortSignal;
  /** A server's own "retry after" for this error in ms (e.g. X-RateLimit-Reset), or null. */
  readonly retryAfterMs?: (err: unknown) => number | null;
  /** Called before each wait; for logs. */
  readonly onRetry?: (info: { attempt: number; delayMs: number; reason: string }) => void;
  readonly random?: () => number;
}

/**
 * Runs `attempt` until it succeeds, retrying with exponential back-off on failures that can
 * pass (network, timeout, throttling, 5xx) and never on the others (auth, not found, a bad
 * request). A server's retry-after longer than `maxDelayMs` is not waited for: the error is
 * reported at once as throttled, with the wait in the message.
 *
 * @example
 * const body = await withRetry((signal) => fetch(url, { signal }).then(okJson), {
 *   what: 'prometheus query', retries: 2, attemptTimeoutMs: 5000, signal,
 * });
 */
export async function withRetry<T>(attempt: (signal: AbortSignal) => Promise<T>, options: RetryOptions): Promise<T> {
  const base = options.baseDelayMs ?? 250;
  const max = options.maxDelayMs ?? 5_000;
  const random = options.random ?? Math.random;
  for (let n = 0; ; n++) {
    options.signal?.throwIfAborted();
    try {
      return await withTimeout(options.what, options.attemptTimeoutMs, (own) => attempt(options.signal ? AbortSignal.any([own, options.signal]) : own));
    } catch (err) {
      if (options.signal?.aborted || n >= options.retries || !isRetryable(err)) throw err;
      const serverDelay = options.retryAfterMs?.(err) ?? null;
      if (serverDelay !== null && serverDelay > max) {
        throw new SourceError(`${options.what} was rate limited; the limit resets in ${Math.ceil(serverDelay / 1000)} s`, 'throttled', { cause: err });
      }
      const delayMs = serverDelay ?? Math.min(max, base * 2 ** n) * (0.5 + random() / 2);
      options.onRetry?.({ attempt: n + 1, delayMs, reason: failureReason(err) });
      await sleep(delayMs, options.signal, true);
    }
  }
}

/** Failures that may pass on their own: worth another attempt. */
export function isRetryable(err: unknown): boolean {
  const reason = failureReason(err);
  if (reason === 'network' || reason === 'timeout' || reason === 'throttled') return true;
  const status = httpStatusOf(err);
  return status !== null && status >= 500;
}
