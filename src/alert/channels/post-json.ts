import { failureForError, failureForStatus, redactUrls } from '../failure-reason.js';
import type { NotifyResult } from '../notification.js';

/**
 * POSTs JSON and turns the answer into a NotifyResult: 2xx is ok; anything else carries a
 * reason from the status, and a message with the receiver's words but never its URL.
 */
export async function postJson(url: string, body: unknown, options: { signal: AbortSignal; headers?: Readonly<Record<string, string>> }): Promise<NotifyResult> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'perfpilot', ...options.headers },
      body: JSON.stringify(body),
      signal: options.signal,
    });
  } catch (err) {
    return failureForError(options.signal.aborted ? options.signal.reason ?? err : err);
  }
  const text = await response.text().catch(() => '');
  if (response.ok) return { ok: true };
  const { reason, retryable } = failureForStatus(response.status);
  return { ok: false, reason, retryable, message: redactUrls(`HTTP ${response.status}${text ? `: ${text.slice(0, 200).trim()}` : ''}`) };
}
