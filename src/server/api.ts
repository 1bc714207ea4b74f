import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { defineRoute, registerApiRoutes, type ApiRoute } from './api-route.js';
import type { AnalysesPort, MetricsPort } from './api-ports.js';
import { createAuthGuards, type ApiTokens, type AuthGuards } from './auth.js';
import { installErrorHandler } from './errors.js';
import { createLiveHub, type LiveHub } from './live-hub.js';
import { openapiDocument, type ForeignRoute } from './openapi.js';
import { createRateLimit, type RateLimitOptions } from './rate-limit.js';
import { latestAnalysisRoutes } from './routes/analysis.js';
import { issueRoutes } from './routes/analyses.js';
import { configRoutes } from './routes/config.js';
import { registerDashboard } from './routes/dashboard.js';
import { environmentRoutes } from './routes/environments.js';
import { eventRoutes } from './routes/events.js';
import { metricsRoutes } from './routes/metrics.js';
import { optimizeRoutes, type OptimizerPort } from './routes/optimize.js';
import { seriesRoutes } from './routes/series.js';
import { snapshotRoutes } from './routes/snapshots.js';
import { sourceRoutes } from './routes/sources.js';

export interface ApiDeps {
  readonly environment: string;
  /** The default window of GET /api/v1/metrics. */
  readonly windowMs: number;
  readonly metrics: MetricsPort;
  readonly analyses: AnalysesPort;
  readonly tokens: ApiTokens;
  /** The validated configuration; answered with secrets removed. */
  readonly config: unknown;
  /** Null until the optimizer is wired: its routes then answer "not available". */
  readonly optimizer?: OptimizerPort | null;
  readonly rateLimit?: RateLimitOptions;
  readonly version?: string;
  readonly now?: () => number;
}

/** What other modules use to guard their own routes, and to push live events. */
export interface Api {
  readonly live: LiveHub;
  /** The routes described here, with their schemas (what the OpenAPI document is made from). */
  readonly routes: readonly ApiRoute[];
  readonly guards: AuthGuards & { readonly rateLimit: ReturnType<typeof createRateLimit> };
  /**
   * Registers another module's routes as this module registers its own: guarded by their
   * access, validated by their schemas, and documented from those schemas in the OpenAPI
   * document (a route added with `app.get` directly is listed by method and URL only).
   */
  addRoutes(routes: readonly ApiRoute[]): void;
}

/**
 * Registers the error handler, every `/api/v1` route in the list below, the OpenAPI document,
 * live events and the dashboard. Another module adds its routes with `api.addRoutes`. Routes
 * added to `app` directly under /api/ are still listed in the OpenAPI document (by method and
 * URL) and their GET routes get the read-token guard; their writes must use `api.guards`.
 *
 * @example
 * const api = registerApi(app, deps);
 * api.addRoutes([defineRoute({ method: 'POST', url: '/api/v1/silences', access: 'write', body: NewSilence, ... })]);
 */
export function registerApi(app: FastifyInstance, deps: ApiDeps): Api {
  installErrorHandler(app);
  const now = deps.now ?? Date.now;
  const env = deps.environment;
  const auth = createAuthGuards(deps.tokens);
  const rateLimit = createRateLimit(deps.rateLimit);
  const live = createLiveHub(deps.metrics, deps.analyses);
  app.addHook('preClose', async () => live.close());
  const routes: ApiRoute[] = [
    ...environmentRoutes(deps.metrics, deps.analyses),
    ...metricsRoutes(deps.metrics, env, deps.windowMs, now),
    ...seriesRoutes(deps.metrics, env, now),
    ...snapshotRoutes(deps.metrics, env),
    ...sourceRoutes(deps.metrics, env),
    ...latestAnalysisRoutes(deps.analyses, env),
    ...issueRoutes(deps.analyses, env),
    ...optimizeRoutes(deps.optimizer ?? null, env, live, now),
    ...configRoutes(deps.config),
    ...eventRoutes(live),
  ];
  const ours = new Set([...routes.map((r) => `${r.method} ${r.url}`), 'GET /api/v1/openapi.json']);
  const foreign: ForeignRoute[] = [];
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/')) return;
    for (const method of [route.method].flat()) {
      if (method === 'HEAD' || ours.has(`${method} ${route.url}`)) continue;
      foreign.push({ method, url: route.url });
      if (method === 'GET') route.preHandler = [auth.read, ...[route.preHandler ?? []].flat()];
    }
  });
  let document: unknown = null;
  routes.push(defineRoute({
    method: 'GET',
    url: '/api/v1/openapi.json',
    summary: 'This document: OpenAPI 3.1, generated from the schemas that validate each request',
    tag: 'meta',
    access: 'read',
    response: z.record(z.string(), z.unknown()),
    async handler() {
      return (document ??= openapiDocument(routes, foreign, deps.version ?? '0.1.0'));
    },
  }));
  registerApiRoutes(app, routes, { auth, rateLimit });
  registerDashboard(app);
  return {
    live,
    routes,
    guards: { ...auth, rateLimit },
    addRoutes(extra) {
      for (const route of extra) ours.add(`${route.method} ${route.url}`);
      routes.push(...extra);
      document = null;
      registerApiRoutes(app, extra, { auth, rateLimit });
    },
  };
}
