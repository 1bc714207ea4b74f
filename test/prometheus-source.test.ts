import type { ChildProcess } from 'node:child_process';
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrometheusSourceConfig } from '../src/config/sources/prometheus.js';
import { createPrometheusSource } from '../src/sources/prometheus.js';
import { createHostSource } from '../src/sources/host.js';
import { createRedisSource } from '../src/sources/redis.js';
import { createPostgresSource } from '../src/sources/postgres.js';
import { createAppSource } from '../src/sources/app.js';
import { countedDevices } from '../src/sources/host/proc-files.js';
import { instrument, type Instrumentation } from '../src/instrument/index.js';
import type { SampledSource } from '../src/sources/source.js';
import type { MetricsPatch } from '../src/model/metrics.js';
import { startRedis, type PrivateRedis } from './support/redis-server.js';
import { createScratchDatabase, PG_ADMIN_URL, type ScratchDatabase } from './support/postgres.js';
import { freePort } from './support/ports.js';
import { startProgram } from './support/program.js';
import { missingProgram } from './support/require.js';
import { listen } from './support/listen.js';
import { sleep } from '../src/util/sleep.js';

const PROGRAMS = ['prometheus', 'prometheus-node-exporter', 'prometheus-redis-exporter', 'prometheus-postgres-exporter', 'redis-server'];
const missing = PROGRAMS.map((p) => missingProgram(p)).find((m) => m !== null) ?? null;

/** Samples a perfpilot source now; `readings` later pairs it with the window's last sample. */
async function sampleNow<S>(source: SampledSource<S>) {
  return { atMs: Date.now(), data: await source.sample(new AbortController().signal) };
}

