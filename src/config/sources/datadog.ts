import { z } from 'zod';

export const DatadogSourceConfig = z.strictObject({
  site: z.string().default('datadoghq.com'),
});
