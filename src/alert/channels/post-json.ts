import { failureForError, failureForStatus, redactUrls, statusMessage } from '../failure-reason.js';
import type { NotifyResult } from '../notification.js';

/** Parts of a channel URL that act as secrets: credentials, query values, long path segments (a Slack hook's key). */
function secretsOf(url: URL): string[] {
  const parts = [url.username, url.password, ...url.searchParams.values(), ...url.pathname.split('/').filter((s) => s.length >= 8)];
  return parts.map((p) => decodeURIComponent(p)).filter((p) => p.length >= 4);
}

/** Removes every known secret, then every URL, from a message. */
export function redactKnown(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) out = out.replaceAll(s, '***');
  return redactUrls(out);
}

/**
 * POSTs JSON and turns the answer into a NotifyResult: 2xx is ok; anything else carries a
 * reason from the status, and a message with the receiver's words but never its URL or any
 * secret (credentials in the URL go as a Basic authorization header).
 */
export async function postJson(
  url: string,
  body: unknown,
  options: { signal: AbortSignal; headers?: Readonly<Record<string, string>>; secrets?: readonly string[] },
): Promise<NotifyResult> {
  const target = new URL(url);
  const secrets = [...secretsOf(target), ...(options.secrets ?? [])];
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'perfpilot', ...options.headers };
  if (target.username || target.password) {
    headers.authorization = `Basic ${Buffer.from(`${decodeURIComponent(target.username)}:${decodeURIComponent(target.password)}`).toString('base64')}`;
    target.username = '';
    target.password = '';
  }
  let response: Response;
  try {
    response = await fetch(target, { method: 'POST', headers, body: JSON.stringify(body), signal: options.signal });
  } catch (err) {
    const failure = failureForError(options.signal.aborted ? options.signal.reason ?? err : err);
    return { ...failure, message: redactKnown(failure.message, secrets) };
  }
  const text = await response.text().catch(() => '');
  if (response.ok) return { ok: true };
  const { reason, retryable } = failureForStatus(response.status);
  return { ok: false, reason, retryable, message: redactKnown(statusMessage(response.status, reason, text), secrets) };
}
