import { z } from 'zod';
import { Snapshot } from '../../model/snapshot.js';
import { PerfpilotError } from '../../errors.js';
import { defineRoute, type ApiRoute } from '../api-route.js';
import type { MetricsPort } from '../api-ports.js';
import { EnvParam } from '../api-schemas.js';

/** GET /api/v1/snapshots/latest: the snapshot the scheduler analyzed last (any window: /api/v1/metrics). */
export function snapshotRoutes(metrics: MetricsPort, defaultEnvironment: string): ApiRoute[] {
  return [defineRoute({
    method: 'GET',
    url: '/api/v1/snapshots/latest',
    summary: 'The snapshot the scheduler analyzed last',
    tag: 'metrics',
    access: 'read',
    query: z.strictObject({ env: EnvParam.optional() }),
    response: Snapshot,
    async handler({ query }) {
      const env = query.env ?? defaultEnvironment;
      const snapshot = await metrics.latestSnapshot(env);
      if (!snapshot) throw new PerfpilotError(`no snapshot of environment "${env}" yet`, { httpStatus: 404 });
      return snapshot;
    },
  })];
}
