/**
 * A mergeable HyperLogLog for counting distinct users (DESIGN.md §2, concurrentUsers).
 *
 * Precision p = 14 gives 16,384 one-byte registers and a standard error of 1.04/√m ≈ 0.81 %.
 * Each value is hashed to 64 bits (two 32-bit halves): the top p bits of the first half pick the
 * register, the leading zeros of the second half give the rank (1–33). The estimate is Ertl's
 * improved estimator ("New cardinality estimation algorithms for HyperLogLog sketches", 2017),
 * which needs no bias-correction tables and holds from a handful of users to billions.
 */
export const HLL_PRECISION = 14;

const Q = 32; // rank bits: the rank of a register is 1 … Q + 1
const ENCODING_DENSE = 0;
const ENCODING_SPARSE = 1;

export class HyperLogLog {
  readonly registers: Uint8Array;

  /**
   * @example
   * const users = new HyperLogLog();
   * users.add('user-42');
   * users.estimate(); // ≈ 1
   */
  constructor(readonly precision: number = HLL_PRECISION, registers?: Uint8Array) {
    if (!Number.isInteger(precision) || precision < 4 || precision > 16) throw new RangeError(`HyperLogLog precision must be 4–16, got ${precision}`);
    this.registers = registers ?? new Uint8Array(1 << precision);
  }

  /** Adds a value (a user id, an address). */
  add(value: string): void {
    hashString(value);
    this.addHash(hashHigh, hashLow);
  }

  /** Adds a value already hashed with `hashString` (its `hashHigh`, `hashLow`), so a caller can cache hashes. */
  addHash(high: number, low: number): void {
    const index = high >>> (32 - this.precision);
    const rank = Math.clz32(low) + 1;
    if (rank > this.registers[index]!) this.registers[index] = rank;
  }

  /** In place: this becomes the union of both sets. */
  merge(other: HyperLogLog): this {
    if (other.precision !== this.precision) throw new RangeError(`cannot merge HyperLogLogs of precision ${this.precision} and ${other.precision}`);
    const mine = this.registers;
    const theirs = other.registers;
    for (let i = 0; i < mine.length; i++) if (theirs[i]! > mine[i]!) mine[i] = theirs[i]!;
    return this;
  }

  /** The estimated number of distinct values added. */
  estimate(): number {
    const m = this.registers.length;
    const histogram = new Array<number>(Q + 2).fill(0);
    for (const r of this.registers) histogram[r]!++;
    let z = m * tau(1 - histogram[Q + 1]! / m);
    for (let k = Q; k >= 1; k--) z = 0.5 * (z + histogram[k]!);
    z += m * sigma(histogram[0]! / m);
    return Math.round((m * m) / (2 * Math.LN2) / z);
  }

  /** A compact encoding: sparse (index, rank) triples while few registers are set, else dense. */
  toBytes(): Uint8Array {
    const regs = this.registers;
    let set = 0;
    for (const r of regs) if (r !== 0) set++;
    if (set * 3 >= regs.length) {
      const out = new Uint8Array(2 + regs.length);
      out[0] = ENCODING_DENSE;
      out[1] = this.precision;
      out.set(regs, 2);
      return out;
    }
    const out = new Uint8Array(2 + set * 3);
    out[0] = ENCODING_SPARSE;
    out[1] = this.precision;
    let at = 2;
    for (let i = 0; i < regs.length; i++) {
      if (regs[i] === 0) continue;
      out[at++] = i >>> 8;
      out[at++] = i & 0xff;
      out[at++] = regs[i]!;
    }
    return out;
  }

  /** Decodes `toBytes()`; throws a RangeError on malformed input. */
  static fromBytes(bytes: Uint8Array): HyperLogLog {
    const [encoding, precision] = bytes;
    if (precision === undefined) throw new RangeError('HyperLogLog encoding is too short');
    const hll = new HyperLogLog(precision);
    const size = hll.registers.length;
    if (encoding === ENCODING_DENSE && bytes.length === 2 + size) {
      hll.registers.set(bytes.subarray(2));
    } else if (encoding === ENCODING_SPARSE && (bytes.length - 2) % 3 === 0) {
      for (let at = 2; at < bytes.length; at += 3) {
        const index = (bytes[at]! << 8) | bytes[at + 1]!;
        if (index >= size) throw new RangeError(`HyperLogLog register ${index} out of range`);
        hll.registers[index] = bytes[at + 2]!;
      }
    } else {
      throw new RangeError(`unknown HyperLogLog encoding ${encoding} of ${bytes.length} bytes`);
    }
    for (const r of hll.registers) if (r > Q + 1) throw new RangeError(`HyperLogLog rank ${r} out of range`);
    return hll;
  }
}

/** The two halves of the last `hashString` result (module state avoids allocating a pair). */
export let hashHigh = 0;
export let hashLow = 0;

/** A 64-bit string hash (cyrb53's two lanes, murmur3 finalizers); read `hashHigh`/`hashLow` after. */
export function hashString(value: string): void {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  hashHigh = h1 >>> 0;
  hashLow = h2 >>> 0;
}

function sigma(x: number): number {
  if (x === 1) return Infinity;
  let y = 1;
  let z = x;
  for (;;) {
    x *= x;
    const previous = z;
    z += x * y;
    y += y;
    if (z === previous) return z;
  }
}

function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let y = 1;
  let z = 1 - x;
  for (;;) {
    x = Math.sqrt(x);
    const previous = z;
    y *= 0.5;
    z -= (1 - x) ** 2 * y;
    if (z === previous) return z / 3;
  }
}
