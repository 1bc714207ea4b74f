import { TimeoutError } from '../util/timeout.js';
import { redactSecrets } from '../util/redact.js';
import type { DeliveryReason, NotifyResult } from './notification.js';

/** The one place an HTTP status becomes a failure reason, and whether trying again can help. */
export function failureForStatus(status: number): { reason: DeliveryReason; retryable: boolean } {
  if (status === 401 || status === 403) return { reason: 'auth', retryable: false };
  if (status === 404 || status === 410) return { reason: 'not_found', retryable: false };
  if (status === 408) return { reason: 'timeout', retryable: true };
  if (status === 429) return { reason: 'throttled', retryable: true };
  return { reason: 'bad_response', retryable: status >= 500 };
}

/** What the user can do about a failure that trying again will not fix. */
const WAY_OUT: Partial<Record<DeliveryReason, string>> = {
  auth: "the receiver refused perfpilot's credentials: check the channel's key, token or URL",
  not_found: "the receiver has no such endpoint: check the channel's URL",
};

/** The message for a failed HTTP answer: the status, the receiver's own words, and the way out. */
export function statusMessage(status: number, reason: DeliveryReason, text: string): string {
  const way = WAY_OUT[reason];
  return `HTTP ${status}${text ? `: ${text.slice(0, 200).trim()}` : ''}${way ? ` (${way})` : ''}`;
}

/** A thrown error (network, timeout, abort) as a failed, retryable result. URLs are redacted. */
export function failureForError(err: unknown): NotifyResult & { ok: false } {
  const cause = (err as { cause?: { code?: string } } | null)?.cause;
  const timedOut = err instanceof TimeoutError || (err as Error)?.name === 'TimeoutError' || (err as Error)?.name === 'AbortError';
  const message = timedOut ? 'the receiver did not answer in time' : [(err as Error)?.message ?? String(err), cause?.code].filter(Boolean).join(': ');
  return { ok: false, retryable: true, reason: timedOut ? 'timeout' : 'network', message: redactUrls(message) };
}

/** Channel URLs are secrets (a Slack webhook URL is its key): none may reach an error. */
export function redactUrls(text: string): string {
  return redactSecrets(text).replace(/\bhttps?:\/\/[^\s"']+/gi, '<url>');
}
