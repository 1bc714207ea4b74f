import { z } from 'zod';
import { Snapshot } from '../../model/snapshot.js';
import { defineRoute, type ApiRoute } from '../api-route.js';
import type { MetricsPort } from '../api-ports.js';
import { EnvParam, TimeParam } from '../api-schemas.js';
import { InputError } from '../errors.js';

const MetricsQuery = z.strictObject({ env: EnvParam.optional(), from: TimeParam.optional(), to: TimeParam.optional() });

/** GET /api/v1/metrics: the snapshot of a window; by default the last `windowMs` up to now. */
export function metricsRoutes(metrics: MetricsPort, defaultEnvironment: string, windowMs: number, now: () => number = Date.now): ApiRoute[] {
  return [defineRoute({
    method: 'GET',
    url: '/api/v1/metrics',
    summary: 'The snapshot of a window (from, to; default the last window)',
    tag: 'metrics',
    access: 'read',
    query: MetricsQuery,
    response: Snapshot,
    async handler({ query }) {
      const toMs = query.to ?? now();
      const fromMs = query.from ?? toMs - windowMs;
      if (fromMs >= toMs) throw new InputError('query.from', 'must be before to');
      return metrics.snapshot(query.env ?? defaultEnvironment, { fromMs, toMs });
    },
  })];
}
