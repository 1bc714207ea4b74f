import type { DDSketch } from '@datadog/sketches-js';

/**
 * The DDSketch protobuf message (sketches-go `ddsketch.proto`), written and read by hand.
 * `DDSketch.toProto`/`fromProto` load protobufjs, about a megabyte of private memory in every
 * instrumented process; this is byte-for-byte what `toProto` writes, and reads both of the
 * message's bin layouts (contiguous counts and the `binCounts` map).
 *
 * message DDSketch     { IndexMapping mapping = 1; Store positiveValues = 2; Store negativeValues = 3; double zeroCount = 4; }
 * message IndexMapping { double gamma = 1; double indexOffset = 2; Interpolation interpolation = 3; }
 * message Store        { map<sint32, double> binCounts = 1; repeated double contiguousBinCounts = 2 [packed]; sint32 contiguousBinIndexOffset = 3; }
 */
interface Store {
  readonly bins: number[];
  readonly offset: number;
  add(key: number, weight: number): void;
}

interface MappingFields {
  readonly gamma: number;
  readonly _offset: number;
}

/**
 * @example encodeSketchProto(sketch) // the same bytes as sketch.toProto()
 */
export function encodeSketchProto(sketch: DDSketch): Uint8Array {
  const mapping = sketch.mapping as unknown as MappingFields;
  const out = new Writer();
  out.message(1, (w) => {
    w.tag(1, 1).double(mapping.gamma);
    w.tag(2, 1).double(mapping._offset);
    w.tag(3, 0).varint(0); // Interpolation.NONE: a LogarithmicMapping
  });
  for (const [field, store] of [[2, sketch.store], [3, sketch.negativeStore]] as const) {
    out.message(field, (w) => {
      const { bins, offset } = store as unknown as Store;
      if (bins.length > 0) w.message(2, (packed) => bins.forEach((count) => packed.double(count)));
      w.tag(3, 0).varint(((offset << 1) ^ (offset >> 31)) >>> 0);
    });
  }
  out.tag(4, 1).double(sketch.zeroCount);
  return Uint8Array.from(out.bytes);
}

/** The mapping a message was written with, for the caller to check against its own. */
export interface DecodedMapping {
  gamma: number;
  indexOffset: number;
  interpolation: number;
}

/**
 * Adds the bins of an encoded sketch into `into` (an empty sketch); returns its mapping.
 * @example const mapping = decodeSketchProto(bytes, newSketch());
 */
export function decodeSketchProto(bytes: Uint8Array, into: DDSketch): DecodedMapping {
  const mapping: DecodedMapping = { gamma: NaN, indexOffset: 0, interpolation: 0 };
  new Reader(bytes).fields((field, r) => {
    if (field === 1) r.message().fields((f, m) => {
      if (f === 1) mapping.gamma = m.double();
      else if (f === 2) mapping.indexOffset = m.double();
      else if (f === 3) mapping.interpolation = m.varint();
      else return false;
      return true;
    });
    else if (field === 2 || field === 3) readStore(r.message(), (field === 2 ? into.store : into.negativeStore) as unknown as Store);
    else if (field === 4) into.zeroCount = r.double();
    else return false;
    return true;
  });
  into.count = into.store.count + into.negativeStore.count + into.zeroCount;
  return mapping;
}

function readStore(r: Reader, store: Store): void {
  const contiguous: number[] = [];
  let offset = 0;
  r.fields((field, f, wire) => {
    if (field === 1) {
      let key = 0;
      let count = 0;
      f.message().fields((g, e) => {
        if (g === 1) key = zigzag(e.varint());
        else if (g === 2) count = e.double();
        else return false;
        return true;
      });
      if (count > 0) store.add(key, count);
    } else if (field === 2 && wire === 2) {
      const packed = f.message();
      while (!packed.done()) contiguous.push(packed.double());
    } else if (field === 2 && wire === 1) contiguous.push(f.double());
    else if (field === 3) offset = zigzag(f.varint());
    else return false;
    return true;
  });
  contiguous.forEach((count, i) => count > 0 && store.add(offset + i, count));
}

const zigzag = (n: number) => (n >>> 1) ^ -(n & 1);

class Writer {
  readonly bytes: number[] = [];
  private readonly scratch = new DataView(new ArrayBuffer(8));

  tag(field: number, wire: number): this {
    return this.varint((field << 3) | wire);
  }

  varint(n: number): this {
    while (n > 0x7f) {
      this.bytes.push((n & 0x7f) | 0x80);
      n >>>= 7;
    }
    this.bytes.push(n);
    return this;
  }

  double(x: number): this {
    this.scratch.setFloat64(0, x, true);
    for (let i = 0; i < 8; i++) this.bytes.push(this.scratch.getUint8(i));
    return this;
  }

  /** A length-delimited field whose body `write` produces. */
  message(field: number, write: (w: Writer) => void): this {
    const body = new Writer();
    write(body);
    this.tag(field, 2).varint(body.bytes.length);
    for (const b of body.bytes) this.bytes.push(b);
    return this;
  }
}

class Reader {
  private at = 0;
  private readonly view: DataView;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  done(): boolean {
    return this.at >= this.bytes.length;
  }

  varint(): number {
    let result = 0;
    for (let shift = 0; ; shift += 7) {
      if (this.at >= this.bytes.length || shift > 63) throw new RangeError('truncated protobuf varint');
      const b = this.bytes[this.at++]!;
      if (shift < 32) result |= (b & 0x7f) << shift;
      if (b < 0x80) return result >>> 0;
    }
  }

  double(): number {
    if (this.at + 8 > this.bytes.length) throw new RangeError('truncated protobuf double');
    const x = this.view.getFloat64(this.at, true);
    this.at += 8;
    return x;
  }

  message(): Reader {
    const length = this.varint();
    if (this.at + length > this.bytes.length) throw new RangeError('truncated protobuf message');
    const sub = new Reader(this.bytes.subarray(this.at, this.at + length));
    this.at += length;
    return sub;
  }

  /** Calls `read` for each field; a field it does not know (returns false) is skipped. */
  fields(read: (field: number, r: Reader, wire: number) => boolean): void {
    while (!this.done()) {
      const key = this.varint();
      const field = key >>> 3;
      const wire = key & 7;
      if (!read(field, this, wire)) this.skip(wire);
    }
  }

  private skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.at += 8;
    else if (wire === 2) this.message();
    else if (wire === 5) this.at += 4;
    else throw new RangeError(`unsupported protobuf wire type ${wire}`);
  }
}
