import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { OutboxItem } from '../src/store/alert-store.js';
import { ROOT, cliArgs } from './support/cli.js';
import { freePort } from './support/ports.js';
import { startProgram } from './support/program.js';
import { startReceiver, type HttpReceiver } from './support/http-receiver.js';
import { until } from './support/until.js';
import { sleep } from '../src/util/sleep.js';

/**
 * The whole of `perfpilot start`, killed with SIGKILL mid-delivery while its webhook receiver
 * has been down, then started again on the same store: every notification queued before the
 * kill arrives, first arrivals in outbox order, and the only repeat is the one in flight.
 */
describe('perfpilot start: a receiver down, a SIGKILL mid-delivery, a restart', () => {
  let dir: string;
  let dbPath: string;
  let config: string;
  let rx: HttpReceiver;
  let child: ChildProcess | null = null;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'perfpilot-start-crash-'));
    dbPath = join(dir, 'perfpilot.db');
    rx = await startReceiver();
    config = join(dir, 'perfpilot.yaml');
    await writeFile(config, dump({
      interval: '1s',
      store: { path: dbPath },
      sources: { host: {} },
      // CPU usage > -1 % always holds: high_cpu_usage fires on the first window and, with a
      // repeatInterval of 1 s, is told again every second: a steady stream of notifications.
      rules: [{ name: 'high_cpu_usage', thresholds: { high: -1 }, clear: -2, for: '0s' }],
      alerts: {
        channels: [{ name: 'ops', type: 'webhook', url: `${rx.url}/hook` }],
        grouping: { groupWait: '0s', groupInterval: '1s', repeatInterval: '1s' },
        delivery: { initialBackoff: '200ms', maxBackoff: '1s' },
      },
    }));
  });
  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await rx.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function startPerfpilot(): Promise<ChildProcess> {
    const port = await freePort();
    return startProgram(process.execPath, cliArgs(['start', '--config', config, '--port', String(port)]), port, { cwd: ROOT, timeoutMs: 30_000 });
  }
  async function outbox(): Promise<OutboxItem[]> {
    const store = openSqliteStore(dbPath);
    try {
      return (await store.outboxItems({ channel: 'ops', limit: 1000 })).reverse();
    } finally {
      await store.close();
    }
  }
  const kill = (c: ChildProcess) => new Promise<void>((resolve) => {
    c.once('exit', () => resolve());
    c.kill('SIGKILL');
  });

  it('delivers every notification queued before the kill, in order', async () => {
    await rx.down();
    child = await startPerfpilot();
    await until(async () => (await outbox()).length >= 4 && (await outbox())[0]!.attempts >= 2, { timeoutMs: 30_000, everyMs: 200 });
    const head = (await outbox())[0]!;
    expect([head.status, head.lastReason]).toEqual(['pending', 'network']);

    // Up again, but slow to answer: SIGKILL while a request is in flight.
    rx.respond(() => ({ status: 200, delayMs: 300 }));
    await rx.up();
    await until(() => rx.received.length >= 2, { timeoutMs: 15_000, everyMs: 20 });
    await sleep(100);
    await kill(child);
    const queued = await outbox();
    expect(queued.length).toBeGreaterThanOrEqual(4);
    expect(queued.filter((i) => i.status === 'pending').length).toBeGreaterThan(0);
    const keysAtKill = rx.received.length;

    rx.respond(() => ({ status: 200 }));
    child = await startPerfpilot();
    const lastId = queued.at(-1)!.id;
    await until(async () => (await outbox()).filter((i) => i.id <= lastId).every((i) => i.status === 'delivered'), { timeoutMs: 30_000, everyMs: 200 });
    const exited = new Promise<number | null>((r) => child!.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);

    const keys = rx.received.map((r) => r.headers['idempotency-key'] as string);
    const firstSeen = keys.filter((k, i) => keys.indexOf(k) === i);
    const expected = queued.map((i) => `perfpilot-${i.id}`);
    expect(firstSeen.slice(0, expected.length)).toEqual(expected);
    // At least once: the only repeat is the request in flight at the kill (its answer was
    // 300 ms away), sent again first after the restart.
    const repeats = keys.filter((k, i) => keys.indexOf(k) !== i);
    expect(repeats).toEqual([keys[keysAtKill - 1]]);
    expect(keys[keysAtKill]).toBe(keys[keysAtKill - 1]);
    const bodies = rx.received.map((r) => r.body as { version: string; alerts: { labels: Record<string, string>; status: string }[] });
    expect(bodies.every((b) => b.version === '4' && b.alerts.some((a) => a.labels.alertname === 'high_cpu_usage' && a.status === 'firing'))).toBe(true);
  }, 90_000);
});
