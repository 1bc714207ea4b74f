import { z } from 'zod';
import { urlWith } from '../duration.js';

export const PostgresSourceConfig = z.strictObject({
  url: urlWith('postgres', 'postgresql'),
  slowQueryMs: z.number().positive().default(500),
});
