import type { FailureReason } from '../../model/snapshot.js';

/**
 * The HTTP status an error carries, whichever client threw it: the AWS SDK
 * (`$metadata.httpStatusCode`), the Datadog client (`code`), or our own `HttpStatusError`.
 */
export function httpStatusOf(err: unknown): number | null {
  if (err === null || typeof err !== 'object') return null;
  const e = err as { status?: unknown; code?: unknown; $metadata?: { httpStatusCode?: unknown } };
  for (const value of [e.status, e.$metadata?.httpStatusCode, e.code]) {
    if (typeof value === 'number' && value >= 100 && value <= 599) return value;
  }
  return null;
}

/** 401/403 auth, 404 not_found, 408 timeout, 429 throttled, anything else bad_response. */
export function reasonForHttpStatus(status: number): FailureReason {
  if (status === 401 || status === 403) return 'auth';
  if (status === 404) return 'not_found';
  if (status === 408 || status === 504) return 'timeout';
  if (status === 429) return 'throttled';
  return 'bad_response';
}

const NAME_REASONS: Readonly<Record<string, FailureReason>> = {
  CredentialsProviderError: 'auth', AccessDenied: 'auth', AccessDeniedException: 'auth', InvalidClientTokenId: 'auth',
  UnrecognizedClientException: 'auth', SignatureDoesNotMatch: 'auth', ExpiredToken: 'auth', ExpiredTokenException: 'auth',
  Throttling: 'throttled', ThrottlingException: 'throttled', TooManyRequestsException: 'throttled', LimitExceeded: 'throttled',
  TimeoutError: 'timeout', AbortError: 'timeout', ResourceNotFound: 'not_found', ResourceNotFoundException: 'not_found',
};

/** The reason an error's name implies (AWS error codes, DOM abort errors); null if it names none. */
export function reasonForErrorName(err: unknown): FailureReason | null {
  const name = (err as { name?: unknown } | null)?.name;
  return typeof name === 'string' && Object.hasOwn(NAME_REASONS, name) ? NAME_REASONS[name]! : null;
}

/** A non-2xx answer from a plain `fetch`, carrying its status and headers. */
export class HttpStatusError extends Error {
  constructor(readonly status: number, readonly statusText: string, readonly headers: Headers, body: string) {
    super(`${status} ${statusText}${body ? `: ${body.slice(0, 200)}` : ''}`);
    this.name = 'HttpStatusError';
  }
}

/** The standard phrase for a status, for messages: 403 → "403 Forbidden". */
export function statusLine(status: number): string {
  return `${status} ${STATUS_TEXT[status] ?? 'HTTP error'}`;
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 408: 'Request Timeout',
  429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout',
};

/** The innermost cause's message: "connect ECONNREFUSED 127.0.0.1:9090" rather than "fetch failed". */
export function innermostMessage(err: unknown): string {
  let e = err;
  while (e !== null && typeof e === 'object' && 'cause' in e && e.cause != null && e.cause !== e) e = e.cause;
  if (e instanceof AggregateError && e.errors.length) e = e.errors[0];
  return e instanceof Error ? e.message || e.name : String(e);
}
