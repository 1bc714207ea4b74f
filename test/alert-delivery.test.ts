import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAlerting } from '../src/alert/create-alerting.js';
import { backoffMs } from '../src/alert/retry.js';
import { BUILTIN_RULES } from '../src/analyze/builtin-rules.js';
import { Config } from '../src/config/schema.js';
import { createLogger } from '../src/log.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { Store } from '../src/store/store.js';
import { startReceiver, type HttpReceiver } from './support/http-receiver.js';

describe('backoff', () => {
  it('doubles from the initial delay up to the cap, with jitter between half and all of it', () => {
    expect([1, 2, 3, 4].map((n) => backoffMs(n, 1_000, 30_000, () => 1))).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect([1, 2, 3, 4].map((n) => backoffMs(n, 1_000, 30_000, () => 0))).toEqual([500, 1_000, 2_000, 4_000]);
    expect(backoffMs(12, 1_000, 30_000, () => 1)).toBe(30_000);
    expect(backoffMs(12, 1_000, 30_000, () => 0)).toBe(15_000);
  });
});

describe('the delivery loop', () => {
  let dir: string;
  let store: Store;
  let good: HttpReceiver;
  let bad: HttpReceiver;
  let nowMs: number;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'perfpilot-delivery-'));
    store = openSqliteStore(join(dir, 'perfpilot.db'));
    good = await startReceiver();
    bad = await startReceiver(() => ({ status: 404, body: 'no such hook' }));
    nowMs = Date.parse('2026-11-27T01:00:00.000Z');
  });
  afterEach(async () => {
    await Promise.all([good.close(), bad.close(), store.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  function alerting(channels: unknown[]) {
    const { alerts } = Config.parse({ alerts: { channels, delivery: { initialBackoff: '1s', maxBackoff: '8s' } } });
    return createAlerting({ store, alerts, rules: BUILTIN_RULES, locale: 'en', logger: createLogger({ level: 'silent' }), now: () => nowMs, random: () => 1 });
  }
  const event = (i: number) => ({ name: 'optimization_applied', environment: 'local', severity: 'low' as const, summary: `step ${i}` });

  it('a channel with a wrong URL says so and the other channels keep flowing', async () => {
    const { router, delivery } = alerting([{ name: 'good', type: 'webhook', url: `${good.url}/hook` }, { name: 'wrong', type: 'slack', url: `${bad.url}/services/T0/B0/KEYKEYKEY` }]);
    for (let i = 1; i <= 3; i++) await router.notify(event(i));
    for (let i = 0; i < 3; i++) await delivery.runOnce();
    expect(good.received.map((r) => (r.body as { alerts: { annotations: { description: string } }[] }).alerts[0]!.annotations.description)).toEqual(['step 1', 'step 2', 'step 3']);
    const wrong = (await store.outboxItems({ channel: 'wrong' })).map((i) => [i.status, i.attempts, i.lastReason, i.lastError]);
    const said = "HTTP 404: no such hook (the receiver has no such endpoint: check the channel's URL)";
    expect(wrong).toEqual([['failed', 1, 'not_found', said], ['failed', 1, 'not_found', said], ['failed', 1, 'not_found', said]]);
  });

  it('retries the head with backoff and holds the items behind it, in order', async () => {
    good.respond(() => ({ status: 503 }));
    const { router, delivery } = alerting([{ name: 'good', type: 'webhook', url: `${good.url}/hook` }]);
    await router.notify(event(1));
    await router.notify(event(2));
    const waits: number[] = [];
    for (let i = 0; i < 3; i++) {
      expect(await delivery.runOnce()).toBe(1);
      const [head] = await store.outboxHeads();
      waits.push(head!.nextAttemptMs - nowMs);
      expect(await delivery.runOnce()).toBe(0);
      nowMs = head!.nextAttemptMs;
    }
    expect(waits).toEqual([1_000, 2_000, 4_000]);
    expect(good.received.map((r) => r.headers['idempotency-key'])).toEqual(['perfpilot-1', 'perfpilot-1', 'perfpilot-1']);
    good.respond(() => ({ status: 200 }));
    await delivery.runOnce();
    await delivery.runOnce();
    expect(good.received.map((r) => r.headers['idempotency-key'])).toEqual(['perfpilot-1', 'perfpilot-1', 'perfpilot-1', 'perfpilot-1', 'perfpilot-2']);
    expect((await store.outboxItems()).map((i) => i.status)).toEqual(['delivered', 'delivered']);
  });

  it('survives a receiver down for 10 minutes (clock advanced), then delivers everything in order', async () => {
    const { alerts } = Config.parse({ alerts: { channels: [{ name: 'good', type: 'webhook', url: `${good.url}/hook` }] } });
    const { router, delivery } = createAlerting({ store, alerts, rules: BUILTIN_RULES, locale: 'en', logger: createLogger({ level: 'silent' }), now: () => nowMs });
    await good.down();
    const downUntil = nowMs + 600_000;
    let i = 0;
    while (nowMs < downUntil) {
      if (i < 20) await router.notify(event(++i));
      await delivery.runOnce();
      nowMs += 1_000;
    }
    const [head] = await store.outboxHeads();
    expect([head!.lastReason, head!.nextAttemptMs <= nowMs + 30_000]).toEqual(['network', true]);
    expect(head!.attempts).toBeGreaterThan(20);
    expect(head!.attempts).toBeLessThan(60);
    await good.up();
    nowMs += 30_000;
    for (let n = 0; n < 25; n++) await delivery.runOnce();
    const order = good.received.map((r) => (r.body as { alerts: { annotations: { description: string } }[] }).alerts[0]!.annotations.description);
    expect(order).toEqual(Array.from({ length: 20 }, (_, k) => `step ${k + 1}`));
  }, 30_000);

  it('an item for a channel no longer configured is given up with a clear reason', async () => {
    await alerting([{ name: 'old', type: 'log' }]).router.notify(event(1));
    await alerting([{ name: 'new', type: 'log' }]).delivery.runOnce();
    const [item] = await store.outboxItems();
    expect([item!.status, item!.lastReason, item!.lastError]).toEqual(['failed', 'not_found', 'channel "old" is no longer configured']);
  });
});
