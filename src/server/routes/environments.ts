import { z } from 'zod';
import { defineRoute, type ApiRoute } from '../api-route.js';
import type { AnalysesPort, MetricsPort } from '../api-ports.js';
import { StatusSchema } from '../api-schemas.js';

const Answer = z.object({
  environments: z.array(z.object({
    name: z.string(),
    /** null until the first analysis. */
    status: StatusSchema.nullable(),
    analyzedAt: z.string().nullable(),
  })),
});

/** GET /api/v1/environments: every monitored environment with its latest status. */
export function environmentRoutes(metrics: MetricsPort, analyses: AnalysesPort): ApiRoute[] {
  return [defineRoute({
    method: 'GET',
    url: '/api/v1/environments',
    summary: 'Monitored environments and their latest status',
    tag: 'metrics',
    access: 'read',
    response: Answer,
    async handler() {
      const names = await metrics.environments();
      const environments = await Promise.all(names.map(async (name) => {
        const analysis = await analyses.latestAnalysis(name);
        return { name, status: analysis?.status ?? null, analyzedAt: analysis?.analyzedAt ?? null };
      }));
      return { environments };
    },
  })];
}
