import { describe, expect, it } from 'vitest';
import { emptyMetrics } from '../src/model/empty-metrics.js';
import { PerformanceMetrics } from '../src/model/metrics.js';
import { mergeMetrics } from '../src/model/merge.js';
import { FIELD_PATHS, readField, writeField } from '../src/model/fields.js';
import { Snapshot } from '../src/model/snapshot.js';

describe('metrics model', () => {
  it('starts with every field null and lists every field once', () => {
    const m = emptyMetrics();
    expect(PerformanceMetrics.parse(m)).toEqual(m);
    expect(FIELD_PATHS).toHaveLength(25);
    for (const f of FIELD_PATHS) expect(readField(m, f)).toBeNull();
  });

  it('merges sources without letting null overwrite data', () => {
    const m = emptyMetrics();
    mergeMetrics(m, { cache: { hitRate: 0.75, missRate: 0.25 } });
    mergeMetrics(m, { cache: { hitRate: null, evictions: 3 } });
    expect(m.cache).toEqual({ hitRate: 0.75, missRate: 0.25, evictions: 3, memory: { used: null, available: null } });
    writeField(m, 'resources.disk.latency', 1.5);
    expect(readField(m, 'resources.disk.latency')).toBe(1.5);
  });

  it('rejects a snapshot whose reading is not a number or null', () => {
    const bad = { environment: 'local', window: { start: '2026-11-27T01:00:00.000Z', end: '2026-11-27T01:05:00.000Z' }, metrics: { ...emptyMetrics(), cache: { ...emptyMetrics().cache, hitRate: 'high' } }, sources: {} };
    const r = Snapshot.safeParse(bad);
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['metrics', 'cache', 'hitRate']);
  });
});
