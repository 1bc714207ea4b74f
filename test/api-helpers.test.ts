import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SampledSource } from '../src/sources/source.js';
import type { SampleResult } from '../src/collect/sample-all.js';
import { loadTokens, sameToken } from '../src/server/auth.js';
import { accessNotices } from '../src/server/access-notices.js';
import { createMetricsPort, sampledSeries } from '../src/server/metrics-port.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { createRateLimit } from '../src/server/rate-limit.js';
import { redactConfig } from '../src/server/redact-config.js';
import { rankRecommendations } from '../src/server/routes/analyses.js';

/** A counter source: hits and misses; hit rate over a window from the difference. */
const counters: SampledSource<{ hits: number; misses: number }> = {
  kind: 'sampled',
  name: 'cache',
  async sample() {
    return { hits: 0, misses: 0 };
  },
  readings(baseline, samples) {
    const last = samples.at(-1)!;
    if (!baseline) return { metrics: {} };
    const hits = last.data.hits - baseline.data.hits;
    const misses = last.data.misses - baseline.data.misses;
    return { metrics: { cache: { hitRate: hits + misses ? hits / (hits + misses) : null } } };
  },
};

const ok = (atMs: number, hits: number, misses: number): SampleResult => ({ source: 'cache', atMs, ok: true, data: { hits, misses } });

describe('sampledSeries', () => {
  it('reads each step from its own samples, and leaves steps without data null', () => {
    const rows = [ok(1_000, 0, 0), ok(10_000, 9, 1), ok(20_000, 9, 11), ok(40_000, 49, 11), { source: 'cache', atMs: 50_000, ok: false, message: 'down', reason: 'network' } as SampleResult];
    const series = sampledSeries([counters as SampledSource], new Map([['cache', rows]]), 'local', ['cache.hitRate', 'cache.evictions'], { fromMs: 0, toMs: 50_000 }, 10_000);
    expect(series.t).toEqual([10_000, 20_000, 30_000, 40_000, 50_000]);
    expect(series.values['cache.hitRate']).toEqual([0.9, 0, null, 1, null]);
    expect(series.values['cache.evictions']).toEqual([null, null, null, null, null]);
  });
});

