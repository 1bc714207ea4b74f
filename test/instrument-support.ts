import { subscribe } from 'node:diagnostics_channel';
import type { Server, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';

/** The load: 600 requests of 20 ms, 350 of 100 ms, 50 of 400 ms (1,000 in all). */
export const DELAY_PLAN: readonly { readonly ms: number; readonly count: number }[] = [
  { ms: 20, count: 600 },
  { ms: 100, count: 350 },
  { ms: 400, count: 50 },
];

/** The paths of a plan, in a fixed shuffled order so slow and fast requests overlap. */
export function planPaths(plan: readonly { ms: number; count: number }[], path: (ms: number, i: number) => string): string[] {
  const paths = plan.flatMap(({ ms, count }) => Array.from({ length: count }, (_, i) => path(ms, i)));
  let seed = 42;
  for (let i = paths.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    const j = seed % (i + 1);
    [paths[i], paths[j]] = [paths[j]!, paths[i]!];
  }
  return paths;
}

/** Sends every path with `concurrency` requests at a time; returns the status of each. */
export async function runLoad(baseUrl: string, paths: readonly string[], concurrency = 50, headers: (i: number) => Record<string, string> = () => ({})): Promise<number[]> {
  const statuses: number[] = new Array(paths.length);
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < paths.length) {
      const i = next++;
      const res = await fetch(baseUrl + paths[i], { headers: headers(i) });
      await res.arrayBuffer();
      statuses[i] = res.status;
    }
  }));
  return statuses;
}

/**
 * The test's own server-side measurement, by code of its own and another way than perfpilot's:
 * from Node's `http.server.request.start` message to its `http.server.response.finish` message.
 * Node publishes these just after it makes the response (where perfpilot notes the start) and
 * just before it detaches the finished response (where perfpilot notes the finish). (A 'finish'
 * listener of the test's would run after Node's own, which for pipelined requests first flushes
 * the next response: up to a millisecond later on a busy machine.)
 */
export function measureServer(server: Server): number[] {
  const durations: number[] = [];
  const starts = new WeakMap<ServerResponse, number>();
  type Message = { server: Server; response: ServerResponse };
  subscribe('http.server.request.start', (m) => {
    if ((m as Message).server === server) starts.set((m as Message).response, performance.now());
  });
  subscribe('http.server.response.finish', (m) => {
    const startMs = (m as Message).server === server ? starts.get((m as Message).response) : undefined;
    if (startMs !== undefined) durations.push(performance.now() - startMs);
  });
  return durations;
}

/** The exact value at quantile q: the ⌊q·(n−1)⌋-th smallest, the rank DDSketch reports. */
export function exactQuantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(q * (sorted.length - 1))]!;
}

/** |actual − expected| / expected. */
export function relativeError(actual: number | null, expected: number): number {
  if (actual === null) return Infinity;
  return Math.abs(actual - expected) / expected;
}
