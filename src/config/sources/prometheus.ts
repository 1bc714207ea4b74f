import { z } from 'zod';
import { urlWith } from '../duration.js';
import { isFieldPath } from '../../model/fields.js';
import { RemoteCallOptions } from './remote.js';

const Preset = z.enum(['exporters', 'perfpilot']);

/**
 * Prometheus, or any store that answers PromQL over the HTTP API (VictoriaMetrics, Thanos, Mimir…).
 *
 * ```yaml
 * prometheus:
 *   url: http://prometheus:9090          # basic auth as http://user:password@host:9090
 *   preset: [exporters, perfpilot]       # node/redis/postgres exporters; perfpilot's own /metrics
 *   selector: 'env="prod"'               # label matchers added to every series the presets select
 *   queries:                             # per field; $range is the window ("300s", or "5117ms"), $selector as above
 *     database.connections: 'sum(pg_stat_activity_count{datname="shop"})'
 * ```
 */
export const PrometheusSourceConfig = z.strictObject({
  url: urlWith('http', 'https'),
  preset: z.union([Preset, z.array(Preset)]).default('exporters').transform((p) => (Array.isArray(p) ? p : [p])),
  selector: z.string().regex(/^[^{}]*$/, 'expected label matchers without braces, e.g. env="prod",job="node"').default(''),
  queries: z.record(z.string().refine((key): boolean => isFieldPath(key), { message: 'expected a field of the model, e.g. cache.hitRate' }), z.string().min(1)).default({}),
  ...RemoteCallOptions,
});
export type PrometheusSourceConfig = z.output<typeof PrometheusSourceConfig>;
