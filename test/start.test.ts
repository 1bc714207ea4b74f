import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, cliArgs, runCli } from './support/cli.js';
import { freePort, waitForPort } from './support/ports.js';
import { startRedis, type PrivateRedis } from './support/redis-server.js';
import { missingProgram } from './support/require.js';
import { sleep } from '../src/util/sleep.js';

describe.skipIf(missingProgram('redis-server') !== null)('perfpilot start', () => {
  let dir: string;
  let redis: PrivateRedis;
  let port: number;
  let child: ChildProcess;
  let stderr = '';
  const api = async (path: string) => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`);
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'perfpilot-start-'));
    redis = await startRedis();
    port = await freePort();
    const config = join(dir, 'perfpilot.yaml');
    await writeFile(config, [
      'environment: starttest',
      'interval: 1s',
      `store: { path: ${join(dir, 'data', 'perfpilot.db')} }`,
      `sources: { redis: { url: "${redis.url}" } }`,
    ].join('\n'));
    await redis.client.set('known', 'value');
    child = spawn(process.execPath, cliArgs(['start', '--config', config, '--port', String(port)]), {
      cwd: ROOT,
      env: { ...process.env, PERFPILOT_READ_TOKEN: '', PERFPILOT_TOKEN: '' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr!.on('data', (d) => (stderr += d));
    await waitForPort(port, 30_000);
  });

  afterAll(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await redis.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('logs which sources are on and why', async () => {
    await sleep(1_500);
    const lines = stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.find((l) => l.source === 'redis')).toMatchObject({ on: true, why: expect.stringContaining(redis.url) });
    expect(lines.find((l) => l.source === 'host')).toMatchObject({ on: true });
    expect(lines.find((l) => l.source === 'app')).toMatchObject({ on: false, why: 'not configured' });
    expect((await api('/healthz')).body).toEqual({ status: 'ok', environment: 'starttest' });
  });

  it('/api/v1/metrics shows the exact hit rate of a window after known traffic', async () => {
    const fromMs = Date.now();
    await sleep(300);
    for (let i = 0; i < 30; i++) await redis.client.get('known');
    for (let i = 0; i < 10; i++) await redis.client.get(`missing:${i}`);
    await sleep(3_000);
    const toMs = Date.now();
    const { status, body } = await api(`/api/v1/metrics?from=${fromMs}&to=${toMs}`);
    expect(status).toBe(200);
    expect(body.environment).toBe('starttest');
    expect(body.window).toEqual({ start: new Date(fromMs).toISOString(), end: new Date(toMs).toISOString() });
    expect(body.metrics.cache.hitRate).toBe(0.75);
    expect(body.metrics.cache.missRate).toBe(0.25);
    expect(body.sources.redis).toEqual({ status: 'ok' });
    expect(body.sources.host.status).toBe('ok');
    expect(body.metrics.resources.memory.used).toBeGreaterThan(0);
  });

  it('/api/v1/metrics/series validates its field and steps', async () => {
    const to = Date.now();
    const bad = await api(`/api/v1/metrics/series?field=cache.hitRatio&from=${to - 5_000}&to=${to}`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('unknown field "cache.hitRatio"');
    const tooMany = await api(`/api/v1/metrics/series?field=cache.hitRate&from=0&to=${to}&step=1s`);
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.field).toBe('query.step');
    const ok = await api(`/api/v1/metrics/series?field=resources.memory.used&from=${to - 4_000}&to=${to}&step=2s`);
    expect(ok.status).toBe(200);
    expect(ok.body.t).toEqual([to - 2_000, to]);
    expect(ok.body.values['resources.memory.used']).toHaveLength(2);
  });

  it('/api/v1/analysis reports low_cache_hit_rate when the window hit rate is 0.5', async () => {
    // Over the whole window: 30 hits and 10 misses so far; 20 more misses make it exactly 0.5.
    for (let i = 0; i < 20; i++) await redis.client.get(`missing:more:${i}`);
    const afterMs = Date.now() + 1_500;
    let answer = await api('/api/v1/analysis');
    for (let tries = 0; tries < 40 && !(answer.status === 200 && Date.parse(answer.body.window.end) > afterMs); tries++) {
      await sleep(250);
      answer = await api('/api/v1/analysis');
    }
    const { status, body } = answer;
    expect(status).toBe(200);
    expect(body.environment).toBe('starttest');
    const issue = body.issues.find((i: { type: string }) => i.type === 'low_cache_hit_rate');
    expect(issue).toMatchObject({ severity: 'medium', metrics: { 'cache.hitRate': 0.5 }, recommendation: 'Review the cache keys, TTLs and eviction policy.' });
    expect(['warning', 'critical']).toContain(body.status);
  });

  it('exits 0 promptly on SIGTERM', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const startedMs = Date.now();
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(Date.now() - startedMs).toBeLessThan(10_000);
    expect(stderr).toContain('"msg":"perfpilot stopped"');
  });
});

/** Runs `perfpilot start` until it says it started, then stops it with SIGTERM; its whole output. */
async function startAndStop(config: string, port: number, env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; log: Record<string, unknown>[] }> {
  const child = spawn(process.execPath, cliArgs(['start', '--config', config, '--port', String(port)]), { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const deadline = Date.now() + 30_000;
  while (!stderr.includes('"msg":"perfpilot started"') && child.exitCode === null && Date.now() < deadline) await sleep(100);
  child.kill('SIGTERM');
  const code = await exited;
  return { code, stdout, log: stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('perfpilot start: the token and where it listens', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'perfpilot-token-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints a generated token once, keeps it 0600, and warns when serving beyond loopback without a read token', async () => {
    const config = join(dir, 'perfpilot.yaml');
    await writeFile(config, `interval: 1s\nstore: { path: ${join(dir, 'data', 'perfpilot.db')} }\nsources: { host: {} }\n`);
    const env = { PERFPILOT_TOKEN: '', PERFPILOT_READ_TOKEN: '', PERFPILOT_HOST: '0.0.0.0' };
    const first = await startAndStop(config, await freePort(), env);
    expect(first.code).toBe(0);
    const file = join(dir, 'data', 'token');
    const token = (await readFile(file, 'utf8')).trim();
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(first.stdout).toBe(`perfpilot: API token for changes (shown once; kept in ${file} with mode 0600):\n  ${token}\n`);
    expect(first.log.find((l) => l.level === 40 && l.host === '0.0.0.0')?.msg).toContain('with no read token');
    expect(JSON.stringify(first.log)).not.toContain(token);

    const again = await startAndStop(config, await freePort(), { ...env, PERFPILOT_READ_TOKEN: 'read-7d1' });
    expect(again.code).toBe(0);
    expect(again.stdout).toBe('');
    expect(again.log.filter((l) => l.level === 40)).toEqual([]);
    expect((await readFile(file, 'utf8')).trim()).toBe(token);
  });
});

describe('perfpilot start with a bad configuration', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'perfpilot-badconfig-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const CASES = [
    ['a wrong type', 'server: { port: "abc" }', 'server.port: got "abc"; expected number'],
    ['an unknown source', 'sources: { memcached: {} }', 'sources.memcached: unknown key'],
    ['a malformed URL', 'sources: { redis: { url: "not a url" } }', 'sources.redis.url: got "not a url"; expected a URL starting with redis://'],
    ['a negative interval', 'interval: -5s', 'interval: got "-5s"; expected a duration greater than 0'],
    ['YAML that does not parse', 'interval: [1s', 'YAML does not parse'],
  ] as const;
  it('exits 69 naming the address when the port is taken', async () => {
    const { createServer } = await import('node:net');
    const taken = createServer();
    const port = await new Promise<number>((resolve) => taken.listen(0, '127.0.0.1', () => resolve((taken.address() as { port: number }).port)));
    try {
      const file = join(dir, 'port.yaml');
      await writeFile(file, `store: { path: ${join(dir, 'port', 'perfpilot.db')} }\nsources: { host: false }\n`);
      const r = await runCli(['start', '--config', file, '--port', String(port)]);
      expect(r.code).toBe(69);
      expect(r.stderr).toContain(`perfpilot: cannot listen on 127.0.0.1:${port}: the address is in use`);
    } finally {
      taken.close();
    }
  });

  for (const [what, yaml, message] of CASES) {
    it(`exits 78 naming the key for ${what}`, async () => {
      const file = join(dir, `${what.replace(/\W+/g, '-')}.yaml`);
      await writeFile(file, `${yaml}\n`);
      const r = await runCli(['start', '--config', file, '--port', '0']);
      expect(r.code).toBe(78);
      expect(r.stderr).toContain(`perfpilot: ${file}`);
      expect(r.stderr).toContain(message);
    });
  }
});
