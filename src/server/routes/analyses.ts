import { z } from 'zod';
import type { Recommendation, Severity } from '../../analyze/analysis.js';
import { defineRoute, type ApiRoute } from '../api-route.js';
import { EnvParam, IssueSchema, RecommendationSchema, StatusSchema } from '../api-schemas.js';
import type { AnalysesPort } from '../api-ports.js';

const EnvQuery = z.strictObject({ env: EnvParam.optional() });
const RANK: Record<Severity, number> = { high: 0, medium: 1, low: 2 };

/** Highest priority first, then least effort; one per type. */
export function rankRecommendations(list: readonly Recommendation[]): Recommendation[] {
  const seen = new Set<string>();
  return [...list]
    .sort((a, b) => RANK[a.priority] - RANK[b.priority] || RANK[b.effort] - RANK[a.effort])
    .filter((r) => !seen.has(r.type) && seen.add(r.type));
}

/** The issues and the ranked recommendations of the latest analysis (the whole one: /api/v1/analysis). */
export function issueRoutes(analyses: AnalysesPort, defaultEnvironment: string): ApiRoute[] {
  const latest = (env: string | undefined) => analyses.latestAnalysis(env ?? defaultEnvironment);
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/issues',
      summary: 'The issues of the latest analysis',
      tag: 'analysis',
      access: 'read',
      query: EnvQuery,
      response: z.object({ status: StatusSchema.nullable(), analyzedAt: z.string().nullable(), issues: z.array(IssueSchema) }),
      async handler({ query }) {
        const a = await latest(query.env);
        return { status: a?.status ?? null, analyzedAt: a?.analyzedAt ?? null, issues: a?.issues ?? [] };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/recommendations',
      summary: 'The recommendations of the latest analysis, ranked',
      tag: 'analysis',
      access: 'read',
      query: EnvQuery,
      response: z.object({ analyzedAt: z.string().nullable(), recommendations: z.array(RecommendationSchema) }),
      async handler({ query }) {
        const a = await latest(query.env);
        return { analyzedAt: a?.analyzedAt ?? null, recommendations: rankRecommendations(a?.recommendations ?? []) };
      },
    }),
  ];
}
