import { dirname, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Analysis } from './analyze/analysis.js';
import { analyzePerformance } from './analyze/analyze-performance.js';
import { createAnalysisContext, type AnalysisContext } from './analyze/analysis-context.js';
import { resolveRules } from './analyze/resolve-rules.js';
import type { Rule } from './analyze/rules.js';
import { alertListener } from './alert/alert-listener.js';
import { createAlerting, type Alerting } from './alert/create-alerting.js';
import { createCollectPerformanceMetrics, type CollectPerformanceMetrics } from './collect/collect-performance-metrics.js';
import { createScheduler, type Scheduler } from './collect/scheduler.js';
import { withRecentSamples } from './collect/recent-samples.js';
import type { LoadedConfig, LoadedConfigValues } from './config/load.js';
import { storePathOf } from './config/store-path.js';
import type { Logger } from './log.js';
import type { Snapshot } from './model/snapshot.js';
import { createOptimizer, type Optimizer } from './optimize/create-optimizer.js';
import type { Api } from './server/api.js';
import { loadTokens, type LoadedTokens } from './server/auth.js';
import { createServer } from './server/create-server.js';
import { alertRoutes } from './server/routes/alerts.js';
import { createMetricsPort } from './server/metrics-port.js';
import { createOptimizerPort } from './server/optimizer-port.js';
import { createSources } from './sources/create-sources.js';
import type { SampledSource, Source } from './sources/source.js';
import { openSqliteStore } from './store/sqlite/sqlite-store.js';
import type { Store } from './store/store.js';
import { fullGc } from './util/full-gc.js';

/** What every entry point needs: the store, the sources, and the collector and analyzer bound to them. */
export interface Core {
  readonly config: LoadedConfigValues;
  readonly logger: Logger;
  readonly store: Store;
  readonly sources: readonly Source[];
  readonly sampledSources: readonly SampledSource[];
  readonly notConfigured: readonly string[];
  readonly collectPerformanceMetrics: CollectPerformanceMetrics;
  /** The alert router (also the Notifier for one-off events) and its delivery loop, not started. */
  readonly alerting: Alerting;
  /** The built-in rules with the configuration's overrides, resolved once. */
  readonly rules: readonly Rule[];
  /** History and evidence carried between analyses. */
  readonly analysisContext: AnalysisContext;
  analyze(snapshot: Snapshot): Analysis;
  /** Plan, apply, verify and roll back with it (src/optimize); notifies through the alert router. */
  readonly optimizer: Optimizer;
  /** Closes the sources' clients and the store. */
  close(): Promise<void>;
}

export interface CoreOptions {
  /** Overrides `store.path` (e.g. ":memory:"). */
  readonly storePath?: string;
  readonly now?: () => number;
}

/**
 * The composition root's first half: config → sources, store, collector, analyzer.
 * `perfpilot analyze` and the library use this; `start` adds the scheduler and server.
 */
export function openCore(config: LoadedConfigValues, logger: Logger, options: CoreOptions = {}): Core {
  const now = options.now ?? Date.now;
  const { sources, notConfigured } = createSources(config, { logger });
  const store = openSqliteStore(options.storePath ?? storePathOf(config));
  const collectPerformanceMetrics = createCollectPerformanceMetrics({ samples: store, sources, notConfigured });
  const rules = resolveRules(config.rules);
  const analysisContext = createAnalysisContext();
  const alerting = createAlerting({ store, alerts: config.alerts, rules, locale: config.locale, logger, now });
  const optimizer = createOptimizer({ environment: config.environment, config: config.optimize, audit: store, logger, collect: collectPerformanceMetrics, notifier: alerting.router, now });
  return {
    config,
    logger,
    store,
    sources,
    sampledSources: sources.filter((s): s is SampledSource => s.kind === 'sampled'),
    notConfigured,
    collectPerformanceMetrics,
    rules,
    alerting,
    analysisContext,
    analyze: (snapshot) => analyzePerformance(snapshot, { locale: config.locale, now: new Date(now()), rules, ...analysisContext.current() }),
    optimizer,
    async close() {
      await Promise.allSettled([...sources.map((s) => s.close?.()), optimizer.close()]);
      await store.close();
    },
  };
}

