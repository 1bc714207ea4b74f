import type { SourceError } from '../source.js';
import { explainRemoteError, type FailedRequest } from '../remote/explain-error.js';

const noCredentials = (): string => 'no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or run on a role (the standard AWS chain)';
const expired = (): string => 'the AWS session has expired: refresh it (e.g. `aws sso login`) and try again';
const denied = (f: FailedRequest): string => `AWS denied the request (${f.name}): allow cloudwatch:GetMetricData for this principal`;

/**
 * Rewrites an AWS SDK failure as a SourceError a person can act on: which credentials or
 * permission to check, or which endpoint could not be reached.
 */
export function explainCloudWatchError(err: unknown, where: { readonly region: string; readonly endpoint: string | null }): SourceError {
  return explainRemoteError(err, {
    target: where.endpoint ?? `CloudWatch in ${where.region}`,
    byName: {
      CredentialsProviderError: noCredentials,
      ExpiredToken: expired,
      ExpiredTokenException: expired,
      AccessDenied: denied,
      AccessDeniedException: denied,
    },
    byReason: {
      auth: (f) => `AWS rejected the credentials (${f.name}): check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE, and the region ${where.region}`,
      throttled: (f) => `CloudWatch is throttling GetMetricData (${f.name}): query less often or raise the account's GetMetricData quota`,
    },
    otherwise: (f) => `CloudWatch refused the query (${f.name}): ${f.message}`,
  });
}
