import type { FailureReason } from '../model/snapshot.js';
import { SourceError, type SampledSource } from '../sources/source.js';
import { TimeoutError, withTimeout } from '../util/timeout.js';
import { redactSecrets } from '../util/redact.js';
import { httpStatusOf, reasonForErrorName, reasonForHttpStatus } from '../sources/remote/failure-signals.js';

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

/** A readable message for any thrown value, AggregateErrors flattened. */
export function errorMessage(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length) return err.errors.map(errorMessage).join('; ');
  return err instanceof Error ? err.message || err.name : String(err);
}

/** The closed set of failure reasons, derived in one place. */
export function failureReason(err: unknown): FailureReason {
  if (err instanceof SourceError) return err.reason;
  if (err instanceof TimeoutError) return 'timeout';
  const named = reasonForErrorName(err);
  if (named) return named;
  const status = httpStatusOf(err);
  if (status !== null) return reasonForHttpStatus(status);
  const code = (err as { code?: string } | null)?.code ?? '';
  if (/^(ECONNREFUSED|ECONNRESET|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN|EPIPE)$/.test(code)) return 'network';
  if (code === '28P01' || code === '28000' || /NOAUTH|WRONGPASS/.test(String((err as Error)?.message))) return 'auth';
  if (code === 'ENOENT' || code === '3D000') return 'not_found';
  if (err instanceof AggregateError) return 'network';
  const cause = (err as { cause?: unknown } | null)?.cause;
  if (cause != null && cause !== err) return failureReason(cause); // fetch: "fetch failed" caused by ECONNREFUSED
  return 'bad_response';
}