/** How long `close` waits for the cycle in flight: `start` must exit within 10 s of a signal. */
const STOP_WAIT_MS = 7_000;

/** `perfpilot start`: the core plus the scheduler and the HTTP server. */
export interface App {
  readonly core: Core;
  readonly scheduler: Scheduler;
  readonly http: FastifyInstance;
  readonly api: Api;
  readonly tokens: LoadedTokens;
  /** Starts the scheduler and listens; resolves with the URL served. */
  start(): Promise<string>;
  /** Finishes the cycle in flight, stops serving, then closes sources and store. */
  close(): Promise<void>;
}

export interface AppOptions extends CoreOptions {
  /** Overrides `server.port` (`--port`). */
  readonly port?: number;
}

/** The composition root: the one place the parts are wired together. */
export async function createApp(loaded: LoadedConfig, logger: Logger, options: AppOptions = {}): Promise<App> {
  const { config } = loaded;
  const now = options.now ?? Date.now;
  const core = openCore(config, logger, options);
  // The scheduler re-reads its window every cycle: from memory, not from disk.
  const recent = withRecentSamples(core.store);
  const scheduler = createScheduler({
    environment: config.environment,
    sources: core.sampledSources,
    store: core.store,
    samples: recent,
    collect: createCollectPerformanceMetrics({ samples: recent, sources: core.sources, notConfigured: core.notConfigured }),
    analyze: core.analyze,
    logger,
    intervalMs: config.interval,
    windowMs: config.window,
    retentionMs: config.store.retention,
    listeners: [alertListener({
      router: core.alerting.router,
      context: core.analysisContext,
      samples: core.store,
      lookbackMs: 3 * config.interval,
      rules: core.rules,
      // Alert rules look at the latest interval (read from the store: the in-memory recent
      // samples serve the analysis window and would be trimmed by a shorter read).
      collectRecent: createCollectPerformanceMetrics({ samples: core.store, sources: core.sampledSources }),
      intervalMs: config.interval,
      windowMs: config.window,
      evaluationWindowMs: config.alerts.evaluationWindow ?? config.interval,
      minRequests: config.alerts.minRequests,
    })],
    fullGc,
    now,
  });
  const storePath = options.storePath ?? storePathOf(config);
  const tokens = await loadTokens(storePath === ':memory:' ? resolve('.perfpilot') : dirname(storePath));
  const { app: http, api } = createServer(logger, {
    environment: config.environment,
    windowMs: config.window,
    metrics: createMetricsPort({ environment: config.environment, store: core.store, sources: core.sources, collect: core.collectPerformanceMetrics }),
    analyses: core.store,
    tokens: tokens.tokens,
    config,
    optimizer: core.optimizer.targets.size
      ? createOptimizerPort(core.optimizer, { stored: { windowMs: config.window, intervalMs: config.interval, redisUrl: config.sources.redis ? config.sources.redis.url : null } })
      : null,
    now,
  });
  api.addRoutes(alertRoutes({ store: core.store, channels: config.alerts.channels.map((c) => c.name), defaultSilenceMs: config.alerts.silences.defaultDuration, now }));
  return {
    core,
    scheduler,
    http,
    api,
    tokens,
    async start() {
      const url = await http.listen({ host: config.server.host, port: options.port ?? config.server.port });
      scheduler.start();
      core.alerting.delivery.start();
      return url;
    },
    async close() {
      await Promise.allSettled([scheduler.stop(STOP_WAIT_MS), http.close(), core.alerting.delivery.stop()]);
      await core.close();
    },
  };
}