describe.skipIf(missing !== null)('Prometheus source against a real Prometheus scraping the real exporters and an instrumented service', () => {
  const children: ChildProcess[] = [];
  let dir: string;
  let redis: PrivateRedis;
  let db: ScratchDatabase;
  let pool: pg.Pool;
  let perf: Instrumentation;
  let app: Server;
  let appUrl: string;
  let exportUrl: string;
  let promUrl: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'perfpilot-prom-'));
    redis = await startRedis({ maxmemory: '4mb', 'maxmemory-policy': 'allkeys-lru' });
    db = await createScratchDatabase('perfpilot_prom');
    perf = instrument({ service: 'shop', environment: 'test' });
    pool = perf.pg(new pg.Pool({ connectionString: db.url, max: 4 }));
    app = createServer((req, res) => {
      pool.query('SELECT pg_sleep(0.02)').then(() => {
        res.statusCode = req.url === '/fail' ? 500 : 200;
        res.end('ok');
      }, () => { res.statusCode = 503; res.end(); });
    });
    perf.attach(app);
    appUrl = await listen(app);
    exportUrl = (await perf.serve({ host: '127.0.0.1', port: 0 })).url;

    const [nodePort, redisPort, pgPort, promPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    children.push(await startProgram('prometheus-node-exporter', [`--web.listen-address=127.0.0.1:${nodePort}`, '--collector.disable-defaults', '--collector.cpu', '--collector.meminfo', '--collector.diskstats'], nodePort));
    children.push(await startProgram('prometheus-redis-exporter', ['-redis.addr', redis.url, '-web.listen-address', `127.0.0.1:${redisPort}`], redisPort));
    const dsn = new URL(PG_ADMIN_URL);
    dsn.searchParams.set('sslmode', 'disable');
    children.push(await startProgram('prometheus-postgres-exporter', [`--web.listen-address=127.0.0.1:${pgPort}`], pgPort, { env: { DATA_SOURCE_NAME: dsn.toString() } }));
    const target = (job: string, hostPort: string) => `  - job_name: ${job}\n    static_configs: [{ targets: ['${hostPort}'] }]\n`;
    await writeFile(join(dir, 'prometheus.yml'), 'global: { scrape_interval: 1s, evaluation_interval: 1s }\nscrape_configs:\n'
      + target('node', `127.0.0.1:${nodePort}`) + target('redis', `127.0.0.1:${redisPort}`) + target('postgres', `127.0.0.1:${pgPort}`)
      + target('app', new URL(exportUrl).host));
    children.push(await startProgram('prometheus', [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${promPort}`, '--log.level=warn'], promPort));
    promUrl = `http://127.0.0.1:${promPort}`;
    await waitForScrapes(promUrl, 4, 3);
  });

  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await perf?.close();
    await new Promise((r) => app?.close(r));
    await pool?.end();
    await db?.drop();
    await redis?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('fills the model through PromQL, agreeing with perfpilot\'s own collectors', async () => {
    const hit = async (n: number) => { for (let i = 0; i < n; i++) await redis.client.get('present'); };
    const miss = async (n: number) => { for (let i = 0; i < n; i++) await redis.client.get(`absent:${i}`); };
    const requests = (path: string, n: number) => Promise.all(Array.from({ length: n }, () => fetch(`${appUrl}${path}`).then((r) => r.text())));
    await redis.client.set('present', 'x');
    // Traffic before the window, so that every counter exists (and is large) before it starts.
    await hit(100);
    await miss(100);
    await requests('/', 40);
    await requests('/fail', 40);

    const host = createHostSource();
    const ownRedis = createRedisSource({ url: redis.url });
    const ownPg = createPostgresSource({ url: db.url, slowQueryMs: 500 });
    const ownApp = createAppSource({ targets: [exportUrl] });
    const held = Array.from({ length: 3 }, () => new pg.Client({ connectionString: db.url }));
    await Promise.all(held.map((c) => c.connect()));
    // The pre-window traffic must be in the scrape the window's start reads: a successful scrape
    // of every target after it, then more than one interval with no traffic.
    await waitForScrapesAfter(promUrl, Date.now() / 1000, 4);
    await sleep(1_500);

    const startMs = Date.now();
    const before = await Promise.all([sampleNow(host), sampleNow(ownRedis), sampleNow(ownPg), sampleNow(ownApp)]);
    await hit(80);
    await miss(20);
    // About 6 MB into a 4 MB Redis: LRU evicts keys within the window.
    const filler = 'x'.repeat(1024);
    for (let i = 0; i < 6000; i += 500) await redis.client.mset(...Array.from({ length: 500 }, (_, k) => [`fill:${i + k}`, filler]).flat());
    await requests('/', 40);
    await requests('/fail', 10);
    await pool.query('SELECT pg_sleep(0.6)');
    await deadlock(db.url);
    await diskWork(join(dir, 'io.bin'));
    const lastTrafficS = Date.now() / 1000;
    await sleep(2_500); // two more scrapes after the last request
    await waitForScrapesAfter(promUrl, lastTrafficS, 4);
    const after = await Promise.all([sampleNow(host), sampleNow(ownRedis), sampleNow(ownPg), sampleNow(ownApp)]);
    const endMs = Date.now();
    const own = [host, ownRedis, ownPg, ownApp].map((s, i) => (s as SampledSource).readings(before[i]!, [after[i]!]).metrics);
    const [ownHost, ownCache, ownDb, ownApplication] = own as [MetricsPatch, MetricsPatch, MetricsPatch, MetricsPatch];

    const config = PrometheusSourceConfig.parse({
      url: promUrl,
      preset: ['exporters', 'perfpilot'],
      queries: {
        // Scoped to the scratch database; perfpilot's own source excludes its own connection there.
        'database.connections': `sum(pg_stat_activity_count{datname="${db.name}"}) - 1`,
        'database.deadlocks': `sum(pg_stat_database_deadlocks{datname="${db.name}"} - pg_stat_database_deadlocks{datname="${db.name}"} offset $range)`,
      },
    });
    const { metrics, detail } = await createPrometheusSource(config).query({ startMs, endMs }, new AbortController().signal);
    const serverWide = (await createPrometheusSource(PrometheusSourceConfig.parse({ url: promUrl })).query({ startMs, endMs }, new AbortController().signal)).metrics;
    await Promise.all([ownRedis.close?.(), ownPg.close?.(), ...held.map((c) => c.end())]);

    // Redis: a known sequence gives the exact hit rate in both, and the same evictions.
    expect(metrics.cache!.hitRate).toBeCloseTo(0.8, 12);
    expect(metrics.cache!.missRate).toBeCloseTo(0.2, 12);
    expect(ownCache.cache!.hitRate).toBe(0.8);
    expect(ownCache.cache!.evictions).toBeGreaterThan(0);
    expect(metrics.cache!.evictions).toBe(ownCache.cache!.evictions);
    // Memory within 5 % (read at slightly different instants).
    expect(within(metrics.cache!.memory!.used!, ownCache.cache!.memory!.used!, 0.05)).toBe(true);
    expect(Math.abs(metrics.cache!.memory!.available! - ownCache.cache!.memory!.available!)).toBeLessThanOrEqual(0.05 * 4 * 1024 * 1024);
    expect(within(metrics.resources!.memory!.used!, ownHost.resources!.memory!.used!, 0.05)).toBe(true);
    expect(within(metrics.resources!.memory!.available!, ownHost.resources!.memory!.available!, 0.05)).toBe(true);
    expect(Math.abs(metrics.resources!.memory!.swap! - ownHost.resources!.memory!.swap!)).toBeLessThanOrEqual(Math.max(1 << 20, 0.05 * ownHost.resources!.memory!.swap!));
    // CPU over (almost) the same seconds: within 15 points on a busy 2-core machine.
    expect(Math.abs(metrics.resources!.cpu!.usage! - ownHost.resources!.cpu!.usage!)).toBeLessThan(15);
    expect(metrics.resources!.cpu!.throttling).toBeNull();
    // Disk: both read /proc/diskstats. The window's I/O is mostly diskWork's (64 MiB and 4000 synced
    // writes); only the edges, where the two read their counters up to a scrape interval (1 s) apart,
    // may hold other processes' I/O. IOPS and throughput within 15 %, latency within 25 %.
    const [promDisk, ownDisk] = [metrics.resources!.disk!, ownHost.resources!.disk!];
    const seconds = (endMs - startMs) / 1000;
    expect(ownDisk.iops!).toBeGreaterThan(4000 / seconds);
    expect(ownDisk.throughput!).toBeGreaterThan((64 << 20) / seconds);
    expect(within(promDisk.iops!, ownDisk.iops!, 0.15), `iops ${promDisk.iops} vs ${ownDisk.iops}`).toBe(true);
    expect(within(promDisk.throughput!, ownDisk.throughput!, 0.15), `throughput ${promDisk.throughput} vs ${ownDisk.throughput}`).toBe(true);
    expect(within(promDisk.latency!, ownDisk.latency!, 0.25), `latency ${promDisk.latency} vs ${ownDisk.latency}`).toBe(true);
    // PostgreSQL: the scratch database's connections (the three held, the pool's; other tests come and go on
    // the server, so the server-wide count is not compared), and the one deadlock.
    const ownPgSample = after[2]!.data as { databaseConnections: number };
    expect(ownPgSample.databaseConnections).toBeGreaterThanOrEqual(3);
    expect(metrics.database!.connections).toBe(ownPgSample.databaseConnections);
    expect(metrics.database!.deadlocks).toBe(1);
    // The preset's own queries count the whole server: at least this database's share.
    expect(serverWide.database!.connections).toBeGreaterThanOrEqual(ownPgSample.databaseConnections);
    expect(serverWide.database!.deadlocks).toBeGreaterThanOrEqual(1);
    expect(ownDb.database!.deadlocks).toBe(1);
    // The instrumented service: 10 of 50 requests failed; percentiles agree to a histogram bucket.
    expect(metrics.application!.errorRate).toBeCloseTo(10 / 50, 12);
    expect(ownApplication.application!.errorRate).toBeCloseTo(10 / 50, 12);
    for (const p of ['p50', 'p90', 'p99'] as const) {
      expect(bucketsApart(metrics.application!.responseTime![p]!, ownApplication.application!.responseTime![p]!), p).toBeLessThanOrEqual(1);
    }
    // Throughput: the same 50 requests over the same window, the edges quiet: within 5 %.
    expect(within(metrics.application!.throughput!, ownApplication.application!.throughput!, 0.05)).toBe(true);
    expect(within(metrics.application!.throughput!, 50 / seconds, 0.05)).toBe(true);
    expect(metrics.database!.slowQueries).toBe(1);
    // Query time: 50 queries of 20 ms and one of 600 ms. p50 and p90 agree to a bucket. p99 is not
    // compared: with 51 queries the two rank definitions (q × n, q × (n − 1)) fall on different
    // queries, so Prometheus' is only checked to be the 600 ms one's bucket.
    for (const p of ['p50', 'p90'] as const) {
      expect(bucketsApart(metrics.database!.queryTime![p]!, ownApplication.database!.queryTime![p]!), `query ${p}`).toBeLessThanOrEqual(1);
    }
    expect(metrics.database!.queryTime!.p99!).toBeGreaterThan(500);
    expect(metrics.database!.queryTime!.p99!).toBeLessThanOrEqual(1000);
    expect(metrics.application!.concurrentUsers).toBeNull();
    expect(detail).toBe('23 of 23 fields from exporters + perfpilot + configured queries');
  });

  it('counts the same block devices as the host source', async () => {
    const devices = countedDevices((await readFile('/proc/diskstats', 'utf8')).trim().split('\n').map((l) => l.trim().split(/\s+/)[2]!));
    const config = PrometheusSourceConfig.parse({ url: promUrl, preset: [], queries: { 'resources.disk.iops': 'count(node_disk_reads_completed_total{device!~"(loop|ram|zram|dm-|md|sr|fd|nbd)[0-9].*|(h|s|v|xv)d[a-z]+[0-9]+|.+[0-9]p[0-9]+"})' } });
    const { metrics } = await createPrometheusSource(config).query({ startMs: Date.now() - 5_000, endMs: Date.now() }, new AbortController().signal);
    expect(metrics.resources!.disk!.iops).toBe(devices.length);
  });

  it('gives null for an empty vector, names a rejected query, and reports all-empty as empty', async () => {
    const now = Date.now();
    const window = { startMs: now - 5_000, endMs: now };
    const partly = PrometheusSourceConfig.parse({ url: promUrl, preset: [], queries: { 'cache.hitRate': 'sum(no_such_metric_total)', 'cache.evictions': 'sum(', 'database.connections': 'vector(7)' } });
    const { metrics, detail } = await createPrometheusSource(partly).query(window, new AbortController().signal);
    expect(metrics.cache!.hitRate).toBeNull();
    expect(metrics.cache!.evictions).toBeNull();
    expect(metrics.database!.connections).toBe(7);
    expect(detail).toMatch(/^1 of 3 fields from configured queries; no data: cache\.hitRate \(no series\); cache\.evictions failed: the query was rejected: invalid parameter "query": 1:5: parse error: unclosed left parenthesis$/);
    const none = PrometheusSourceConfig.parse({ url: promUrl, preset: [], queries: { 'cache.hitRate': 'sum(no_such_metric_total)' } });
    const err = await createPrometheusSource(none).query(window, new AbortController().signal).then(() => null, (e: unknown) => e as Error & { reason: string });
    expect(err).toMatchObject({ reason: 'empty' });
  });
});

