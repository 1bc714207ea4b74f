import { z } from 'zod';
import { PerfpilotError } from '../../errors.js';
import { defineRoute, type ApiRoute } from '../api-route.js';
import type { AnalysesPort } from '../api-ports.js';
import { AnalysisSchema, EnvParam } from '../api-schemas.js';

const EnvQuery = z.strictObject({ env: EnvParam.optional() });

/** GET /api/v1/analysis: the latest analysis itself; 404 before the first one. */
export function latestAnalysisRoutes(analyses: AnalysesPort, defaultEnvironment: string): ApiRoute[] {
  return [defineRoute({
    method: 'GET',
    url: '/api/v1/analysis',
    summary: 'The latest analysis (404 before the first one)',
    tag: 'analysis',
    access: 'read',
    query: EnvQuery,
    response: AnalysisSchema,
    async handler({ query }) {
      const environment = query.env ?? defaultEnvironment;
      const analysis = await analyses.latestAnalysis(environment);
      if (!analysis) throw new PerfpilotError(`no analysis of environment "${environment}" yet`, { httpStatus: 404 });
      return analysis;
    },
  })];
}
