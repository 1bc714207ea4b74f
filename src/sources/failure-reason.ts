import type { FailureReason } from '../model/snapshot.js';
import { SourceError } from './source.js';
import { TimeoutError } from '../util/timeout.js';
import { httpStatusOf, reasonForErrorName, reasonForHttpStatus } from './remote/failure-signals.js';

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
