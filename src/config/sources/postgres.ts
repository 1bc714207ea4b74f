import { z } from 'zod';
import { urlWith } from '../duration.js';

/** `postgres: false` turns the source off (and stops the local probe on 127.0.0.1:5432). */
export const PostgresSourceConfig = z.union([z.literal(false), z.strictObject({
  url: urlWith('postgres', 'postgresql'),
  /** A statement slower than this, in ms, counts as a slow query. */
  slowQueryMs: z.number().positive().default(500),
})]);
