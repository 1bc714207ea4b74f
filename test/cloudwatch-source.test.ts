import type { ChildProcess } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudWatchClient, PutMetricDataCommand, type MetricDatum } from '@aws-sdk/client-cloudwatch';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchSourceConfig } from '../src/config/sources/cloudwatch.js';
import { loadConfig } from '../src/config/load.js';
import { ConfigError } from '../src/errors.js';
import { createCloudWatchSource } from '../src/sources/cloudwatch.js';
import { queryTimes } from '../src/sources/cloudwatch/period.js';
import { SourceError, type QueriedSource } from '../src/sources/source.js';
import { freePort } from './support/ports.js';
import { startProgram } from './support/program.js';
import { missingProgram } from './support/require.js';
import { closeServer, listen } from './support/listen.js';
import { runCli } from './support/cli.js';

Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1' });
delete process.env.AWS_PROFILE;

const MIN = 60_000;
/** A five-minute window ending on the last whole minute. */
const END = Math.floor(Date.now() / MIN) * MIN;
const WINDOW = { startMs: END - 5 * MIN, endMs: END };
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
/** What the status says was read for WINDOW with the default delay of 3m: [END − 8m, END − 3m]. */
const READ_DEFAULT = `read ${iso(END - 8 * MIN)} to ${iso(END - 3 * MIN)} (the window moved back 3m and down to whole periods: CloudWatch publishes datapoints minutes late)`;

function source(endpoint: string, dimensions: unknown, extra: Record<string, unknown> = {}): QueriedSource {
  const config = CloudWatchSourceConfig.parse({ endpoint, dimensions: { prod: dimensions }, ...extra });
  return createCloudWatchSource(config, { environment: 'prod' });
}

async function queryError(src: QueriedSource): Promise<SourceError> {
  const err = await src.query(WINDOW, new AbortController().signal).then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(SourceError);
  return err as SourceError;
}

describe('CloudWatch period rules', () => {
  it('uses one period over the whole window, a multiple of the granularity the age allows', () => {
    const now = Date.parse('2026-11-27T01:05:30Z');
    expect(queryTimes({ startMs: Date.parse('2026-11-27T01:00:00Z'), endMs: Date.parse('2026-11-27T01:05:00Z') }, now))
      .toEqual({ startS: Date.parse('2026-11-27T01:00:00Z') / 1000, endS: Date.parse('2026-11-27T01:05:00Z') / 1000, windowPeriodS: 300, latestPeriodS: 60 });
    // GetMetricData's rule for the start's age: up to 15 days a multiple of 60 s, 15 to 63 days
    // of 300 s, beyond 63 days of 3600 s; the end is rounded down to that unit.
    const day = 86_400_000;
    const at = (ageDays: number, lengthMs: number) => queryTimes({ startMs: now - ageDays * day, endMs: now - ageDays * day + lengthMs }, now);
    expect(at(14.9, 10 * MIN).latestPeriodS).toBe(60);
    const t20 = at(20, 12 * MIN);
    expect([t20.latestPeriodS, t20.windowPeriodS % 300, t20.endS % 300]).toEqual([300, 0, 0]);
    expect(at(62.9, 10 * MIN).latestPeriodS).toBe(300);
    const t100 = at(100, 3_600_000);
    expect([t100.latestPeriodS, t100.windowPeriodS % 3600, t100.endS % 3600]).toEqual([3600, 0, 0]);
    // A window shorter than the unit is widened to one period.
    const t500 = at(500, 30 * MIN);
    expect([t500.latestPeriodS, t500.windowPeriodS, t500.endS % 3600]).toEqual([3600, 3600, 0]);
  });
});

