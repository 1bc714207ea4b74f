import { z } from 'zod';
import { SourceStatus } from '../../model/snapshot.js';
import { defineRoute, type ApiRoute } from '../api-route.js';
import type { MetricsPort } from '../api-ports.js';
import { EnvParam } from '../api-schemas.js';

/** GET /api/v1/sources: how each source fared in the latest snapshot. */
export function sourceRoutes(metrics: MetricsPort, defaultEnvironment: string): ApiRoute[] {
  return [defineRoute({
    method: 'GET',
    url: '/api/v1/sources',
    summary: 'Source health, from the latest snapshot',
    tag: 'metrics',
    access: 'read',
    query: z.strictObject({ env: EnvParam.optional() }),
    response: z.object({ windowEnd: z.string().nullable(), sources: z.record(z.string(), SourceStatus) }),
    async handler({ query }) {
      const snapshot = await metrics.latestSnapshot(query.env ?? defaultEnvironment);
      return { windowEnd: snapshot?.window.end ?? null, sources: snapshot?.sources ?? {} };
    },
  })];
}
