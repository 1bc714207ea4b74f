import { z } from 'zod';
import { urlWith } from '../duration.js';

export const AppSourceConfig = z.strictObject({
  targets: z.array(urlWith('http', 'https')).min(1),
});
