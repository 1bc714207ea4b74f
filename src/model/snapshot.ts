import { z } from 'zod';
import { PerformanceMetrics } from './metrics.js';

export const FailureReason = z.enum(['auth', 'throttled', 'network', 'timeout', 'bad_response', 'not_found', 'empty']);
export type FailureReason = z.infer<typeof FailureReason>;

/** How one source fared over the window. `detail` says e.g. which method a reading used. */
export const SourceStatus = z.discriminatedUnion('status', [
  z.object({ status: z.literal('ok'), detail: z.string().optional() }),
  z.object({ status: z.literal('error'), message: z.string(), reason: FailureReason.optional() }),
  z.object({ status: z.literal('not_configured') }),
]);
export type SourceStatus = z.infer<typeof SourceStatus>;

export const Window = z.object({ start: z.iso.datetime(), end: z.iso.datetime() });
export type Window = z.infer<typeof Window>;

/** One snapshot, exactly the JSON of DESIGN.md §2. */
export const Snapshot = z.object({
  environment: z.string().min(1),
  window: Window,
  metrics: PerformanceMetrics,
  sources: z.record(z.string(), SourceStatus),
});
export type Snapshot = z.infer<typeof Snapshot>;
