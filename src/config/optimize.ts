import { z } from 'zod';

/** The only targets the optimizer may touch (the optimizer issue grows this). */
export const OptimizeConfig = z.strictObject({
  targets: z.array(z.record(z.string(), z.unknown())).default([]),
});
