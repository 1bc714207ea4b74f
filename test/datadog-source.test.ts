import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { DatadogSourceConfig } from '../src/config/sources/datadog.js';
import { createDatadogSource } from '../src/sources/datadog.js';
import { datadogConfiguration } from '../src/sources/datadog/configuration.js';
import { SourceError } from '../src/sources/source.js';
import { createLogger } from '../src/log.js';
import { listen } from './support/listen.js';

const API_KEY = 'dd-api-0123456789abcdef';
const APP_KEY = 'dd-app-fedcba9876543210';
const KEYS = { DD_API_KEY: API_KEY, DD_APP_KEY: APP_KEY };
const WINDOW = { startMs: Date.parse('2026-11-27T01:00:00Z'), endMs: Date.parse('2026-11-27T01:05:00Z') };
const MIB = 1024 * 1024;

interface Seen { readonly url: URL; readonly headers: IncomingMessage['headers'] }
type Reply = { status: number; headers?: Record<string, string>; body: unknown } | 'hang';

/** A local server answering GET /api/v1/query in Datadog's JSON. */
async function datadogServer(reply: (seen: Seen, n: number) => Reply) {
  const seen: Seen[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const s = { url: new URL(req.url!, 'http://x'), headers: req.headers };
    seen.push(s);
    const r = reply(s, seen.length);
    if (r === 'hang') return;
    res.writeHead(r.status, { 'content-type': 'application/json', ...r.headers });
    res.end(JSON.stringify(r.body));
  });
  return {
    url: await listen(server),
    seen,
    close: () => new Promise<void>((r) => {
      server.close(() => r());
      server.closeAllConnections();
    }),
  };
}

const t = (minute: number) => WINDOW.startMs + minute * 60_000;
function series(queryIndex: number, expression: string, pointlist: [number, number | null][]) {
  return { metric: expression.split(':')[1]!.split('{')[0], expression, scope: 'env:prod', aggr: expression.split(':')[0], query_index: queryIndex, pointlist, start: pointlist[0]?.[0], end: pointlist.at(-1)?.[0], interval: 60, length: pointlist.length, tag_set: [], unit: null, display_name: expression };
}
const ok = (s: unknown[]): Reply => ({ status: 200, body: { status: 'ok', res_type: 'time_series', resp_version: 1, series: s, from_date: WINDOW.startMs, to_date: WINDOW.endMs, group_by: [], message: '', values: [], times: [] } });

function source(url: string, extra: Record<string, unknown> = {}, env: NodeJS.ProcessEnv = KEYS, logLines?: string[]) {
  const config = DatadogSourceConfig.parse({ url, tags: ['env:prod', 'service:api'], ...extra });
  const logger = logLines ? createLogger({ destination: { write: (line: string) => void logLines.push(line) } }) : undefined;
  return createDatadogSource(config, { env, ...(logger ? { logger } : {}) });
}

async function queryError(src: ReturnType<typeof createDatadogSource>): Promise<SourceError> {
  const err = await src.query(WINDOW, new AbortController().signal).then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(SourceError);
  return err as SourceError;
}

