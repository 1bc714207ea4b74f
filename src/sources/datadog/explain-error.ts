import type { SourceError } from '../source.js';
import { explainRemoteError, type FailedRequest } from '../remote/explain-error.js';

/** Rewrites a failed Datadog query as a SourceError that says what to fix. */
export function explainDatadogError(err: unknown, where: { readonly site: string; readonly baseUrl: string }): SourceError {
  const badKeys = (f: FailedRequest): string =>
    `${f.statusLine} — DD_APP_KEY is missing or lacks the timeseries_query scope, or DD_API_KEY is not a key of this organization on ${where.site}`;
  return explainRemoteError(err, {
    target: where.baseUrl,
    byStatus: {
      401: badKeys,
      403: badKeys,
      429: (f) => `${f.statusLine} — Datadog's rate limit for metric queries is used up: query less often, or wait for it to reset`,
      400: (f) => `${f.statusLine} — Datadog rejected the query; check the tags: ${f.message}`,
    },
  });
}
