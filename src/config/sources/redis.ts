import { z } from 'zod';
import { urlWith } from '../duration.js';

export const RedisSourceConfig = z.strictObject({
  url: urlWith('redis', 'rediss'),
});
