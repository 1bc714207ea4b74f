import { failureReason } from '../failure-reason.js';
import { SourceError } from '../source.js';
import { httpStatusOf, innermostMessage, statusLine } from '../remote/failure-signals.js';
import { redactSecrets } from '../../util/redact.js';

/** Rewrites a failed Datadog query as a SourceError that says what to fix. */
export function explainDatadogError(err: unknown, where: { readonly site: string; readonly baseUrl: string }): SourceError {
  if (err instanceof SourceError) return err;
  const reason = failureReason(err);
  const status = httpStatusOf(err);
  const raw = redactSecrets(err instanceof Error ? err.message : String(err));
  const message = ((): string => {
    if (status === 401 || status === 403) {
      return `${statusLine(status)} — DD_APP_KEY is missing or lacks the timeseries_query scope, or DD_API_KEY is not a key of this organization on ${where.site}`;
    }
    if (status === 429) return `${statusLine(status)} — Datadog's rate limit for metric queries is used up: query less often, or wait for it to reset`;
    if (status === 400) return `${statusLine(status)} — Datadog rejected the query; check the tags: ${raw}`;
    if (status !== null) return `${statusLine(status)} from ${where.baseUrl}: ${raw}`;
    if (reason === 'network') return `cannot reach ${where.baseUrl}: ${redactSecrets(innermostMessage(err))}`;
    if (reason === 'timeout') return `${where.baseUrl} did not answer in time: ${raw}`;
    return `${where.baseUrl}: ${redactSecrets(innermostMessage(err))}`;
  })();
  return new SourceError(message, reason, { cause: err });
}
