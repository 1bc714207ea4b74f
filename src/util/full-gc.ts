/**
 * A full garbage collection where the launcher exposes one (`--expose-gc` in bin/perfpilot.js),
 * else null: under a test runner, or as a library inside someone else's process.
 *
 * Why perfpilot asks for one: what a cycle leaves behind (client replies, timeout signals,
 * rule evaluation) lives a few seconds, long enough for V8 to promote it, and V8 runs its
 * first full GC only once old space has grown 8 MB past its start-up size. Without it, `start`
 * at a 1 s interval climbed about 0.5 MiB a minute for 12 minutes; with one every 30 s its
 * RSS is flat from the first minute (bench/RESULTS.md, start).
 */
export const fullGc: (() => void) | null = typeof (globalThis as { gc?: unknown }).gc === 'function'
  ? (globalThis as unknown as { gc: () => void }).gc
  : null;
