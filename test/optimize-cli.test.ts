import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { startRedis, type PrivateRedis } from './support/redis-server.js';
import { missingProgram } from './support/require.js';
import { prefillCold, startWorkload, type Workload } from './support/zipf-workload.js';

const WORKLOAD = { universe: 20_000, valueBytes: 100, ttlShare: 0.1 };
const PASSWORD = 's3cret-pw-123';

describe.skipIf(missingProgram('redis-server') !== null)('perfpilot optimize (CLI)', () => {
  let redis: PrivateRedis;
  let client: Redis;
  let workload: Workload;
  let dir: string;
  let configFile: string;
  const configGet = async (p: string) => ((await client.config('GET', p)) as string[])[1];
  const cli = (...args: string[]) => runCli(['optimize', ...args, '--config', configFile], { env: { PERFPILOT_LOG_LEVEL: 'warn' } });

  beforeAll(async () => {
    redis = await startRedis({ maxmemory: '2mb', 'maxmemory-policy': 'volatile-lru' });
    await redis.client.config('SET', 'requirepass', PASSWORD);
    client = new Redis({ port: redis.port, host: '127.0.0.1', password: PASSWORD });
    await prefillCold(client, WORKLOAD);
    workload = startWorkload(client, WORKLOAD);
    dir = await mkdtemp(join(tmpdir(), 'perfpilot-optimize-'));
    configFile = join(dir, 'perfpilot.yaml');
    await writeFile(configFile, [
      'environment: clitest',
      `store: { path: ${join(dir, 'perfpilot.db')} }`,
      'optimize:',
      `  targets: [ { type: redis, url: "redis://:${PASSWORD}@127.0.0.1:${redis.port}" } ]`,
      '  verifyWindow: 2s',
      'alerts: { channels: [ { name: ops, type: log } ] }',
      '',
    ].join('\n'));
  });
  afterAll(async () => {
    await workload?.stop();
    client?.disconnect();
    await redis?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  // Seven CLI runs, each starting Node and tsx: slow on a busy 2-core machine.
  it('plans, dry-runs, applies with --yes, rolls back and lists history, never printing the password', { timeout: 180_000 }, async () => {
    const planned = await cli('plan', '--json', '--window', '2s');
    expect(planned.stderr).not.toContain(PASSWORD);
    expect(planned.code).toBe(0);
    expect(planned.stdout).not.toContain(PASSWORD);
    const plan = JSON.parse(planned.stdout);
    const target = `redis://127.0.0.1:${redis.port}`;
    expect(plan.environment).toBe('clitest');
    expect(plan.proposals[0]).toMatchObject({ target, parameter: 'maxmemory-policy', current: 'volatile-lru' });
    const planFile = join(dir, 'plan.json');
    await writeFile(planFile, planned.stdout);

    // By id: `plan` kept it in the store, as it does for the API and the dashboard.
    const dry = await cli('apply', plan.id);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`would change ${target}: maxmemory-policy volatile-lru → ${plan.proposals[0].proposed}`);
    expect(await configGet('maxmemory-policy')).toBe('volatile-lru');
    const missing = await cli('apply', 'plan-20000101T000000000Z');
    expect(missing.code).toBe(66);
    expect(missing.stderr).toContain('no plan plan-20000101T000000000Z in the store');

    // By file: the output of `plan --json`.
    const applied = await cli('apply', '--yes', planFile, '--json');
    expect(applied.code).toBe(0);
    const result = JSON.parse(applied.stdout);
    expect(result.failure).toBeNull();
    expect(result.verified[0].status).toBe('verified');
    expect(await configGet('maxmemory-policy')).toBe(plan.proposals[0].proposed);

    const back = await cli('rollback', String(result.records[0].id));
    expect(back.code).toBe(0);
    const changes: { parameter: string; before: string | number; after: string | number }[] = result.records[0].changes;
    const undo = changes.map((c) => `${c.parameter} ${c.after} → ${c.before}`).join(', ');
    const redo = changes.map((c) => `${c.parameter} ${c.before} → ${c.after}`).join(', ');
    expect(changes[0]).toMatchObject({ parameter: 'maxmemory-policy', before: 'volatile-lru', after: plan.proposals[0].proposed });
    expect(back.stdout).toBe(`rolled back ${result.records[0].id} on ${target}: ${undo} (rollback ${result.records[0].id + 1})\n`);
    expect(await configGet('maxmemory-policy')).toBe('volatile-lru');

    const history = await cli('history');
    expect(history.code).toBe(0);
    const lines = history.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ID +AT +KIND +STATUS +TARGET +CHANGES +BY +REASON$/);
    expect(lines[1]!.split(/ {2,}/)).toEqual(['2', expect.any(String), 'rollback of 1', 'applied', target, undo, expect.stringMatching(/^cli:/), 'rolled back by hand']);
    expect(lines[2]!.split(/ {2,}/)).toEqual(['1', expect.any(String), 'apply', 'rolled_back', target, redo, expect.stringMatching(/^cli:/), 'rolled back by hand']);
    const historyJson = await cli('history', '--json');
    expect(historyJson.code).toBe(0);
    expect(JSON.parse(historyJson.stdout).map((r: { id: number; kind: string; status: string; rollbackOf: number | null; plan: { id: string } | null }) => [r.id, r.kind, r.status, r.rollbackOf, r.plan?.id ?? null]))
      .toEqual([[2, 'rollback', 'applied', 1, null], [1, 'apply', 'rolled_back', null, plan.id]]);
    for (const out of [planned, dry, missing, applied, back, history, historyJson]) expect(out.stdout + out.stderr).not.toContain(PASSWORD);
    expect((await readFile(join(dir, 'perfpilot.db'))).includes(PASSWORD)).toBe(false);

    const db = new Database(join(dir, 'perfpilot.db'), { readonly: true });
    const outbox = db.prepare('SELECT channel, body FROM outbox ORDER BY id').all() as { channel: string; body: string }[];
    db.close();
    expect(outbox.map((o) => [o.channel, JSON.parse(o.body).alerts[0].labels.alertname])).toEqual([['ops', 'optimization_applied'], ['ops', 'optimization_rolled_back']]);
  });
});