describe('Datadog source against a local server in Datadog\'s JSON', () => {
  it('reads system.* metrics scoped by tags, skipping null points instead of reading them as 0', async () => {
    const dd = await datadogServer(() => ok([
      series(0, 'avg:system.cpu.idle{env:prod,service:api}', [[t(0), 80], [t(1), null], [t(2), 60], [t(3), null]]),
      series(2, 'sum:system.mem.usable{env:prod,service:api}', [[t(3), 3072], [t(1), 1024], [t(4), null]]),
      series(1, 'sum:system.mem.total{env:prod,service:api}', [[t(1), 8192], [t(3), 8192]]),
      series(4, 'sum:system.io.r_s{env:prod,service:api}', [[t(0), 10], [t(1), 30]]),
      series(5, 'sum:system.io.w_s{env:prod,service:api}', [[t(0), 5], [t(1), null], [t(2), 15]]),
      series(6, 'avg:system.io.await{env:prod,service:api}', [[t(0), null], [t(1), 2.5]]),
      series(7, 'sum:system.io.rkb_s{env:prod,service:api}', [[t(0), 100]]),
      series(8, 'sum:system.io.wkb_s{env:prod,service:api}', [[t(0), null]]),
      series(9, 'avg:system.cpu.iowait{env:prod,service:api}', [[t(0), 4], [t(2), null], [t(3), 6]]),
    ]));
    const { metrics, detail } = await source(dd.url).query(WINDOW, new AbortController().signal);
    await dd.close();
    expect(dd.seen).toHaveLength(1);
    const { url, headers } = dd.seen[0]!;
    expect(url.pathname).toBe('/api/v1/query');
    expect([url.searchParams.get('from'), url.searchParams.get('to')]).toEqual([String(WINDOW.startMs / 1000), String(WINDOW.endMs / 1000)]);
    expect(url.searchParams.get('query')).toBe([
      'avg:system.cpu.idle', 'sum:system.mem.total', 'sum:system.mem.usable', 'sum:system.swap.used', 'sum:system.io.r_s',
      'sum:system.io.w_s', 'avg:system.io.await', 'sum:system.io.rkb_s', 'sum:system.io.wkb_s', 'avg:system.cpu.iowait',
    ].map((m) => `${m}{env:prod,service:api}`).join(','));
    expect([headers['dd-api-key'], headers['dd-application-key']]).toEqual([API_KEY, APP_KEY]);
    expect(metrics.resources).toEqual({
      // 100 − idle (mean 70) − iowait (mean 5).
      cpu: { usage: 25 },
      // The newest non-null points: total 8192 MiB, usable 3072 MiB.
      memory: { used: 5120 * MIB, available: 3072 * MIB, swap: null },
      // r_s mean 20 + w_s mean 10; wkb_s has only null points, so throughput has no data.
      disk: { iops: 30, latency: 2.5, throughput: null },
    });
    expect(detail).toBe('8 of 10 system metrics had points on datadoghq.com');
  });

  it('waits X-RateLimit-Reset seconds after a 429, then retries', async () => {
    const lines: string[] = [];
    const dd = await datadogServer((_, n) => (n === 1
      ? { status: 429, headers: { 'x-ratelimit-limit': '100', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1' }, body: { errors: ['Too many requests'] } }
      : ok([series(0, 'avg:system.cpu.idle{*}', [[t(0), 75]])])));
    const started = Date.now();
    const { metrics } = await source(dd.url, { tags: [] }, KEYS, lines).query(WINDOW, new AbortController().signal);
    const waitedMs = Date.now() - started;
    await dd.close();
    expect(dd.seen.map((s) => s.url.searchParams.get('query')!.split(',')[0])).toEqual(['avg:system.cpu.idle{*}', 'avg:system.cpu.idle{*}']);
    expect(waitedMs).toBeGreaterThanOrEqual(990);
    expect(metrics.resources?.cpu?.usage).toBe(25);
    const retry = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'Remote source retry');
    expect(retry).toMatchObject({ source: 'datadog', attempt: 1, delayMs: 1000, reason: 'throttled' });
    expect(lines.join('')).not.toMatch(new RegExp(`${API_KEY}|${APP_KEY}`));
  });

  it('reports a rate limit that resets too late as throttled without waiting', async () => {
    const dd = await datadogServer(() => ({ status: 429, headers: { 'x-ratelimit-reset': '45' }, body: { errors: ['Too many requests'] } }));
    const err = await queryError(source(dd.url));
    await dd.close();
    expect(dd.seen).toHaveLength(1);
    expect(err.reason).toBe('throttled');
    expect(err.message).toBe('Datadog query was rate limited; the limit resets in 45 s');
  });

  it('does not retry a 403, says which key to check, and never shows the keys', async () => {
    const lines: string[] = [];
    const dd = await datadogServer(() => ({ status: 403, body: { errors: ['Forbidden'] } }));
    const err = await queryError(source(dd.url, {}, KEYS, lines));
    await dd.close();
    expect(dd.seen).toHaveLength(1);
    expect(err.reason).toBe('auth');
    expect(err.message).toBe('403 Forbidden — DD_APP_KEY is missing or lacks the timeseries_query scope, or DD_API_KEY is not a key of this organization on datadoghq.com');
    expect(`${err.message} ${lines.join('')}`).not.toMatch(new RegExp(`${API_KEY}|${APP_KEY}`));
  });

  it('retries a 5xx with back-off', async () => {
    const dd = await datadogServer((_, n) => (n === 1 ? { status: 503, body: { errors: ['Service Unavailable'] } } : ok([series(6, 'avg:system.io.await{*}', [[t(0), 4]])])));
    const { metrics } = await source(dd.url).query(WINDOW, new AbortController().signal);
    await dd.close();
    expect(dd.seen).toHaveLength(2);
    expect(metrics.resources?.disk?.latency).toBe(4);
  });

  it('times out each attempt, retries, then reports a timeout', async () => {
    const dd = await datadogServer(() => 'hang');
    const err = await queryError(source(dd.url, { timeout: '300ms', retries: 1 }));
    await dd.close();
    expect(dd.seen).toHaveLength(2);
    expect(err.reason).toBe('timeout');
    expect(err.message).toBe(`${dd.url} did not answer in time: Datadog query timed out after 300 ms`);
  });

  it('reports an empty result when every point is null, and missing keys before any request', async () => {
    const dd = await datadogServer(() => ok([series(0, 'avg:system.cpu.idle{env:prod}', [[t(0), null], [t(1), null]])]));
    const empty = await queryError(source(dd.url));
    expect(empty.reason).toBe('empty');
    expect(empty.message).toBe('Datadog has no system.* points for env:prod,service:api in this window: check the tags and that the Agent runs on those hosts');
    const noApp = await queryError(source(dd.url, {}, { DD_API_KEY: API_KEY }));
    await dd.close();
    expect(dd.seen).toHaveLength(1);
    expect([noApp.reason, noApp.message]).toEqual(['auth', 'DD_APP_KEY is not set: export an application key with the timeseries_query scope (Organization Settings → Application Keys)']);
  });

  it('picks the API host from the site through the client\'s server variables', () => {
    const server = (site: string) => datadogConfiguration({ site, url: null, apiKey: 'a', appKey: 'b' }, fetch).getServer('v1.MetricsApi.queryMetrics');
    const url = (site: string) => (server(site) as unknown as { getUrl(): string }).getUrl(); // typed private, public at run time
    expect(url('datadoghq.eu')).toBe('https://api.datadoghq.eu');
    expect(url('us5.datadoghq.com')).toBe('https://api.us5.datadoghq.com');
    expect(DatadogSourceConfig.safeParse({ site: 'api.datadoghq.eu' }).success).toBe(false);
  });
});
