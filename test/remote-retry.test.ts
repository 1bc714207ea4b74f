import { describe, expect, it } from 'vitest';
import { withRetry } from '../src/sources/remote/retry.js';
import { HttpStatusError } from '../src/sources/remote/failure-signals.js';
import { failureReason } from '../src/sources/failure-reason.js';
import { SourceError } from '../src/sources/source.js';
import { TimeoutError } from '../src/util/timeout.js';

const refused = () => Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }) });
const http = (status: number, headers: Record<string, string> = {}) => new HttpStatusError(status, 'x', new Headers(headers), '');

/** Runs withRetry over a scripted list of outcomes; returns what it gave and the waits it took. */
async function script(outcomes: (Error | 'ok' | 'hang')[], extra: Partial<Parameters<typeof withRetry>[1]> = {}) {
  const delays: number[] = [];
  let calls = 0;
  const result = await withRetry(async (signal) => {
    const next = outcomes[calls++]!;
    if (next === 'ok') return 'done';
    if (next === 'hang') return new Promise<string>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
    throw next;
  }, { what: 'test call', retries: 3, attemptTimeoutMs: 200, baseDelayMs: 10, random: () => 1, onRetry: (r) => delays.push(r.delayMs), ...extra })
    .catch((err: unknown) => err as Error);
  return { result, delays, calls };
}

describe('withRetry', () => {
  it('retries network failures and 5xx with doubling back-off', async () => {
    expect(await script([refused(), http(503), refused(), 'ok'])).toEqual({ result: 'done', delays: [10, 20, 40], calls: 4 });
  });

  it('never retries auth, not found or a bad request', async () => {
    for (const err of [http(401), http(403), http(404), http(400), new SourceError('no key', 'auth')]) {
      const r = await script([err, 'ok']);
      expect(r).toEqual({ result: err, delays: [], calls: 1 });
    }
  });

  it('times out each attempt and gives up after the last retry', async () => {
    const r = await script(['hang', 'hang'], { retries: 1, attemptTimeoutMs: 50 });
    expect(r.calls).toBe(2);
    expect(r.result).toBeInstanceOf(TimeoutError);
    expect(failureReason(r.result)).toBe('timeout');
  });

  it('waits what the server asks on throttling, and reports a wait longer than the cap at once', async () => {
    const retryAfterMs = (err: unknown) => (err instanceof HttpStatusError ? Number(err.headers.get('retry-after')) * 1000 : null);
    expect(await script([http(429, { 'retry-after': '0.03' }), 'ok'], { retryAfterMs })).toEqual({ result: 'done', delays: [30], calls: 2 });
    const late = await script([http(429, { 'retry-after': '60' }), 'ok'], { retryAfterMs, maxDelayMs: 5_000 });
    expect(late.calls).toBe(1);
    expect(late.result).toMatchObject({ name: 'SourceError', reason: 'throttled', message: 'test call was rate limited; the limit resets in 60 s' });
  });

  it('stops waiting when the caller aborts', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('collection cancelled')), 30);
    const r = await script([refused(), 'ok'], { baseDelayMs: 10_000, signal: controller.signal });
    expect(r.calls).toBe(1);
    expect((r.result as Error).message).toBe('collection cancelled');
  });
});

describe('failureReason for remote errors', () => {
  it('reads HTTP statuses, AWS error names and causes', () => {
    expect([401, 403, 404, 408, 429, 500].map((s) => failureReason(http(s)))).toEqual(['auth', 'auth', 'not_found', 'timeout', 'throttled', 'bad_response']);
    expect(failureReason(refused())).toBe('network');
    const aws = (name: string, status: number) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
    expect([aws('ThrottlingException', 400), aws('InvalidClientTokenId', 403), aws('ExpiredToken', 400), aws('InvalidParameterValue', 400)].map(failureReason))
      .toEqual(['throttled', 'auth', 'auth', 'bad_response']);
    expect(failureReason(Object.assign(new Error('Could not load credentials'), { name: 'CredentialsProviderError' }))).toBe('auth');
  });
});
