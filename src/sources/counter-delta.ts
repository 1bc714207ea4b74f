/**
 * The growth of a monotonic counter between two readings. A counter that went down was reset
 * (a restart, a stats reset, a wrap): it counted up from 0 since, so the growth is `after`.
 * Never negative. Null when either reading is missing.
 *
 * @example counterDelta(100, 130) // 30; counterDelta(100, 7) // 7 (reset)
 */
export function counterDelta(before: number | null | undefined, after: number | null | undefined): number | null {
  if (before === null || before === undefined || after === null || after === undefined) return null;
  return after >= before ? after - before : after;
}
