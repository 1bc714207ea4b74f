import { createRequire } from 'node:module';
import { DDSketch } from '@datadog/sketches-js';
import { describe, expect, it } from 'vitest';
import { decodeSketchProto, encodeSketchProto } from '../src/instrument/ddsketch-proto.js';
import { RELATIVE_ACCURACY, decodeSketch, encodeSketch, mergeSketch, newSketch, quantileMs } from '../src/instrument/duration-sketch.js';
import { exactQuantile, relativeError } from './instrument-support.js';

/** Deterministic log-normal-ish durations, 0.1 ms … several seconds. */
function durations(n: number, seed: number): number[] {
  const out: number[] = [];
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    out.push(0.1 * Math.exp((s / 2 ** 32) * 10));
  }
  return out;
}

function sketchOf(values: readonly number[]): DDSketch {
  const sketch = newSketch();
  for (const v of values) sketch.accept(v);
  return sketch;
}

const QUANTILES = [0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1];

describe('duration sketch (DDSketch at 0.5 %)', () => {
  it('stays within 0.5 % of the exact value at every quantile', () => {
    const values = durations(20_000, 7);
    const sketch = sketchOf(values);
    for (const q of QUANTILES) expect(relativeError(sketch.getValueAtQuantile(q), exactQuantile(values, q)), `q=${q}`).toBeLessThanOrEqual(RELATIVE_ACCURACY);
    expect(RELATIVE_ACCURACY).toBe(0.005);
  });

  it('documents the library gap: fromProto loses min, max and sum', () => {
    const round = DDSketch.fromProto(sketchOf([3, 40, 500]).toProto());
    expect([round.count, round.sum, round.min, round.max]).toEqual([3, 0, Infinity, -Infinity]);
  });

  it('documents the library gap: merge ignores the negative store', () => {
    const a = sketchOf([1, 2]);
    const b = sketchOf([-5, -6]);
    a.merge(b);
    expect([a.count, a.negativeStore.count]).toEqual([4, 0]);
  });

  it('documents the library gap: a quantile can lie beyond the max or min; quantileMs keeps it within', () => {
    const same = sketchOf([400.2, 400.2, 400.2]);
    expect(same.getValueAtQuantile(0.99)).toBeGreaterThan(same.max);
    const decoded = decodeSketch(encodeSketch(same));
    expect([quantileMs(decoded, 0), quantileMs(decoded, 0.5), quantileMs(decoded, 0.99)]).toEqual([400.2, 400.2, 400.2]);
    const values = durations(5_000, 11);
    const wide = sketchOf(values);
    for (const q of QUANTILES) expect(relativeError(quantileMs(wide, q), exactQuantile(values, q)), `q=${q}`).toBeLessThanOrEqual(RELATIVE_ACCURACY);
  });

  it('round-trips through encode/decode with count, sum, min and max intact', () => {
    const values = durations(5_000, 3);
    const decoded = decodeSketch(JSON.parse(JSON.stringify(encodeSketch(sketchOf(values)))));
    const original = sketchOf(values);
    expect([decoded.count, decoded.sum, decoded.min, decoded.max]).toEqual([original.count, original.sum, original.min, original.max]);
    for (const q of QUANTILES) expect(decoded.getValueAtQuantile(q)).toBeCloseTo(original.getValueAtQuantile(q), 9);
    decoded.accept(1e6);
    expect(decoded.max).toBe(1e6);
  });

  it('an empty sketch round-trips as empty, with null min and max on the wire', () => {
    const encoded = encodeSketch(newSketch());
    expect([encoded.count, encoded.minMs, encoded.maxMs]).toEqual([0, null, null]);
    const decoded = decodeSketch(encoded);
    expect([decoded.count, quantileMs(decoded, 0.99)]).toEqual([0, null]);
  });

  it('merging decoded sketches equals the sketch of the union, negative values included', () => {
    const a = [...durations(3_000, 1), -2, -30];
    const b = [...durations(4_000, 2), -7, 0];
    const merged = mergeSketch(decodeSketch(encodeSketch(sketchOf(a))), decodeSketch(encodeSketch(sketchOf(b))));
    const union = sketchOf([...a, ...b]);
    expect([merged.count, merged.zeroCount, merged.negativeStore.count, merged.min, merged.max])
      .toEqual([union.count, union.zeroCount, union.negativeStore.count, union.min, union.max]);
    expect(merged.sum).toBeCloseTo(union.sum, 6);
    for (const q of QUANTILES) expect(merged.getValueAtQuantile(q), `q=${q}`).toBeCloseTo(union.getValueAtQuantile(q), 9);
  });

  it('writes exactly the bytes of toProto, without loading protobufjs', () => {
    const cases = [[], [12.5], [0, 0, 3], [-4, -0.5, 7, 7, 7], durations(3_000, 9)];
    for (const values of cases) {
      const sketch = sketchOf(values);
      expect(Buffer.from(encodeSketchProto(sketch)).toString('hex'), `${values.length} values`).toBe(Buffer.from(sketch.toProto()).toString('hex'));
    }
  });

  it('reads toProto bytes and the binCounts map layout other writers use', () => {
    const values = [...durations(2_000, 4), -3, 0];
    const original = sketchOf(values);
    const fromLibrary = newSketch();
    decodeSketchProto(original.toProto(), fromLibrary);
    expect([fromLibrary.count, fromLibrary.zeroCount, fromLibrary.negativeStore.count]).toEqual([original.count, original.zeroCount, 1]);
    for (const q of QUANTILES) expect(fromLibrary.getValueAtQuantile(q)).toBe(original.getValueAtQuantile(q));

    const proto = createRequire(import.meta.url)('@datadog/sketches-js/dist/ddsketch/proto/compiled.js') as {
      DDSketch: { encode(m: unknown): { finish(): Uint8Array }; create(m: unknown): unknown };
    };
    const gamma = newSketch().mapping.gamma;
    const bytes = proto.DDSketch.encode(proto.DDSketch.create({
      mapping: { gamma, indexOffset: 0, interpolation: 0 },
      positiveValues: { binCounts: { 100: 2, 250: 3 }, contiguousBinCounts: [1, 0, 4], contiguousBinIndexOffset: -5 },
      zeroCount: 1,
    })).finish();
    const sparse = newSketch();
    expect(decodeSketchProto(bytes, sparse)).toEqual({ gamma, indexOffset: 0, interpolation: 0 });
    expect([sparse.count, sparse.store.count, sparse.zeroCount]).toEqual([11, 10, 1]);
    expect(sparse.getValueAtQuantile(1)).toBeCloseTo(sparse.mapping.value(250), 9);
    expect(sparse.getValueAtQuantile(0.15)).toBeCloseTo(sparse.mapping.value(-5), 9);
  });

  it('refuses a sketch whose count does not match its bins, or of another accuracy', () => {
    const encoded = encodeSketch(sketchOf([1, 2, 3]));
    expect(() => decodeSketch({ ...encoded, count: 4 })).toThrow(/holds 3 values but says 4/);
    const coarse = new DDSketch({ relativeAccuracy: 0.05 });
    coarse.accept(1);
    expect(() => decodeSketch(encodeSketch(coarse))).toThrow(/relative accuracy/);
  });
});
