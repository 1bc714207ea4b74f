import type { SourceError } from '../source.js';
import { explainRemoteError, type FailedRequest } from '../remote/explain-error.js';

const wantsCredentials = (f: FailedRequest): string => `${f.statusLine} — ${f.target} wants credentials: put them in sources.prometheus.url as http://user:password@host`;
const rejected = (f: FailedRequest): string => `the query was rejected: ${f.message.replace(/^\d+ [^:]*: /, '')}`;

/** Rewrites a failed PromQL request as a SourceError that says what to fix. */
export function explainPrometheusError(err: unknown, baseUrl: string): SourceError {
  return explainRemoteError(err, {
    target: baseUrl,
    byStatus: {
      401: wantsCredentials,
      403: wantsCredentials,
      404: (f) => `${f.statusLine} — ${f.target} has no /api/v1/query: set sources.prometheus.url to the server's root, e.g. http://prometheus:9090`,
      400: rejected,
      422: rejected,
    },
    byReason: {
      network: (f) => `cannot reach ${f.target}: is Prometheus running there, and is sources.prometheus.url right? (${f.cause})`,
    },
  });
}
