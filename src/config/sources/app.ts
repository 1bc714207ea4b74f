import { z } from 'zod';
import { urlWith } from '../duration.js';

/**
 * `sources.app`: instrumented services (`perfpilot/instrument`), by the base URL of their export
 * server (`perf.serve`), e.g. `targets: [http://10.0.0.5:9465]`; `PERFPILOT_APP_TARGETS` takes a
 * comma-separated list.
 */
export const AppSourceConfig = z.strictObject({
  targets: z.array(urlWith('http', 'https')).min(1),
});