describe('CloudWatch delay', () => {
  const at = (t: string) => Date.parse(`2026-11-27T${t}Z`);
  const now = at('01:05:30');

  it('moves the window back by the delay and down to whole minutes, keeping its length', () => {
    expect(queryTimes({ startMs: at('01:00:20'), endMs: at('01:05:20') }, now, 150_000))
      .toEqual({ startS: at('00:57:00') / 1000, endS: at('01:02:00') / 1000, windowPeriodS: 300, latestPeriodS: 60 });
    expect(queryTimes({ startMs: at('01:00:00'), endMs: at('01:05:00') }, now, 180_000))
      .toEqual({ startS: at('00:57:00') / 1000, endS: at('01:02:00') / 1000, windowPeriodS: 300, latestPeriodS: 60 });
    // No delay: the window as asked, its end rounded down to the minute.
    expect(queryTimes({ startMs: at('01:00:20'), endMs: at('01:05:20') }, now, 0))
      .toEqual({ startS: at('01:00:00') / 1000, endS: at('01:05:00') / 1000, windowPeriodS: 300, latestPeriodS: 60 });
  });

  it('applies the period rules to the moved window\'s start', () => {
    const day = 86_400_000;
    const window = { startMs: now - 15 * day + 2 * MIN, endMs: now - 15 * day + 7 * MIN };
    expect(queryTimes(window, now, 0).latestPeriodS).toBe(60);
    // Moved back 3m, the start is over 15 days old: only multiples of 300 s have datapoints.
    const moved = queryTimes(window, now, 180_000);
    expect([moved.latestPeriodS, moved.windowPeriodS, moved.endS % 300]).toEqual([300, 300, 0]);
    // Rounding the end down can push the start past 15 days too: then the coarser unit is used.
    const rounded = queryTimes({ startMs: now - 15 * day + 20_000, endMs: now - 15 * day + 5 * MIN + 20_000 }, now, 0);
    expect(Math.floor(now / 1000) - rounded.startS).toBeGreaterThan(15 * 86_400);
    expect([rounded.latestPeriodS, rounded.startS % 300]).toEqual([300, 0]);
  });

  it('defaults to 3m and accepts 0s', () => {
    expect(CloudWatchSourceConfig.parse({}).delay).toBe(180_000);
    expect(CloudWatchSourceConfig.parse({ delay: '0s' }).delay).toBe(0);
    expect(CloudWatchSourceConfig.parse({ delay: '10m' }).delay).toBe(600_000);
  });

  it('refuses a bad delay at load with exit code 78, naming sources.cloudwatch.delay', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'perfpilot-cw-delay-'));
    try {
      for (const bad of ['-1m', 'soon', '5 minutes']) {
        await writeFile(join(dir, 'perfpilot.yaml'), `sources:\n  cloudwatch: { delay: "${bad}" }\n`);
        const err = await loadConfig({ cwd: dir, env: {}, probe: false }).then(() => null, (e: unknown) => e);
        expect(err).toBeInstanceOf(ConfigError);
        expect((err as ConfigError).exitCode).toBe(78);
        expect((err as ConfigError).message).toMatch(new RegExp(`sources\\.cloudwatch\\.delay: got "${bad}"; expected a duration such as "0s", "30s", "5m"$`));
      }
      const cli = await runCli(['sources', 'test', '--config', join(dir, 'perfpilot.yaml')]);
      expect(cli.code).toBe(78);
      expect(cli.stderr).toContain('sources.cloudwatch.delay: got "5 minutes"');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(missingProgram('moto_server') !== null)('CloudWatch source against moto_server', () => {
  let moto: ChildProcess;
  let endpoint: string;

  beforeAll(async () => {
    const port = await freePort();
    moto = await startProgram('moto_server', ['-H', '127.0.0.1', '-p', String(port)], port, { timeoutMs: 30_000 });
    endpoint = `http://127.0.0.1:${port}`;
    const seed = new CloudWatchClient({ region: 'us-east-1', endpoint });
    // Read with the default delay of 3m: the window is [END − 8m, END − 3m].
    const at = (minutesBeforeEnd: number) => new Date(END - 3 * MIN - minutesBeforeEnd * MIN + 5_000);
    const put = (Namespace: string, MetricData: MetricDatum[]) => seed.send(new PutMetricDataCommand({ Namespace, MetricData }));
    const cache = [{ Name: 'CacheClusterId', Value: 'shop-001' }];
    await put('AWS/ElastiCache', [
      { MetricName: 'CacheHits', Dimensions: cache, Timestamp: at(4), Value: 50 },
      { MetricName: 'CacheHits', Dimensions: cache, Timestamp: at(2), Value: 30 },
      { MetricName: 'CacheMisses', Dimensions: cache, Timestamp: at(3), Value: 20 },
      { MetricName: 'Evictions', Dimensions: cache, Timestamp: at(3), Value: 7 },
      { MetricName: 'BytesUsedForCache', Dimensions: cache, Timestamp: at(4), Value: 1_000 },
      { MetricName: 'BytesUsedForCache', Dimensions: cache, Timestamp: at(1), Value: 4_000_000 },
      { MetricName: 'DatabaseMemoryUsagePercentage', Dimensions: cache, Timestamp: at(1), Value: 25 },
      // Outside the window read: must not count. The first lies in the window asked for, in
      // minutes CloudWatch would not have published yet; the second is older than the window read.
      { MetricName: 'CacheHits', Dimensions: cache, Timestamp: new Date(END - 2 * MIN + 5_000), Value: 1_000 },
      { MetricName: 'CacheMisses', Dimensions: cache, Timestamp: new Date(END - 9 * MIN + 5_000), Value: 1_000 },
    ]);
    const db = [{ Name: 'DBClusterIdentifier', Value: 'shop-db' }];
    await put('AWS/RDS', [
      { MetricName: 'DatabaseConnections', Dimensions: db, Timestamp: at(3), Value: 90 },
      { MetricName: 'DatabaseConnections', Dimensions: db, Timestamp: at(1), Value: 42 },
      // Deadlocks is a per-second rate: an average of 0.01/s over 300 s is 3 deadlocks.
      { MetricName: 'Deadlocks', Dimensions: db, Timestamp: at(4), StatisticValues: { SampleCount: 4, Sum: 0.04, Minimum: 0, Maximum: 0.02 } },
    ]);
    await put('AWS/EC2', [
      { MetricName: 'CPUUtilization', Dimensions: [{ Name: 'InstanceId', Value: 'i-1' }], Timestamp: at(4), Value: 10 },
      { MetricName: 'CPUUtilization', Dimensions: [{ Name: 'InstanceId', Value: 'i-1' }], Timestamp: at(2), Value: 30 },
      { MetricName: 'CPUUtilization', Dimensions: [{ Name: 'InstanceId', Value: 'i-2' }], Timestamp: at(3), StatisticValues: { SampleCount: 3, Sum: 180, Minimum: 50, Maximum: 70 } },
    ]);
    seed.destroy();
  });

  afterAll(() => {
    moto?.kill('SIGKILL');
  });

  it('fills cache, database and cpu from Sum, Average and SampleCount over the window', async () => {
    const src = source(endpoint, {
      elastiCache: { CacheClusterId: 'shop-001' },
      rds: { DBClusterIdentifier: 'shop-db' },
      ec2: { InstanceId: ['i-1', 'i-2', 'i-none'] },
    });
    const { metrics, detail } = await src.query(WINDOW, new AbortController().signal);
    await src.close?.();
    expect(metrics.cache).toEqual({ hitRate: 0.8, missRate: 0.2, evictions: 7, memory: { used: 4_000_000, available: 12_000_000 } });
    expect(metrics.database).toEqual({ connections: 42, deadlocks: 3 });
    // i-1 averages 20 over its two datapoints, i-2 averages 180 / 3 = 60, i-none has none.
    expect(metrics.resources).toEqual({ cpu: { usage: 40 } });
    expect(metrics.application).toEqual({ responseTime: { p50: null, p90: null, p99: null }, errorRate: null, throughput: null });
    expect(detail).toBe(`${READ_DEFAULT}; 9 of 10 metrics had data over 300 s in 1 call; no data: CPUUtilization`);
  });

  it('reports an empty result, not zeros, when the resources have no data', async () => {
    const err = await queryError(source(endpoint, { elastiCache: { CacheClusterId: 'nope' } }));
    expect(err.reason).toBe('empty');
    expect(err.message).toBe(`CloudWatch has no datapoints for any of the 5 metrics of "prod" in ${READ_DEFAULT.slice('read '.length)}: check the dimensions name existing resources in us-east-1 that were active then`);
  });

  it('says which dimensions are missing for the environment', async () => {
    for (const dimensions of [{ staging: { rds: { DBInstanceIdentifier: 'db' } } }, { prod: {} }]) {
      const err = await queryError(createCloudWatchSource(CloudWatchSourceConfig.parse({ endpoint, dimensions }), { environment: 'prod' }));
      expect(err.reason).toBe('not_found');
      expect(err.message).toBe('no AWS resources are set for environment "prod": add sources.cloudwatch.dimensions.prod (apiGateway, rds, elastiCache, ec2 or ecs)');
    }
  });
});

/** A local server answering GetMetricData in the protocol the installed SDK speaks: awsJson1_0. */
interface WireCall { readonly target: string; readonly body: { MetricDataQueries: { Id: string; MetricStat: { Period: number; Stat: string } }[]; StartTime: number; EndTime: number; NextToken?: string } }
type Answer = (call: WireCall, n: number) => { status?: number; headers?: Record<string, string>; body?: unknown } | 'hang';

async function wireServer(answer: Answer): Promise<{ endpoint: string; calls: WireCall[]; close(): Promise<void> }> {
  const calls: WireCall[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    req.on('data', (d) => (raw += d));
    req.on('end', () => {
      const call = { target: String(req.headers['x-amz-target']), body: JSON.parse(raw) };
      calls.push(call);
      const a = answer(call, calls.length);
      if (a === 'hang') return;
      res.writeHead(a.status ?? 200, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': `req-${calls.length}`, ...a.headers });
      res.end(JSON.stringify(a.body ?? {}));
    });
  });
  return { endpoint: await listen(server), calls, close: () => closeServer(server) };
}

const s = (ms: number) => ms / 1000;

describe('CloudWatch source against a local server in the awsJson1_0 wire protocol', () => {
  it('reads percentiles, matches results by Id out of order, and follows NextToken through PartialData', async () => {
    const newest = s(END - MIN);
    const wire = await wireServer((call, n) => {
      if (n === 1) {
        expect(call.body.NextToken).toBeUndefined();
        return { body: {
          MetricDataResults: [
            { Id: 'db_connections', Label: 'DatabaseConnections', Timestamps: [newest, newest - 60], Values: [17, 25], StatusCode: 'PartialData' },
            { Id: 'api_count', Timestamps: [s(WINDOW.startMs)], Values: [1500], StatusCode: 'Complete' },
            { Id: 'api_errors', Timestamps: [s(WINDOW.startMs)], Values: [0.02], StatusCode: 'Complete' },
            { Id: 'api_p99', Timestamps: [s(WINDOW.startMs)], Values: [870.5], StatusCode: 'Complete' },
            { Id: 'api_p90', Timestamps: [s(WINDOW.startMs)], Values: [240], StatusCode: 'Complete' },
            { Id: 'api_p50', Timestamps: [s(WINDOW.startMs)], Values: [35.25], StatusCode: 'Complete' },
            { Id: 'db_deadlocks', Timestamps: [], Values: [], StatusCode: 'Complete' },
          ],
          NextToken: 'page-2',
          Messages: [],
        } };
      }
      expect(call.body.NextToken).toBe('page-2');
      return { body: { MetricDataResults: [{ Id: 'db_connections', Timestamps: [newest - 180, newest - 120], Values: [30, 31], StatusCode: 'Complete' }] } };
    });
    // delay 0s: the window as asked, as before there was a delay.
    const src = source(wire.endpoint, { apiGateway: { ApiName: 'shop', Stage: 'prod' }, rds: { DBInstanceIdentifier: 'shop-db-1' } }, { delay: '0s' });
    const { metrics, detail } = await src.query(WINDOW, new AbortController().signal);
    await wire.close();
    expect(wire.calls).toHaveLength(2);
    expect(wire.calls[0]!.target).toBe('GraniteServiceVersion20100801.GetMetricData');
    expect([wire.calls[0]!.body.StartTime, wire.calls[0]!.body.EndTime]).toEqual([s(WINDOW.startMs), s(WINDOW.endMs)]);
    expect(wire.calls[0]!.body.MetricDataQueries.map((q) => `${q.Id}:${q.MetricStat.Stat}/${q.MetricStat.Period}`)).toEqual([
      'api_p50:p50/300', 'api_p90:p90/300', 'api_p99:p99/300', 'api_errors:Average/300', 'api_count:Sum/300',
      'db_connections:Average/60', 'db_deadlocks:Average/300',
    ]);
    // A REST API by ApiName and Stage (no Environment dimension: API Gateway has none).
    const metric = (id: string) => (wire.calls[0]!.body.MetricDataQueries.find((q) => q.Id === id)!.MetricStat as unknown as { Metric: unknown }).Metric;
    const restApi = [{ Name: 'ApiName', Value: 'shop' }, { Name: 'Stage', Value: 'prod' }];
    expect([metric('api_p99'), metric('api_errors'), metric('api_count')]).toEqual([
      { Namespace: 'AWS/ApiGateway', MetricName: 'Latency', Dimensions: restApi },
      { Namespace: 'AWS/ApiGateway', MetricName: '5XXError', Dimensions: restApi },
      { Namespace: 'AWS/ApiGateway', MetricName: 'Count', Dimensions: restApi },
    ]);
    expect(metric('db_deadlocks')).toEqual({ Namespace: 'AWS/RDS', MetricName: 'Deadlocks', Dimensions: [{ Name: 'DBInstanceIdentifier', Value: 'shop-db-1' }] });
    expect(metrics.application).toEqual({ responseTime: { p50: 35.25, p90: 240, p99: 870.5 }, errorRate: 0.02, throughput: 5 });
    expect(metrics.database).toEqual({ connections: 17, deadlocks: null });
    expect(detail).toBe(`read ${iso(WINDOW.startMs)} to ${iso(WINDOW.endMs)}; 6 of 7 metrics had data over 300 s in 2 calls; no data: Deadlocks`);
  });

  it('sends StartTime and EndTime moved back by the delay and aligned to whole minutes, on every page and call', async () => {
    const answer: Answer = (call, n) => ({ body: {
      MetricDataResults: call.body.MetricDataQueries.map((q) => ({ Id: q.Id, Timestamps: [call.body.StartTime], Values: [120], StatusCode: 'Complete' })),
      ...(n === 1 ? { NextToken: 'page-2' } : {}),
    } });
    const sent = (w: { calls: WireCall[] }) => w.calls.map((c) => [c.body.StartTime, c.body.EndTime]);

    // The default, 3m: [END − 5m, END] is read as [END − 8m, END − 3m].
    const byDefault = await wireServer(answer);
    const read = await source(byDefault.endpoint, { apiGateway: { ApiName: 'shop', Stage: 'prod' } }).query(WINDOW, new AbortController().signal);
    await byDefault.close();
    expect(sent(byDefault)).toEqual([[s(END - 8 * MIN), s(END - 3 * MIN)], [s(END - 8 * MIN), s(END - 3 * MIN)]]);
    expect(byDefault.calls[0]!.body.MetricDataQueries.map((q) => q.MetricStat.Period)).toEqual([300, 300, 300, 300, 300]);
    // Count 240 (two pages of 120) over the 300 s read.
    expect(read.metrics.application!.throughput).toBe(0.8);
    expect(read.detail).toBe(`${READ_DEFAULT}; 5 of 5 metrics had data over 300 s in 2 calls`);

    // 90s from a window that ends 20 s past a minute: END + 20 s − 90 s, down to the minute, is END − 2m.
    const unaligned = await wireServer(answer);
    const { detail } = await source(unaligned.endpoint, { rds: { DBInstanceIdentifier: 'shop-db-1' } }, { delay: '90s' })
      .query({ startMs: WINDOW.startMs + 20_000, endMs: WINDOW.endMs + 20_000 }, new AbortController().signal);
    await unaligned.close();
    expect(sent(unaligned)).toEqual([[s(END - 7 * MIN), s(END - 2 * MIN)], [s(END - 7 * MIN), s(END - 2 * MIN)]]);
    expect(unaligned.calls[0]!.body.MetricDataQueries.map((q) => `${q.Id}/${q.MetricStat.Period}`)).toEqual(['db_connections/60', 'db_deadlocks/300']);
    expect(detail).toBe(`read ${iso(END - 7 * MIN)} to ${iso(END - 2 * MIN)} (the window moved back 90s and down to whole periods: CloudWatch publishes datapoints minutes late); 2 of 2 metrics had data over 300 s in 2 calls`);
  });

  it('reports data CloudWatch still marks partial, and reads HTTP APIs\' error rate as 5xx Sum ÷ Count Sum by ApiId', async () => {
    const sums: Record<string, number> = { api_errors: 6, api_count: 400 };
    const wire = await wireServer((call) => ({ body: {
      MetricDataResults: call.body.MetricDataQueries.map((q) => ({ Id: q.Id, Timestamps: [s(WINDOW.startMs)], Values: [sums[q.Id] ?? 1], StatusCode: q.Id === 'api_count' ? 'PartialData' : 'Complete' })),
      Messages: [{ Code: 'MaxMetricsExceeded', Value: 'The maximum number of datapoints was exceeded' }],
    } }));
    const src = source(wire.endpoint, { apiGateway: { ApiId: 'a1b2c3', Stage: '$default' } });
    const { metrics, detail } = await src.query(WINDOW, new AbortController().signal);
    await wire.close();
    const body = wire.calls[0]!.body as unknown as { MetricDataQueries: { Id: string; MetricStat: { Metric: { MetricName: string; Dimensions: unknown }; Stat: string } }[] };
    const errors = body.MetricDataQueries.find((q) => q.Id === 'api_errors')!.MetricStat;
    expect(errors).toMatchObject({ Metric: { MetricName: '5xx', Dimensions: [{ Name: 'ApiId', Value: 'a1b2c3' }, { Name: 'Stage', Value: '$default' }] }, Stat: 'Sum' });
    expect(body.MetricDataQueries.every((q) => !JSON.stringify(q.MetricStat.Metric.Dimensions).includes('Environment'))).toBe(true);
    expect(metrics.application).toEqual({ responseTime: { p50: 1, p90: 1, p99: 1 }, errorRate: 6 / 400, throughput: 400 / 300 });
    expect(detail).toBe(`${READ_DEFAULT}; 5 of 5 metrics had data over 300 s in 1 call; partial data: api_count; MaxMetricsExceeded: The maximum number of datapoints was exceeded`);
  });

  it('names metrics CloudWatch answers Forbidden for, and reports all of them forbidden as auth, not as no data', async () => {
    const forbidden = new Set(['cache_evictions', 'cache_bytes']);
    const some = await wireServer((call) => ({ body: { MetricDataResults: call.body.MetricDataQueries.map((q) => (forbidden.has(q.Id)
      ? { Id: q.Id, Timestamps: [], Values: [], StatusCode: 'Forbidden' }
      : { Id: q.Id, Timestamps: [s(WINDOW.startMs)], Values: [10], StatusCode: 'Complete' })) } }));
    const { metrics, detail } = await source(some.endpoint, { elastiCache: { CacheClusterId: 'shop-001' } }).query(WINDOW, new AbortController().signal);
    await some.close();
    expect(metrics.cache).toEqual({ hitRate: 0.5, missRate: 0.5, evictions: null, memory: { used: null, available: null } });
    expect(detail).toBe(`${READ_DEFAULT}; 3 of 5 metrics had data over 300 s in 1 call; no data: Evictions, BytesUsedForCache; forbidden: cache_evictions, cache_bytes`);

    const all = await wireServer((call) => ({ body: { MetricDataResults: call.body.MetricDataQueries.map((q) => ({ Id: q.Id, Timestamps: [], Values: [], StatusCode: 'Forbidden' })) } }));
    const err = await queryError(source(all.endpoint, { rds: { DBClusterIdentifier: 'shop-db' } }));
    await all.close();
    expect(err.reason).toBe('auth');
    expect(err.message).toBe('CloudWatch answered Forbidden for 2 of the 2 metrics of "prod": allow cloudwatch:GetMetricData on them for this principal (for another account\'s metrics, share them through CloudWatch cross-account observability)');
  });

  it('sends at most 500 queries per call', async () => {
    const ids = Array.from({ length: 620 }, (_, i) => `i-${i}`);
    // Instances 600 and above have no datapoints.
    const wire = await wireServer((call) => ({ body: {
      MetricDataResults: call.body.MetricDataQueries.map((q) => {
        const n = Number(q.Id.slice(4));
        return { Id: q.Id, Timestamps: n < 600 ? [s(WINDOW.startMs)] : [], Values: n < 600 ? [n % 2 ? 30 : 10] : [], StatusCode: 'Complete' };
      }),
    } }));
    const { metrics, detail } = await source(wire.endpoint, { ec2: { InstanceId: ids } }).query(WINDOW, new AbortController().signal);
    await wire.close();
    expect(wire.calls.map((c) => c.body.MetricDataQueries.length)).toEqual([500, 120]);
    expect(metrics.resources).toEqual({ cpu: { usage: 20 } });
    expect(detail).toBe(`${READ_DEFAULT}; 600 of 620 metrics had data over 300 s in 2 calls; no data: CPUUtilization ×20`);
  });

  it('retries throttling with back-off, then succeeds', async () => {
    const wire = await wireServer((call, n) => (n <= 2
      ? { status: 400, headers: { 'x-amzn-query-error': 'Throttling;Sender' }, body: { __type: 'com.amazonaws.cloudwatch#Throttling', message: 'Rate exceeded' } }
      : { body: { MetricDataResults: call.body.MetricDataQueries.map((q) => ({ Id: q.Id, Timestamps: [s(WINDOW.startMs)], Values: [55], StatusCode: 'Complete' })) } }));
    const { metrics } = await source(wire.endpoint, { ecs: { ClusterName: 'shop', ServiceName: 'api' } }).query(WINDOW, new AbortController().signal);
    await wire.close();
    expect(wire.calls).toHaveLength(3);
    expect(metrics.resources).toEqual({ cpu: { usage: 55 } });
  });

  it('does not retry rejected credentials, and says what to check without leaking them', async () => {
    const wire = await wireServer(() => ({ status: 403, headers: { 'x-amzn-query-error': 'InvalidClientTokenId;Sender' }, body: { __type: 'com.amazonaws.cloudwatch#InvalidClientTokenId', message: 'The security token included in the request is invalid.' } }));
    const err = await queryError(source(wire.endpoint, { ecs: { ClusterName: 'shop', ServiceName: 'api' } }));
    await wire.close();
    expect(wire.calls).toHaveLength(1);
    expect(err.reason).toBe('auth');
    expect(err.message).toBe('AWS rejected the credentials (InvalidClientTokenId): check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE, and the region us-east-1');
  });

  it('says which credentials to set when the standard AWS chain finds none, without sending a request', async () => {
    const saved = { ...process.env };
    for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', 'AWS_CONTAINER_CREDENTIALS_FULL_URI']) delete process.env[k];
    // No shared files and no instance metadata: the chain ends at once instead of asking 169.254.169.254.
    Object.assign(process.env, { AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials', AWS_CONFIG_FILE: '/nonexistent/config', AWS_EC2_METADATA_DISABLED: 'true' });
    const wire = await wireServer(() => ({ body: {} }));
    try {
      const err = await queryError(source(wire.endpoint, { ecs: { ClusterName: 'shop', ServiceName: 'api' } }, { retries: 0 }));
      expect(wire.calls).toHaveLength(0);
      expect(err.reason).toBe('auth');
      expect(err.message).toBe('no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or run on a role (the standard AWS chain)');
    } finally {
      await wire.close();
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    }
  });

  it('times out each attempt, retries, then reports a timeout', async () => {
    const wire = await wireServer(() => 'hang');
    const err = await queryError(source(wire.endpoint, { ecs: { ClusterName: 'shop', ServiceName: 'api' } }, { timeout: '300ms', retries: 1 }));
    await wire.close();
    expect(wire.calls).toHaveLength(2);
    expect(err.reason).toBe('timeout');
    expect(err.message).toMatch(new RegExp(`^${wire.endpoint.replace(/\./g, '\\.')} did not answer in time: CloudWatch GetMetricData timed out after 300 ms`));
  });

  it('reports a network failure when nothing listens', async () => {
    const port = await freePort();
    const err = await queryError(source(`http://127.0.0.1:${port}`, { ecs: { ClusterName: 'shop', ServiceName: 'api' } }, { retries: 0 }));
    expect(err.reason).toBe('network');
    expect(err.message).toBe(`cannot reach http://127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}`);
  });
});