describe('createMetricsPort series', () => {
  it('keeps the series of a settled range, and reads a range that may still change every time', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'perfpilot-series-'));
    const store = openSqliteStore(join(dir, 'p.db'));
    try {
      const nowMs = 1_000_000;
      for (const [atMs, hits, misses] of [[600_000, 0, 0], [700_000, 9, 1], [800_000, 9, 11], [990_000, 19, 11]] as const) {
        await store.appendSamples('local', [ok(atMs, hits, misses)]);
      }
      let reads = 0;
      const counted = { latestSnapshot: store.latestSnapshot.bind(store), samplesForWindow: (...a: Parameters<typeof store.samplesForWindow>) => { reads++; return store.samplesForWindow(...a); } };
      const port = createMetricsPort({ environment: 'local', store: counted, sources: [counters as SampledSource], collect: async () => { throw new Error('unused'); }, now: () => nowMs });
      const settled = { fromMs: 600_000, toMs: 800_000 };
      const first = await port.series('local', ['cache.hitRate'], settled, 100_000);
      expect(first.values['cache.hitRate']).toEqual([0.9, 0]);
      expect(await port.series('local', ['cache.hitRate'], settled, 100_000)).toBe(first);
      expect(reads).toBe(1);
      // Ends within the last minute: samples may still arrive, so it is read again.
      const recent = { fromMs: 800_000, toMs: 990_000 };
      expect((await port.series('local', ['cache.hitRate'], recent, 190_000)).values['cache.hitRate']).toEqual([1]);
      await port.series('local', ['cache.hitRate'], recent, 190_000);
      expect(reads).toBe(3);
      // At most 16 kept: the least recently asked for goes first.
      for (let i = 1; i <= 16; i++) await port.series('local', ['cache.hitRate'], { fromMs: 600_000 + i, toMs: 800_000 + i }, 100_000);
      expect(reads).toBe(19);
      await port.series('local', ['cache.hitRate'], settled, 100_000);
      expect(reads).toBe(20);
    } finally {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('tokens', () => {
  it('generates a 0600 token once, then reuses it; PERFPILOT_TOKEN wins; the read token is optional', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'perfpilot-token-'));
    try {
      const first = await loadTokens(join(dir, 'data'), {});
      expect(first.generated).toBe(true);
      expect((await stat(join(dir, 'data', 'token'))).mode & 0o777).toBe(0o600);
      const again = await loadTokens(join(dir, 'data'), {});
      expect(again).toEqual({ tokens: { write: first.tokens.write, read: null }, generated: false, path: join(dir, 'data', 'token') });
      expect(await loadTokens(join(dir, 'data'), { PERFPILOT_TOKEN: 'w', PERFPILOT_READ_TOKEN: 'r' })).toEqual({ tokens: { write: 'w', read: 'r' }, generated: false, path: null });
      await writeFile(join(dir, 'data', 'token'), '  \n');
      expect((await loadTokens(join(dir, 'data'), {})).generated).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('compares whatever the lengths', () => {
    expect(sameToken('abc', 'abc')).toBe(true);
    expect(sameToken('abc', 'abd')).toBe(false);
    expect(sameToken('', 'abc')).toBe(false);
    expect(sameToken('abcabc', 'abc')).toBe(false);
  });

  it('shows a generated token once, and warns when serving beyond loopback without a read token', () => {
    const generated = { tokens: { write: 'tok', read: null }, generated: true, path: '/d/token' };
    expect(accessNotices(generated, '127.0.0.1')).toEqual({ print: ['perfpilot: API token for changes (shown once; kept in /d/token with mode 0600):', '  tok'], warnings: [] });
    expect(accessNotices({ ...generated, generated: false }, '0.0.0.0').warnings).toHaveLength(1);
    expect(accessNotices({ tokens: { write: 'tok', read: 'r' }, generated: false, path: null }, '0.0.0.0')).toEqual({ print: [], warnings: [] });
  });
});

describe('rate limit', () => {
  it('lets a burst through, then refuses with Retry-After until the bucket refills', async () => {
    let nowMs = 0;
    const limit = createRateLimit({ burst: 3, perSecond: 1, now: () => nowMs });
    const headers: Record<string, string> = {};
    const reply = { header: (k: string, v: string) => (headers[k] = v) };
    const call = (ip: string) => limit.call(undefined as never, { ip } as never, reply as never).then(() => 'ok', (e: { httpStatus: number }) => e.httpStatus);
    expect([await call('a'), await call('a'), await call('a'), await call('a')]).toEqual(['ok', 'ok', 'ok', 429]);
    expect(headers['retry-after']).toBe('1');
    expect(await call('b')).toBe('ok');
    nowMs = 1_000;
    expect([await call('a'), await call('a')]).toEqual(['ok', 429]);
  });
});

describe('redactConfig and rankRecommendations', () => {
  it('removes passwords from URLs and secret-named keys', () => {
    expect(redactConfig({ sources: { redis: { url: 'redis://:pw@h:1' } }, alerts: { channels: [{ type: 'pagerduty', routingKey: 'R0UT1NG' }, { url: 'https://h/hook?token=t0k&x=1' }] }, n: 3, off: false, none: null })).toEqual({
      sources: { redis: { url: 'redis://:***@h:1' } },
      alerts: { channels: [{ type: 'pagerduty', routingKey: '***' }, { url: 'https://h/hook?token=***&x=1' }] },
      n: 3, off: false, none: null,
    });
  });

  it('ranks by priority then effort, one per type', () => {
    const r = (type: string, priority: 'low' | 'medium' | 'high', effort: 'low' | 'medium' | 'high') => ({ type, priority, effort, description: type, impact: '', text: { en: { description: type, impact: '' }, ko: { description: type, impact: '' } } });
    expect(rankRecommendations([r('a', 'low', 'low'), r('b', 'high', 'high'), r('c', 'high', 'low'), r('b', 'medium', 'low')]).map((x) => x.type)).toEqual(['c', 'b', 'a']);
  });
});
