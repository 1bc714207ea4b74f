import { z } from 'zod';
import { urlWith } from '../duration.js';

/** `redis: false` turns the source off (and stops the local probe on 127.0.0.1:6379). */
export const RedisSourceConfig = z.union([z.literal(false), z.strictObject({
  url: urlWith('redis', 'rediss'),
})]);
