// Calls to /api/v1. The token lives in sessionStorage only, and is sent only when set.
import { t } from './i18n.js';

const KEY = 'perfpilot.token';

export function getToken() {
  return sessionStorage.getItem(KEY);
}

export function setToken(token) {
  if (token) sessionStorage.setItem(KEY, token);
  else sessionStorage.removeItem(KEY);
}

/** Asks for the token in the page's dialog; resolves to it, or null when cancelled. */
export function askToken(helpKey = 'token_help') {
  const dialog = document.querySelector('#token-dialog');
  const input = dialog.querySelector('input');
  dialog.querySelector('[data-role="help"]').textContent = t(helpKey);
  input.value = getToken() ?? '';
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok' && input.value.trim() ? input.value.trim() : null), { once: true });
  });
}

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

function headers(extra = {}) {
  const token = getToken();
  return token ? { ...extra, authorization: `Bearer ${token}` } : extra;
}

/** GET a JSON answer; resolves to null on 404 (a part not landed, or nothing yet). */
export async function getJson(path) {
  const res = await fetch(path, { headers: headers() });
  if (res.status === 404) return null;
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, body?.error?.message ?? res.statusText);
  return body;
}

export async function postJson(path, body = {}) {
  const res = await fetch(path, { method: 'POST', headers: headers({ 'content-type': 'application/json' }), body: JSON.stringify(body) });
  const answer = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, answer?.error?.message ?? res.statusText);
  return answer;
}

/**
 * Follows /api/v1/events (server-sent events) with fetch, so the token can go in a header.
 * Calls onEvent per event and onState(true|false) as the stream opens and drops; reconnects.
 */
export function followEvents(onEvent, onState) {
  let stopped = false;
  (async () => {
    let delayMs = 1000;
    while (!stopped) {
      try {
        const res = await fetch('/api/v1/events', { headers: headers({ accept: 'text/event-stream' }) });
        if (!res.ok || !res.body) throw new Error(String(res.status));
        onState(true);
        delayMs = 1000;
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let cut;
          while ((cut = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            const data = block.split('\n').find((l) => l.startsWith('data: '));
            if (data) onEvent(JSON.parse(data.slice(6)));
          }
        }
      } catch {
        // Reconnect below.
      }
      onState(false);
      await new Promise((r) => setTimeout(r, delayMs));
      delayMs = Math.min(delayMs * 2, 30_000);
    }
  })();
  return () => { stopped = true; };
}
