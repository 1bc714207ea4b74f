import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Analysis } from '../src/analyze/analysis.js';
import type { SampleResult } from '../src/collect/sample-all.js';
import { emptyMetrics } from '../src/model/empty-metrics.js';
import type { Snapshot } from '../src/model/snapshot.js';
import { MIGRATIONS } from '../src/store/sqlite/migrations/index.js';
import { openDatabase, PAGE_CACHE_KIB } from '../src/store/sqlite/open-database.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { Store } from '../src/store/store.js';

const ok = (source: string, atMs: number, data: unknown): SampleResult => ({ source, atMs, ok: true, data });
const failed = (source: string, atMs: number): SampleResult => ({ source, atMs, ok: false, message: 'connect ECONNREFUSED 127.0.0.1:1', reason: 'network' });

describe('SQLite store', () => {
  let dir: string;
  let path: string;
  let store: Store;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'perfpilot-store-'));
    path = join(dir, 'nested', 'folder', 'perfpilot.db');
    store = openSqliteStore(path);
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('creates its folder, runs every migration once, and uses WAL', async () => {
    expect(existsSync(path)).toBe(true);
    await store.close();
    store = openSqliteStore(path);
    const db = new Database(path, { readonly: true });
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(Math.max(...MIGRATIONS.map((m) => m.version)));
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((t) => t.name);
      expect(tables).toEqual(expect.arrayContaining(['analyses', 'events', 'samples', 'snapshots']));
    } finally {
      db.close();
    }
  });

  it('caps its page cache at PAGE_CACHE_KIB, not the 16 MB better-sqlite3 builds SQLite with', () => {
    const db = openDatabase(join(dir, 'cache.db'));
    try {
      expect(PAGE_CACHE_KIB).toBe(256);
      // Negative: KiB rather than pages.
      expect(db.pragma('cache_size', { simple: true })).toBe(-256);
      expect(new Database(':memory:').pragma('cache_size', { simple: true })).toBe(-16_000);
      // No memory-mapped I/O: reads go through the capped cache.
      expect(db.pragma('mmap_size', { simple: true })).toBe(0);
    } finally {
      db.close();
    }
  });

  it('round-trips samples: the baseline before the window, then every attempt inside it, per environment', async () => {
    await store.appendSamples('prod', [ok('redis', 1_000, { hits: 10, misses: 0 }), ok('host', 1_000, { busy: [1, 2] })]);
    await store.appendSamples('prod', [ok('redis', 2_000, { hits: 20, misses: 5 }), failed('host', 2_000)]);
    await store.appendSamples('prod', [failed('redis', 3_000), ok('host', 3_000, { busy: [3, 4] })]);
    await store.appendSamples('prod', [ok('redis', 4_000, { hits: 40, misses: 5 }), ok('host', 4_000, { busy: [5, 6] })]);
    await store.appendSamples('staging', [ok('redis', 3_500, { hits: 1, misses: 1 })]);

    const rows = await store.samplesForWindow('prod', ['redis', 'host', 'postgres'], { startMs: 2_500, endMs: 4_000 });
    expect(rows.get('redis')).toEqual([ok('redis', 2_000, { hits: 20, misses: 5 }), failed('redis', 3_000), ok('redis', 4_000, { hits: 40, misses: 5 })]);
    // host's attempt at 2 000 failed, so its baseline is the good one at 1 000.
    expect(rows.get('host')).toEqual([ok('host', 1_000, { busy: [1, 2] }), ok('host', 3_000, { busy: [3, 4] }), ok('host', 4_000, { busy: [5, 6] })]);
    expect(rows.get('postgres')).toEqual([]);
    expect((await store.samplesForWindow('staging', ['redis'], { startMs: 0, endMs: 10_000 })).get('redis')).toEqual([ok('redis', 3_500, { hits: 1, misses: 1 })]);

    expect(await store.sampleSpan('prod', 'redis')).toEqual({ firstMs: 1_000, lastMs: 4_000 });
    expect(await store.sampleSpan('prod', 'postgres')).toBeNull();
  });

  it('keeps the latest snapshot and analysis per environment, and events newest first', async () => {
    const snap = (env: string, end: string): Snapshot => ({ environment: env, window: { start: '2026-11-27T01:00:00.000Z', end }, metrics: emptyMetrics(), sources: { host: { status: 'ok' } } });
    await store.saveSnapshot(snap('prod', '2026-11-27T01:05:00.000Z'));
    await store.saveSnapshot(snap('prod', '2026-11-27T01:06:00.000Z'));
    await store.saveSnapshot(snap('staging', '2026-11-27T01:07:00.000Z'));
    expect((await store.latestSnapshot('prod'))?.window.end).toBe('2026-11-27T01:06:00.000Z');
    expect(await store.latestSnapshot('dev')).toBeNull();

    const analysis = (at: string, status: Analysis['status']): Analysis => ({ environment: 'prod', window: { start: at, end: at }, analyzedAt: at, status, issues: [], recommendations: [], noData: [] });
    await store.saveAnalysis(analysis('2026-11-27T01:05:00.000Z', 'warning'));
    await store.saveAnalysis(analysis('2026-11-27T01:06:00.000Z', 'healthy'));
    expect(await store.latestAnalysis('prod')).toEqual(analysis('2026-11-27T01:06:00.000Z', 'healthy'));
    expect(await store.latestAnalysis('staging')).toBeNull();

    await store.appendEvent({ atMs: 1, kind: 'source_failed', environment: 'prod', body: { source: 'redis' } });
    await store.appendEvent({ atMs: 2, kind: 'source_recovered', environment: 'prod', body: { source: 'redis' } });
    expect((await store.recentEvents(10)).map((e) => e.kind)).toEqual(['source_recovered', 'source_failed']);
  });

  it('retention removes what is older than the limit, in batches, and keeps the rest', async () => {
    const attempts = Array.from({ length: 2_500 }, (_, i) => ok('host', i, { i }));
    await store.appendSamples('prod', attempts);
    await store.appendEvent({ atMs: 10, kind: 'old', environment: 'prod', body: {} });
    await store.appendEvent({ atMs: 2_400, kind: 'new', environment: 'prod', body: {} });
    const removed = await store.prune(2_000);
    expect(removed).toMatchObject({ samples: 2_000, events: 1, snapshots: 0, analyses: 0 });
    expect(await store.sampleSpan('prod', 'host')).toEqual({ firstMs: 2_000, lastMs: 2_499 });
    expect((await store.recentEvents(10)).map((e) => e.kind)).toEqual(['new']);
    expect(await store.prune(2_000)).toMatchObject({ samples: 0 });
  });
});
