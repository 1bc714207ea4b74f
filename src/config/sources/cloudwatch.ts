import { z } from 'zod';

export const CloudWatchSourceConfig = z.strictObject({
  region: z.string().default('us-east-1'),
  endpoint: z.string().nullable().default(null),
  preset: z.enum(['aws']).default('aws'),
  dimensions: z.record(z.string(), z.unknown()).default({}),
});
