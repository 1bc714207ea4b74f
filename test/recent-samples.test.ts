import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SampleResult } from '../src/collect/sample-all.js';
import { withRecentSamples } from '../src/collect/recent-samples.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { Store } from '../src/store/store.js';

const attempt = (source: string, atMs: number, ok: boolean): SampleResult =>
  ok ? { source, atMs, ok: true, data: { n: atMs } } : { source, atMs, ok: false, message: 'timed out', reason: 'timeout' };

describe('withRecentSamples', () => {
  let dir: string;
  let store: Store;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'perfpilot-recent-'));
    store = openSqliteStore(join(dir, 'perfpilot.db'));
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers every sliding window exactly as the SQLite store does', async () => {
    const recent = withRecentSamples(store);
    const sources = ['host', 'redis'];
    // History written before the memory existed, with failures here and there.
    for (let t = 1_000; t <= 10_000; t += 1_000) {
      await store.appendSamples('local', [attempt('host', t, t % 3_000 !== 0), attempt('redis', t + 7, t % 4_000 !== 0)]);
    }
    for (let t = 11_000; t <= 40_000; t += 1_000) {
      await recent.appendSamples('local', [attempt('host', t, t % 3_000 !== 0), attempt('redis', t + 7, t % 5_000 !== 0)]);
      for (const windowMs of [5_000, 4_500]) {
        const window = { startMs: t - windowMs, endMs: t + 10 };
        const fromMemory = await recent.samplesForWindow('local', sources, window);
        expect(fromMemory, `window ${window.startMs}–${window.endMs}`).toEqual(await store.samplesForWindow('local', sources, window));
      }
    }
    // An earlier window than memory holds, another environment and another source fall back to the store.
    for (const [env, names, window] of [
      ['local', sources, { startMs: 2_000, endMs: 30_000 }],
      ['staging', sources, { startMs: 0, endMs: 40_000 }],
      ['local', ['postgres', 'host'], { startMs: 35_000, endMs: 40_000 }],
    ] as const) {
      expect(await recent.samplesForWindow(env, names, window)).toEqual(await store.samplesForWindow(env, names, window));
    }
  });

  it('holds what the store gives back, not the objects the source sampled', async () => {
    const recent = withRecentSamples(store);
    await recent.samplesForWindow('local', ['redis'], { startMs: 0, endMs: 1_000 });
    const data = { runId: 'f'.repeat(40), keyspace: { hits: 5 }, unset: undefined };
    await recent.appendSamples('local', [{ source: 'redis', atMs: 2_000, ok: true, data }]);
    data.keyspace.hits = 6;
    const window = { startMs: 1_000, endMs: 3_000 };
    const held = (await recent.samplesForWindow('local', ['redis'], window)).get('redis')!;
    expect(held).toStrictEqual([{ source: 'redis', atMs: 2_000, ok: true, data: { runId: 'f'.repeat(40), keyspace: { hits: 5 } } }]);
    expect(held).toStrictEqual((await store.samplesForWindow('local', ['redis'], window)).get('redis'));
    expect((held[0] as { data: unknown }).data).not.toBe(data);
  });
});
