import { z } from 'zod';

/** Alert channels and routes (the alerting issue grows this). */
export const AlertsConfig = z.strictObject({
  channels: z.array(z.record(z.string(), z.unknown())).default([]),
});
