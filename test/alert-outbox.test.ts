import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlertRouter } from '../src/alert/router.js';
import { BUILTIN_RULES } from '../src/analyze/builtin-rules.js';
import { Config } from '../src/config/schema.js';
import { createLogger } from '../src/log.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { Store } from '../src/store/store.js';
import { ROOT } from './support/cli.js';
import { startReceiver, type HttpReceiver } from './support/http-receiver.js';
import { snapshotWith } from './support/snapshots.js';
import { until } from './support/until.js';
import { sleep } from '../src/util/sleep.js';

const children = new Set<ChildProcess>();

function startDeliverer(dbPath: string, url: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/fixtures/alert-delivery-child.ts'), dbPath, url], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.add(child);
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`deliverer exited with ${code}`)));
  });
}
const kill = (child: ChildProcess) => new Promise<void>((resolve) => {
  if (child.exitCode !== null || child.signalCode !== null) return resolve();
  child.once('exit', () => resolve());
  child.kill('SIGKILL');
});

describe('the outbox', () => {
  let dir: string;
  let store: Store;
  let rx: HttpReceiver;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'perfpilot-outbox-'));
    store = openSqliteStore(join(dir, 'perfpilot.db'));
    rx = await startReceiver();
  });
  afterAll(async () => {
    await Promise.all([...children].map(kill));
    await rx.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers every notification, in order, through a receiver outage and a SIGKILL mid-delivery', async () => {
    const dbPath = join(dir, 'perfpilot.db');
    const config = Config.parse({ alerts: { channels: [{ name: 'ops', type: 'webhook', url: `${rx.url}/hook` }], grouping: { groupWait: '0s', groupInterval: '1s' } } });
    const router = createAlertRouter({ store, alerts: config.alerts, rules: BUILTIN_RULES, locale: 'en', logger: createLogger({ level: 'silent' }) });

    // The receiver is down from the start; notifications pile up in the outbox.
    await rx.down();
    let child = await startDeliverer(dbPath, `${rx.url}/hook`);
    await router.observe(snapshotWith({ 'application.responseTime.p99': 1500 }));
    for (let i = 1; i <= 12; i++) {
      await router.notify({ name: 'optimization_applied', environment: 'local', severity: 'low', summary: `step ${i}` });
    }
    await sleep(1_000);
    await router.observe(snapshotWith({ 'application.responseTime.p99': 100 }));
    await sleep(1_100);
    await router.flush();
    const queued = (await store.outboxItems({ limit: 100 })).reverse();
    expect(queued).toHaveLength(14);
    expect(queued.every((i) => i.status === 'pending')).toBe(true);
    await until(async () => (await store.outboxItems({ limit: 1 }))[0]!.attempts >= 0 && (await store.outboxHeads())[0]!.attempts >= 3, { everyMs: 50 });
    const head = (await store.outboxHeads())[0]!;
    expect([head.id, head.lastReason]).toEqual([queued[0]!.id, 'network']);

    // Up again, but slow: SIGKILL the deliverer while a request is in flight.
    rx.respond(() => ({ status: 200, delayMs: 150 }));
    await rx.up();
    await until(() => rx.received.length >= 5, { everyMs: 50 });
    const inFlightAt = rx.received.length;
    await kill(child);
    await sleep(300);
    const afterKill = await store.outboxItems({ limit: 100 });
    expect(afterKill.filter((i) => i.status === 'delivered').length).toBeLessThan(14);

    // Restarted: it resumes from the outbox.
    rx.respond(() => ({ status: 200 }));
    child = await startDeliverer(dbPath, `${rx.url}/hook`);
    await until(async () => (await store.outboxItems({ limit: 100 })).every((i) => i.status === 'delivered'), { everyMs: 50 });
    await kill(child);

    const keys = rx.received.map((r) => r.headers['idempotency-key']);
    const firstSeen = keys.filter((k, i) => keys.indexOf(k) === i);
    expect(firstSeen).toEqual(queued.map((i) => `perfpilot-${i.id}`));
    // At least once: the only repeats are the item in flight at the kill, sent again right after.
    const repeats = keys.filter((k, i) => keys.indexOf(k) !== i);
    expect(repeats.length).toBeLessThanOrEqual(1);
    for (const k of repeats) expect(keys.lastIndexOf(k)).toBe(keys.indexOf(k) + 1);
    expect(inFlightAt).toBeGreaterThanOrEqual(5);
    const bodies = rx.received.map((r) => r.body as { status: string; alerts: { labels: Record<string, string>; annotations: Record<string, string>; status: string }[] });
    const order = bodies.filter((b, i) => keys.indexOf(keys[i]) === i).map((b) => `${b.alerts[0]!.labels.alertname}:${b.alerts[0]!.status}:${b.alerts[0]!.annotations.description}`);
    expect(order[0]).toBe('high_latency:firing:API response time is too high.');
    expect(order.slice(1, 13)).toEqual(Array.from({ length: 12 }, (_, i) => `optimization_applied:firing:step ${i + 1}`));
    expect(order[13]).toBe('high_latency:resolved:API response time is too high.');
  }, 60_000);
});
