import { existsSync } from 'node:fs';
import { storePathOf } from './config/store-path.js';
import { createCollectPerformanceMetrics } from './collect/collect-performance-metrics.js';
import { loadConfig } from './config/load.js';
import { createLogger } from './log.js';
import type { Snapshot } from './model/snapshot.js';
import { createSources } from './sources/create-sources.js';
import { openSqliteStore } from './store/sqlite/sqlite-store.js';

export interface CollectOptions {
  /** A perfpilot.yaml; default `perfpilot.yaml` in the working directory if present. */
  readonly configFile?: string;
  /** Environment variables to read overrides from (REDIS_URL, PERFPILOT_DATA, …); default process.env. */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * The original design's `collectPerformanceMetrics(environment, start, end)`, as a library
 * call: the snapshot of `environment` over [start, end]. Local sources (host, Redis,
 * PostgreSQL, apps) are read from the samples `perfpilot start` stored; remote ones
 * (CloudWatch, Datadog, Prometheus) are asked for the window. A source with nothing for the
 * window says so in `sources` and its readings stay null, never 0.
 *
 * @example
 * import { collectPerformanceMetrics } from 'perfpilot';
 * const end = new Date();
 * const snapshot = await collectPerformanceMetrics('local', new Date(end.getTime() - 5 * 60_000), end);
 * console.log(snapshot.metrics.cache.hitRate, snapshot.sources.redis);
 */
export async function collectPerformanceMetrics(environment: string, start: Date, end: Date, options: CollectOptions = {}): Promise<Snapshot> {
  const { config } = await loadConfig({ file: options.configFile, env: options.env });
  const logger = createLogger({ level: 'warn' });
  const { sources, notConfigured } = createSources(config, { logger });
  const path = storePathOf(config);
  const store = openSqliteStore(existsSync(path) ? path : ':memory:');
  try {
    return await createCollectPerformanceMetrics({ samples: store, sources, notConfigured })(environment, start, end);
  } finally {
    await Promise.allSettled(sources.map((s) => s.close?.()));
    await store.close();
  }
}
