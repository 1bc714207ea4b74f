import { describe, expect, it } from 'vitest';
import { HyperLogLog } from '../src/instrument/hyperloglog.js';

function hllOf(from: number, to: number, prefix = 'user'): HyperLogLog {
  const hll = new HyperLogLog();
  for (let i = from; i < to; i++) hll.add(`${prefix}-${i}`);
  return hll;
}

const within = (estimate: number, exact: number) => Math.abs(estimate - exact) / exact;

describe('HyperLogLog (p = 14)', () => {
  it('estimates 10,000 distinct users within 2 %, and is exact for a handful', () => {
    expect(within(hllOf(0, 10_000).estimate(), 10_000)).toBeLessThanOrEqual(0.02);
    expect([new HyperLogLog().estimate(), hllOf(0, 1).estimate(), hllOf(0, 10).estimate()]).toEqual([0, 1, 10]);
  });

  it('stays within 2 % from 100 to 1,000,000 distinct values, with other key shapes', () => {
    for (const n of [100, 1_000, 30_000, 70_000, 1_000_000]) expect(within(hllOf(0, n, '10.0.0').estimate(), n), `n=${n}`).toBeLessThanOrEqual(0.02);
  });

  it('ignores repeats', () => {
    const hll = hllOf(0, 5_000);
    const before = hll.estimate();
    for (let round = 0; round < 3; round++) for (let i = 0; i < 5_000; i++) hll.add(`user-${i}`);
    expect(hll.estimate()).toBe(before);
  });

  it('merges to exactly the HLL of the union (overlapping sets)', () => {
    const merged = hllOf(0, 6_000).merge(hllOf(4_000, 10_000));
    expect(merged.registers).toEqual(hllOf(0, 10_000).registers);
    expect(within(merged.estimate(), 10_000)).toBeLessThanOrEqual(0.02);
  });

  it('round-trips sparse and dense encodings, sparse while few registers are set', () => {
    const small = hllOf(0, 100);
    const large = hllOf(0, 50_000);
    expect(small.toBytes().length).toBeLessThan(400);
    expect(large.toBytes().length).toBe(2 + 16_384);
    expect(HyperLogLog.fromBytes(small.toBytes()).registers).toEqual(small.registers);
    expect(HyperLogLog.fromBytes(large.toBytes()).registers).toEqual(large.registers);
  });

  it('rejects malformed encodings and mismatched precisions', () => {
    expect(() => HyperLogLog.fromBytes(new Uint8Array([0, 14, 1, 2]))).toThrow(RangeError);
    expect(() => HyperLogLog.fromBytes(new Uint8Array([1, 14, 0xff, 0xff, 1]))).toThrow(/out of range/);
    expect(() => HyperLogLog.fromBytes(new Uint8Array([1, 14, 0, 1, 99]))).toThrow(/rank 99/);
    expect(() => new HyperLogLog(14).merge(new HyperLogLog(12))).toThrow(/precision/);
  });
});
