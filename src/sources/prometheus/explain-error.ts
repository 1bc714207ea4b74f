import { failureReason } from '../failure-reason.js';
import { SourceError } from '../source.js';
import { httpStatusOf, innermostMessage, statusLine } from '../remote/failure-signals.js';
import { redactSecrets } from '../../util/redact.js';

/** Rewrites a failed PromQL request as a SourceError that says what to fix. */
export function explainPrometheusError(err: unknown, baseUrl: string): SourceError {
  if (err instanceof SourceError) return err;
  const reason = failureReason(err);
  const status = httpStatusOf(err);
  const raw = redactSecrets(err instanceof Error ? err.message : String(err));
  const message = ((): string => {
    if (status === 401 || status === 403) return `${statusLine(status)} — ${baseUrl} wants credentials: put them in sources.prometheus.url as http://user:password@host`;
    if (status === 404) return `${statusLine(status)} — ${baseUrl} has no /api/v1/query: set sources.prometheus.url to the server's root, e.g. http://prometheus:9090`;
    if (status === 400 || status === 422) return `the query was rejected: ${raw.replace(/^\d+ [^:]*: /, '')}`;
    if (status !== null) return `${statusLine(status)} from ${baseUrl}: ${raw}`;
    if (reason === 'network') return `cannot reach ${baseUrl}: is Prometheus running there, and is sources.prometheus.url right? (${redactSecrets(innermostMessage(err))})`;
    if (reason === 'timeout') return `${baseUrl} did not answer in time: ${raw}`;
    return `${baseUrl}: ${redactSecrets(innermostMessage(err))}`;
  })();
  return new SourceError(message, reason, { cause: err });
}
