import { z } from 'zod';
import { urlWith } from '../duration.js';

export const PrometheusSourceConfig = z.strictObject({
  url: urlWith('http', 'https'),
  preset: z.enum(['exporters', 'perfpilot']).default('exporters'),
});