describe('Prometheus source failures', () => {
  it('reports a network failure with what to check, and keeps URL credentials out of messages', async () => {
    const port = await freePort();
    const config = PrometheusSourceConfig.parse({ url: `http://admin:s3cr3t@127.0.0.1:${port}`, retries: 1, timeout: '500ms' });
    const err = await createPrometheusSource(config).query({ startMs: 0, endMs: 300_000 }, new AbortController().signal).then(() => { throw new Error('expected a failure'); }, (e: unknown) => e as Error & { reason: string });
    expect(err.reason).toBe('network');
    expect(err.message).toBe(`cannot reach http://127.0.0.1:${port}: is Prometheus running there, and is sources.prometheus.url right? (connect ECONNREFUSED 127.0.0.1:${port})`);
    expect(err.message).not.toContain('s3cr3t');
  });

  it('sends URL credentials as basic auth, and does not retry a 401', async () => {
    const seen: (string | undefined)[] = [];
    const server = createServer((req, res) => {
      seen.push(req.headers.authorization);
      res.writeHead(401, { 'content-type': 'text/plain' });
      res.end('Unauthorized');
    });
    const url = await listen(server);
    const config = PrometheusSourceConfig.parse({ url: url.replace('http://', 'http://admin:s3cr3t@'), preset: [], queries: { 'cache.hitRate': 'vector(1)' } });
    const err = await createPrometheusSource(config).query({ startMs: 0, endMs: 300_000 }, new AbortController().signal).then(() => { throw new Error('expected a failure'); }, (e: unknown) => e as Error & { reason: string });
    await new Promise((r) => server.close(r));
    expect(seen).toEqual([`Basic ${Buffer.from('admin:s3cr3t').toString('base64')}`]);
    expect(err.reason).toBe('auth');
    expect(err.message).toBe(`401 Unauthorized — ${url} wants credentials: put them in sources.prometheus.url as http://user:password@host`);
  });
});

