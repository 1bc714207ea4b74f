import type { Redis } from 'ioredis';
import { zipfSampler } from '../../src/demo/zipf-sampler.js';

/** Deterministic numbers in [0, 1) (mulberry32), so runs are comparable. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface WorkloadOptions {
  readonly universe: number;
  readonly valueBytes: number;
  /** Share of keys written with a TTL; the rest have none. */
  readonly ttlShare: number;
  readonly seed?: number;
}

const key = (rank: number) => `item:${rank}`;
const hasTtl = (rank: number, share: number) => rank % Math.round(1 / share) === 0;

/**
 * Fills the cache the way a bulk import would: the coldest keys first, mostly without TTL,
 * until Redis refuses writes (OOM). Returns how many keys it wrote.
 */
export async function prefillCold(client: Redis, o: WorkloadOptions): Promise<number> {
  const value = 'x'.repeat(o.valueBytes);
  let written = 0;
  for (let rank = o.universe - 1; rank >= 0; rank -= 100) {
    const p = client.pipeline();
    for (let r = rank; r > rank - 100 && r >= 0; r--) {
      if (hasTtl(r, o.ttlShare)) p.set(key(r), value, 'EX', 3600);
      else p.set(key(r), value);
    }
    const replies = (await p.exec()) ?? [];
    const ok = replies.filter(([err]) => err === null).length;
    written += ok;
    if (ok < replies.length) return written;
  }
  return written;
}

/** A running cache-aside workload: GET, and SET on a miss. `mode` may be switched live. */
export interface Workload {
  mode: 'zipf' | 'misses';
  stop(): Promise<{ gets: number; rejectedWrites: number }>;
}

/** Cache-aside traffic with Zipfian keys, in pipelined batches, until stopped. */
export function startWorkload(client: Redis, o: WorkloadOptions): Workload {
  const next = zipfSampler(o.universe, 1.0, seededRandom(o.seed ?? 1));
  const value = 'x'.repeat(o.valueBytes);
  let stopped = false;
  let gets = 0;
  let rejectedWrites = 0;
  let missKey = 0;
  const w: Workload = {
    mode: 'zipf',
    async stop() {
      stopped = true;
      await loop;
      return { gets, rejectedWrites };
    },
  };
  const loop = (async () => {
    while (!stopped) {
      const ranks = Array.from({ length: 200 }, next);
      const names = w.mode === 'zipf' ? ranks.map(key) : ranks.map(() => `absent:${missKey++}`);
      const values = await client.mget(names);
      gets += names.length;
      if (w.mode === 'misses') continue;
      const p = client.pipeline();
      ranks.forEach((rank, i) => {
        if (values[i] !== null) return;
        if (hasTtl(rank, o.ttlShare)) p.set(key(rank), value, 'EX', 3600);
        else p.set(key(rank), value);
      });
      const replies = (await p.exec()) ?? [];
      rejectedWrites += replies.filter(([err]) => err !== null).length;
    }
  })();
  return w;
}
