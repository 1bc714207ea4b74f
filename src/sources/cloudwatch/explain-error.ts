import { failureReason } from '../failure-reason.js';
import { SourceError } from '../source.js';
import { redactSecrets } from '../../util/redact.js';
import { innermostMessage } from '../remote/failure-signals.js';

/**
 * Rewrites an AWS SDK failure as a SourceError a person can act on: which credentials or
 * permission to check, or which endpoint could not be reached.
 */
export function explainCloudWatchError(err: unknown, where: { readonly region: string; readonly endpoint: string | null }): SourceError {
  if (err instanceof SourceError) return err;
  const reason = failureReason(err);
  const name = (err as { name?: string } | null)?.name ?? 'Error';
  const raw = redactSecrets(err instanceof Error ? err.message : String(err));
  const target = where.endpoint ?? `CloudWatch in ${where.region}`;
  const message = ((): string => {
    if (name === 'CredentialsProviderError') return 'no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or run on a role (the standard AWS chain)';
    if (name === 'ExpiredToken' || name === 'ExpiredTokenException') return 'the AWS session has expired: refresh it (e.g. `aws sso login`) and try again';
    if (name === 'AccessDenied' || name === 'AccessDeniedException') return `AWS denied the request (${name}): allow cloudwatch:GetMetricData for this principal`;
    if (reason === 'auth') return `AWS rejected the credentials (${name}): check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE, and the region ${where.region}`;
    if (reason === 'throttled') return `CloudWatch is throttling GetMetricData (${name}): query less often or raise the account's GetMetricData quota`;
    if (reason === 'network') return `cannot reach ${target}: ${redactSecrets(innermostMessage(err))}`;
    if (reason === 'timeout') return `${target} did not answer in time: ${raw}`;
    return `CloudWatch refused the query (${name}): ${raw}`;
  })();
  return new SourceError(message, reason, { cause: err });
}