/** Waits until Prometheus has scraped each of its `targets` successfully at least `times` times. */
async function waitForScrapes(url: string, targets: number, times: number): Promise<void> {
  const query = encodeURIComponent(`count(sum_over_time(up[1m]) >= ${times})`);
  for (let i = 0; i < 300; i++) {
    if ((await scalar(url, query)) >= targets) return;
    await sleep(100);
  }
  throw new Error(`Prometheus at ${url} did not scrape its ${targets} targets ${times} times within 30 s`);
}

/**
 * Waits until every target's latest scrape succeeded after `afterS`. A loaded machine delays
 * scrapes, and one that times out (after the 1 s interval) marks the target's series stale.
 */
async function waitForScrapesAfter(url: string, afterS: number, targets: number): Promise<void> {
  const query = encodeURIComponent(`count(timestamp(up == 1) > ${afterS})`);
  for (let i = 0; i < 100; i++) {
    if ((await scalar(url, query)) >= targets) return;
    await sleep(100);
  }
  throw new Error(`Prometheus at ${url} did not scrape every target within 10 s after the traffic`);
}

/**
 * The first value of an instant query, or 0 while Prometheus cannot answer yet: it replies
 * 503 "Service Unavailable" (not JSON) until its storage is open.
 */
async function scalar(url: string, encodedQuery: string): Promise<number> {
  try {
    const r = await fetch(`${url}/api/v1/query?query=${encodedQuery}`);
    if (!r.ok) return 0;
    const answer = (await r.json()) as { data?: { result?: { value: [number, string] }[] } };
    return Number(answer.data?.result?.[0]?.value[1] ?? 0);
  } catch {
    return 0;
  }
}

