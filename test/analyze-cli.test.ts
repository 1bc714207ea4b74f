import { spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, cliArgs, runCli, type CliResult } from './support/cli.js';
import { freePort, waitForPort } from './support/ports.js';
import { createScratchDatabase, type ScratchDatabase } from './support/postgres.js';
import { startRedis, type PrivateRedis } from './support/redis-server.js';
import { missingProgram } from './support/require.js';
import { sleep } from '../src/util/sleep.js';

/** busy = user + system, idle = idle: 200 of 1000 ticks at first. */
const CPU_IDLE = 'cpu  100 0 100 800 0 0 0 0 0 0\n';
/** 950 more busy ticks out of 1000: 95 % between the two samples. */
const CPU_BUSY = 'cpu  1050 0 100 850 0 0 0 0 0 0\n';

describe.skipIf(missingProgram('redis-server') !== null || missingProgram('psql') !== null)('perfpilot analyze', () => {
  let dir: string;
  let proc: string;
  let config: string;
  let redis: PrivateRedis;
  let pg: ScratchDatabase;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'perfpilot-analyze-'));
    // A /proc the test controls, so the CPU reading is known; memory and disks are this machine's.
    proc = join(dir, 'proc');
    await mkdir(proc);
    await copyFile('/proc/meminfo', join(proc, 'meminfo'));
    await copyFile('/proc/diskstats', join(proc, 'diskstats'));
    redis = await startRedis();
    pg = await createScratchDatabase('perfpilot_analyze');
    config = join(dir, 'perfpilot.yaml');
    await writeFile(config, [
      'environment: gate',
      'interval: 1s',
      `store: { path: ${join(dir, 'data', 'perfpilot.db')} }`,
      'sources:',
      `  host: { procPath: ${proc}, cgroupPath: ${join(dir, 'no-cgroup')} }`,
      `  redis: { url: "${redis.url}" }`,
      `  postgres: { url: "${pg.url}" }`,
    ].join('\n'));
    await redis.client.set('known', 'v');
  });
  afterAll(async () => {
    await redis.stop();
    await pg.drop();
    await rm(dir, { recursive: true, force: true });
  });

  /** Resolves once perfpilot's own Redis client has connected, i.e. its first sample is being taken. */
  async function perfpilotConnected(): Promise<void> {
    for (;;) {
      const list = (await redis.client.client('LIST')) as string;
      if (list.trim().split('\n').length >= 2) return;
      await sleep(50);
    }
  }

  /** `analyze --window 3s` with the traffic (and CPU) of its window played after its first sample. */
  async function analyzeWith(hits: number, misses: number, cpu: string, extra: string[] = []): Promise<CliResult> {
    await writeFile(join(proc, 'stat'), CPU_IDLE);
    const run = runCli(['analyze', '--window', '3s', '--config', config, ...extra]);
    await perfpilotConnected();
    await sleep(300);
    await writeFile(join(proc, 'stat'), cpu);
    for (let i = 0; i < hits; i++) await redis.client.get('known');
    for (let i = 0; i < misses; i++) await redis.client.get(`missing:${i}`);
    return run;
  }

  it('exits 0 when healthy, and lists the rules with no data', async () => {
    const r = await analyzeWith(10, 0, CPU_IDLE);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^status: HEALTHY {2}\(environment gate, window .* collected now/);
    expect(r.stdout).toContain('no issues');
    expect(r.stdout).toContain('no data (not evaluated): high_latency (application.responseTime.p99)');
  });

  it('exits 1 on warning: a hit rate of 0.5, with its recommendation', async () => {
    const r = await analyzeWith(5, 5, CPU_IDLE);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^status: WARNING/);
    expect(r.stdout).toMatch(/medium\s+low_cache_hit_rate\s+cache\.hitRate = 50 %\s+The cache hit rate is low\.\s+Review the cache keys, TTLs and eviction policy\./);
    // The ranked recommendations, from the evidence too: Redis at its default noeviction with a key without TTL.
    expect(r.stdout).toMatch(/\npriority\s+recommendation\s+impact\s+effort\nmedium\s+Redis uses maxmemory-policy noeviction while 1 keys have no TTL, so it cannot evict them\. Switch to allkeys-lru \(or set TTLs on those keys\)\.\s+Cold keys are evicted first, so hot keys stay cached and the hit rate recovers\.\s+low\nmedium\s+Set TTLs on the 1 cache keys that have none\.\s+\S.*medium\nmedium\s+Review the caching strategy: .*medium\n/);
    // max_connections is evidence too: the connections rule has data.
    expect(r.stdout).not.toContain('db_connections_near_max (database.connections.ratioOfMax)');
  });

  it('exits 2 on critical: CPU at 95 %, and --json prints the analysis', async () => {
    const r = await analyzeWith(10, 0, CPU_BUSY, ['--json']);
    expect(r.code).toBe(2);
    const analysis = JSON.parse(r.stdout);
    expect(analysis.status).toBe('critical');
    expect(analysis.environment).toBe('gate');
    expect(analysis.issues.map((i: { type: string }) => i.type)).toContain('high_cpu_usage');
    expect(analysis.issues.find((i: { type: string }) => i.type === 'high_cpu_usage').metrics['resources.cpu.usage']).toBe(95);
  });

  it('reads the store when `start` has been collecting', async () => {
    await writeFile(join(proc, 'stat'), CPU_IDLE);
    const port = await freePort();
    const start = spawn(process.execPath, cliArgs(['start', '--config', config, '--port', String(port)]), { cwd: ROOT, stdio: 'ignore' });
    try {
      await waitForPort(port, 30_000);
      for (let i = 0; i < 3; i++) await redis.client.get(`missing:store:${i}`);
      await sleep(3_500);
      const r = await runCli(['analyze', '--window', '2s', '--config', config]);
      expect(r.stdout).toContain('from the samples `perfpilot start` stored in');
      expect(r.code).toBe(0);
      // The evidence comes from the stored samples too: max_connections gives the connections rule its data.
      expect(r.stdout).not.toContain('db_connections_near_max (database.connections.ratioOfMax)');
      expect(r.stdout).toContain('no data (not evaluated): ');
    } finally {
      const exited = new Promise((resolve) => start.once('exit', resolve));
      start.kill('SIGTERM');
      await exited;
    }
  });

  it('rejects a malformed --window with exit 64', async () => {
    const r = await runCli(['analyze', '--window', 'soon', '--config', config]);
    expect(r.code).toBe(64);
    expect(r.stderr).toContain('--window: got "soon"');
  });
});
