import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Snapshot } from '../src/model/snapshot.js';
import { runCli } from './support/cli.js';
import { freePort } from './support/ports.js';

let dir: string;
let config: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'perfpilot-collect-'));
  config = join(dir, 'perfpilot.yaml');
  await writeFile(config, 'environment: ci\nsources:\n  postgres: false\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('perfpilot collect', () => {
  it('prints a snapshot that validates, and still exits 0 with a dead Redis', async () => {
    const deadRedis = `redis://:hunter2@127.0.0.1:${await freePort()}`;
    const r = await runCli(['collect', '--duration', '1s', '--json', '--env', 'staging', '--config', config], { env: { REDIS_URL: deadRedis } });
    expect(r.code).toBe(0);
    const snapshot = Snapshot.parse(JSON.parse(r.stdout));
    expect(snapshot.environment).toBe('staging');
    expect(Date.parse(snapshot.window.end) - Date.parse(snapshot.window.start)).toBeGreaterThanOrEqual(1000);
    expect(snapshot.sources.host).toEqual({ status: 'ok' });
    expect(snapshot.sources.redis).toMatchObject({ status: 'error', reason: 'network', message: expect.stringContaining('ECONNREFUSED') });
    expect(snapshot.sources.postgres).toEqual({ status: 'not_configured' });
    expect(snapshot.metrics.cache.hitRate).toBeNull();
    expect(snapshot.metrics.resources.cpu.usage).toEqual(expect.any(Number));
    expect(snapshot.metrics.resources.memory.used).toBeGreaterThan(0);
    expect(r.stdout + r.stderr).not.toContain('hunter2');
  });

  it('prints a table for people with units, "no data" and source statuses', async () => {
    const r = await runCli(['collect', '--duration', '500ms', '--config', config], { env: { REDIS_URL: `redis://127.0.0.1:${await freePort()}` } });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^environment ci, window /);
    expect(r.stdout).toMatch(/^resources\s+memory\.used\s+[\d.]+ (MiB|GiB)$/m);
    expect(r.stdout).toMatch(/^application\s+responseTime\.p99\s+no data$/m);
    expect(r.stdout).toMatch(/^redis\s+error \(network\)\s+.*ECONNREFUSED/m);
    expect(r.stdout).toMatch(/^postgres\s+not configured\s+turned off/m);
    expect(r.stderr).toBe(''); // stdout is not a terminal: no progress indicator
  });

  it('exits 78 on a bad configuration and 64 on a bad duration', async () => {
    const bad = await runCli(['collect', '--duration', '1s', '--config', config], { env: { PERFPILOT_INTERVAL: '-1s' } });
    expect(bad.code).toBe(78);
    expect(bad.stderr).toContain('interval: got "-1s" (from PERFPILOT_INTERVAL); expected a duration greater than 0');
    const duration = await runCli(['collect', '--duration', 'soon', '--config', config]);
    expect(duration.code).toBe(64);
  });
});