/**
 * Disk I/O of a known size: 64 MiB written and synced, then 4000 synced 4 KiB writes, so that
 * the window's reads, writes and bytes are mostly this test's own, whatever else the machine does.
 */
async function diskWork(file: string): Promise<void> {
  const fh = await open(file, 'w');
  try {
    await fh.write(Buffer.alloc(64 << 20, 1), 0, 64 << 20, 0);
    await fh.datasync();
    const block = Buffer.alloc(4096, 2);
    for (let i = 0; i < 4000; i++) {
      await fh.write(block, 0, block.length, i * block.length);
      await fh.datasync();
    }
  } finally {
    await fh.close();
  }
}

/** Two sessions that lock two rows in opposite order: PostgreSQL aborts one with a deadlock. */
async function deadlock(url: string): Promise<void> {
  const [a, b] = [new pg.Client({ connectionString: url }), new pg.Client({ connectionString: url })];
  await Promise.all([a.connect(), b.connect()]);
  await a.query('CREATE TABLE IF NOT EXISTS locks (id int PRIMARY KEY); INSERT INTO locks VALUES (1), (2) ON CONFLICT DO NOTHING');
  await a.query('BEGIN; UPDATE locks SET id = id WHERE id = 1');
  await b.query('BEGIN; UPDATE locks SET id = id WHERE id = 2');
  const r = await Promise.allSettled([a.query('UPDATE locks SET id = id WHERE id = 2'), b.query('UPDATE locks SET id = id WHERE id = 1')]);
  expect(r.filter((x) => x.status === 'rejected').map((x) => (x as PromiseRejectedResult).reason.code)).toEqual(['40P01']);
  await Promise.all([a.query('ROLLBACK'), b.query('ROLLBACK')]);
  await Promise.all([a.end(), b.end()]);
}

function within(a: number, b: number, fraction: number): boolean {
  return Math.abs(a - b) <= fraction * Math.max(Math.abs(a), Math.abs(b));
}

const BOUNDS_MS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];
/**
 * How many /metrics histogram buckets apart two durations are. histogram_quantile interpolates
 * inside a bucket and ranks by q × n, DDSketch by q × (n − 1): at a bucket's edge the two may
 * land in neighbouring buckets, so agreement is "at most one bucket apart".
 */
function bucketsApart(aMs: number, bMs: number): number {
  const bucket = (v: number) => BOUNDS_MS.findIndex((b) => v <= b * 1.01);
  return Math.abs(bucket(aMs) - bucket(bMs));
}
