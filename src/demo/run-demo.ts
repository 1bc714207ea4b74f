import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { createApp, type App } from '../app.js';
import { loadConfig } from '../config/load.js';
import { createLogger } from '../log.js';
import { createDemoDatabase, PRODUCTS, type DemoDatabase } from './demo-database.js';
import { startLoad, type Load } from './load-generator.js';
import { startPrivateRedis, type PrivateRedis } from './private-redis.js';
import { demoScenario, INITIAL_REDIS, runScenario, type ScenarioStep } from './scenario.js';
import { startShop, type Shop } from './shop-service.js';

export interface DemoOptions {
  /** PostgreSQL to create the demo's database in (it is dropped at the end). */
  readonly adminDatabaseUrl: string;
  /** 0: any free port. */
  readonly port: number;
  /** Time between the scenario's steps. */
  readonly phaseMs: number;
  readonly onStep: (step: ScenarioStep) => void;
  /** Called with each notification the log channel delivers. */
  readonly onAlert: (summary: string) => void;
}

export interface Demo {
  readonly dashboardUrl: string;
  readonly token: string;
  readonly shopUrl: string;
  readonly logFile: string;
  /** The demo's own database and Redis, both removed by `stop`. */
  readonly databaseName: string;
  readonly redisUrl: string;
  /** Stops everything, drops the database, stops the private Redis and removes the temp folder. */
  stop(): Promise<void>;
}

/** perfpilot's configuration for the demo: every source, a log channel, the Redis as target. */
function demoConfig(dir: string, port: number, redis: PrivateRedis, database: DemoDatabase, shop: Shop) {
  return {
    environment: 'demo',
    interval: '2s',
    window: '30s',
    server: { host: '127.0.0.1', port },
    store: { path: join(dir, 'perfpilot.db'), retention: '1d' },
    sources: {
      host: {},
      redis: { url: redis.url },
      postgres: { url: database.url, slowQueryMs: 500 },
      app: { targets: [shop.metricsUrl] },
    },
    alerts: { channels: [{ name: 'log', type: 'log' }] },
    // A plan reads each sampled key's PTTL and OBJECT IDLETIME, and Redis counts both as
    // keyspace hits. Plans leave them out of their own readings, but the redis source's chart
    // counts them: a plan after the apply would put the default 1000 keys' 2000 "hits" into a
    // 30 s window of the shop's ~1000 reads, as if the hit rate rose by itself.
    optimize: { targets: [{ type: 'redis', url: redis.url }], cooldown: '30s', verifyWindow: '20s', sample: { maxKeys: 50 } },
  };
}

/** A log destination that keeps every line in a file and reports "Alert sent" events. */
function logSink(file: string, onAlert: (summary: string) => void) {
  const out = createWriteStream(file, { flags: 'a' });
  return {
    write(line: string) {
      out.write(line);
      if (!line.includes('"Alert sent"')) return;
      const event = JSON.parse(line) as { status?: string; alerts?: { labels?: Record<string, string> }[] };
      const names = [...new Set((event.alerts ?? []).map((a) => a.labels?.alertname ?? '?'))].join(', ');
      onAlert(`${event.status ?? ''} ${names}`.trim());
    },
    end: () => new Promise<void>((resolve) => out.end(resolve)),
  };
}

/**
 * The demo's load keeps a small machine's CPU busy: it silences that alert through the API,
 * as an operator would, so the alerts that matter stand out.
 */
async function silenceOwnLoad(url: string, token: string): Promise<void> {
  const res = await fetch(`${url}/api/v1/silences`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ matchers: ['alertname=high_cpu_usage', 'environment=demo'], duration: '2h', createdBy: 'perfpilot demo', comment: "the demo's own load keeps this machine's CPU busy" }),
  });
  if (!res.ok) throw new Error(`could not set the demo's silence: ${res.status} ${await res.text()}`);
}

/**
 * The latest plan is kept for 5 min before it is made again; once the stack has degraded the
 * demo asks for a new one through the API, so the proposal shows within seconds.
 */
async function planNow(url: string, token: string): Promise<void> {
  const res = await fetch(`${url}/api/v1/optimize/plans`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: '{}',
  });
  await res.arrayBuffer();
}

/**
 * `perfpilot demo`: a private Redis, a scratch database, an instrumented shop under load,
 * and perfpilot monitoring them, while a scenario degrades the stack step by step.
 */
export async function startDemo(options: DemoOptions): Promise<Demo> {
  const cleanups: (() => Promise<unknown>)[] = [];
  const cleanup = async () => {
    for (const step of cleanups.reverse()) await step().catch(() => undefined);
  };
  try {
    const dir = await mkdtemp(join(tmpdir(), 'perfpilot-demo-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const redis = await startPrivateRedis(INITIAL_REDIS);
    cleanups.push(() => redis.stop());
    const database = await createDemoDatabase(options.adminDatabaseUrl);
    cleanups.push(() => database.drop());
    const shop = await startShop({ databaseUrl: database.url, redisUrl: redis.url, environment: 'demo' });
    cleanups.push(() => shop.close());
    await writeFile(join(dir, 'perfpilot.yaml'), dump(demoConfig(dir, options.port, redis, database, shop)));
    const logFile = join(dir, 'perfpilot.log');
    const sink = logSink(logFile, options.onAlert);
    cleanups.push(() => sink.end());
    const loaded = await loadConfig({ cwd: dir, env: {}, probe: false });
    const app: App = await createApp(loaded, createLogger({ destination: sink }));
    cleanups.push(() => app.close());
    const url = (await app.start()).replace('localhost', '127.0.0.1');
    await silenceOwnLoad(url, app.tokens.tokens.write);
    const load: Load = startLoad({ baseUrl: shop.url, products: PRODUCTS });
    cleanups.push(() => load.stop());
    const scenario = new AbortController();
    const steps = demoScenario(shop, redis.url, options.phaseMs);
    const story = runScenario(steps, (step) => {
      options.onStep(step);
      if (step === steps.at(-1)) void planNow(url, app.tokens.tokens.write).catch(() => undefined);
    }, scenario.signal);
    cleanups.push(() => story);
    cleanups.push(async () => scenario.abort());
    return {
      dashboardUrl: `${url}/`,
      token: app.tokens.tokens.write,
      shopUrl: shop.url,
      logFile,
      databaseName: database.name,
      redisUrl: redis.url,
      stop: cleanup,
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
