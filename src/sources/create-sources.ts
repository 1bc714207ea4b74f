import type { LoadedConfigValues } from '../config/load.js';
import type { Logger } from '../log.js';
import { createHostSource } from './host.js';
import { createPostgresSource } from './postgres.js';
import { createRedisSource } from './redis.js';
import { loadQueried } from './load-queried.js';
import { loadSampled } from './load-sampled.js';
import type { Source } from './source.js';

/** What a source factory may need besides its configuration. */
export interface SourceDeps {
  readonly logger?: Logger;
}

type Sources = LoadedConfigValues['sources'];
type Factory = (config: Sources, deps: SourceDeps, environment: string) => Source | null;

/** One line per source: its name, and how it is built from the config (null = off). */
const SOURCES: readonly (readonly [name: string, create: Factory])[] = [
  ['host', (s) => (s.host === false ? null : createHostSource(s.host))],
  ['redis', (s) => (s.redis ? createRedisSource({ url: s.redis.url }) : null)],
  ['postgres', (s) => (s.postgres ? createPostgresSource({ url: s.postgres.url, slowQueryMs: s.postgres.slowQueryMs }) : null)],
  // The app source and the remote sources import their libraries only when configured (load-sampled.ts, load-queried.ts).
  ['app', ({ app: c }) => (c ? loadSampled('app', async () => (await import('./app.js')).createAppSource({ targets: c.targets })) : null)],
  ['cloudwatch', ({ cloudwatch: c }, d, environment) => (c ? loadQueried('cloudwatch', async () => (await import('./cloudwatch.js')).createCloudWatchSource(c, { environment, ...d })) : null)],
  ['datadog', ({ datadog: c }, d) => (c ? loadQueried('datadog', async () => (await import('./datadog.js')).createDatadogSource(c, d)) : null)],
  ['prometheus', ({ prometheus: c }, d) => (c ? loadQueried('prometheus', async () => (await import('./prometheus.js')).createPrometheusSource(c, d)) : null)],
];

export interface CreatedSources {
  readonly sources: readonly Source[];
  /** Names of the sources that are off, for `not_configured` statuses. */
  readonly notConfigured: readonly string[];
}

/**
 * Builds the configured sources. Nothing connects yet: clients connect on the first sample.
 *
 * @example const { sources, notConfigured } = createSources(config, { logger });
 */
export function createSources(config: Pick<LoadedConfigValues, 'sources' | 'environment'>, deps: SourceDeps = {}): CreatedSources {
  const sources: Source[] = [];
  const notConfigured: string[] = [];
  for (const [name, create] of SOURCES) {
    const source = create(config.sources, deps, config.environment);
    if (source) sources.push(source);
    else notConfigured.push(name);
  }
  return { sources, notConfigured };
}
