import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Notification } from '../src/alert/notification.js';
import { parseMatcher } from '../src/alert/silence.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { Store } from '../src/store/store.js';

const DAY_MS = 86_400_000;
let dir: string;
let path: string;
let store: Store;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'perfpilot-prune-alerts-'));
  path = join(dir, 'perfpilot.db');
  store = openSqliteStore(path);
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const notification = (channel: string, fingerprint: string): Notification => ({
  channel,
  groupKey: `0/${channel}/[]`,
  status: 'firing',
  groupLabels: {},
  commonLabels: {},
  commonAnnotations: {},
  alerts: [{ status: 'firing', labels: { alertname: 'high_latency' }, annotations: {}, startsAt: '2026-11-27T01:00:00.000Z', endsAt: null, fingerprint }],
  externalUrl: 'http://127.0.0.1:7070',
  createdAt: '2026-11-27T01:00:00.000Z',
});

/** Queues one notification at `atMs` and returns its outbox id. */
async function enqueue(channel: string, fingerprint: string, atMs: number): Promise<number> {
  await store.commitAlerts({ states: [], groups: [], droppedGroups: [], outbox: [notification(channel, fingerprint)], atMs });
  return (await store.outboxItems({ limit: 1 }))[0]!.id;
}

const count = (table: string): number => {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  } finally {
    db.close();
  }
};

describe('retention of the alert tables', () => {
  it('deletes delivered notifications and ended silences older than the limit, never an undelivered notification', async () => {
    const old = 1 * DAY_MS;
    const recent = 9 * DAY_MS;
    const deliveredOld = await enqueue('ops', 'a', old);
    await store.recordDelivery(deliveredOld, { atMs: old + 1_000, outcome: 'retry', reason: 'network', error: 'connect ECONNREFUSED', nextAttemptMs: old + 2_000 });
    await store.recordDelivery(deliveredOld, { atMs: old + 2_000, outcome: 'delivered' });
    const failedOld = await enqueue('ops', 'b', old);
    await store.recordDelivery(failedOld, { atMs: old + 1_000, outcome: 'failed', reason: 'auth', error: 'HTTP 401' });
    const pendingOld = await enqueue('pd', 'c', old);
    await store.recordDelivery(pendingOld, { atMs: old + 1_000, outcome: 'retry', reason: 'timeout', error: 'timed out', nextAttemptMs: recent });
    const deliveredRecent = await enqueue('ops', 'd', recent);
    await store.recordDelivery(deliveredRecent, { atMs: recent, outcome: 'delivered' });
    const matchers = [parseMatcher('alertname=high_latency')!];
    await store.addSilence({ id: 'ended', matchers, startsMs: old - DAY_MS, endsMs: old, createdBy: 'test', comment: '' });
    await store.addSilence({ id: 'active', matchers, startsMs: old, endsMs: recent + DAY_MS, createdBy: 'test', comment: '' });

    const removed = await store.prune(recent - 7 * DAY_MS + 1);

    expect(removed).toMatchObject({ outbox: 1, deliveries: 2, silences: 1 });
    expect((await store.outboxItems()).map((i) => [i.id, i.status]).sort()).toEqual([[failedOld, 'failed'], [pendingOld, 'pending'], [deliveredRecent, 'delivered']].sort());
    expect(count('deliveries')).toBe(3);
    expect(count('outbox_alerts')).toBe(3);
    expect(await store.alertDeliveries(['a'])).toEqual([]);
    expect((await store.silences()).map((s) => s.id)).toEqual(['active']);
    expect((await store.outboxHeads()).map((i) => i.id)).toEqual([pendingOld]);
    expect(await store.prune(recent - 7 * DAY_MS + 1)).toMatchObject({ outbox: 0, deliveries: 0, silences: 0 });
  });

  it('deletes a large backlog in batches', async () => {
    const items = Array.from({ length: 2_500 }, (_, i) => notification('ops', `fp${i}`));
    await store.commitAlerts({ states: [], groups: [], droppedGroups: [], outbox: items, atMs: 1_000 });
    for (const item of await store.outboxItems({ limit: 3_000 })) await store.recordDelivery(item.id, { atMs: 1_000, outcome: 'delivered' });
    expect(await store.prune(2_000)).toMatchObject({ outbox: 2_500, deliveries: 2_500 });
    expect(count('outbox')).toBe(0);
    expect(count('outbox_alerts')).toBe(0);
  });
});
