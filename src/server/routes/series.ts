import { z } from 'zod';
import { defineRoute, type ApiRoute } from '../api-route.js';
import type { MetricsPort } from '../api-ports.js';
import { DurationParam, EnvParam, FieldsParam, SeriesAnswer, TimeParam } from '../api-schemas.js';
import { InputError } from '../errors.js';

const MAX_POINTS = 1_000;

const SeriesQuery = z.strictObject({
  /** One field (`field=application.responseTime.p99`) or several, comma-separated. */
  field: FieldsParam.optional(),
  fields: FieldsParam.optional(),
  env: EnvParam.optional(),
  from: TimeParam,
  to: TimeParam.optional(),
  step: DurationParam.optional(),
});

/** About 300 points over the range, in whole seconds. */
function defaultStepMs(rangeMs: number): number {
  return Math.max(1_000, Math.ceil(rangeMs / 300 / 1_000) * 1_000);
}

/** GET /api/v1/metrics/series: readings of fields over time, one per step, each over its own step. */
export function seriesRoutes(metrics: MetricsPort, defaultEnvironment: string, now: () => number = Date.now): ApiRoute[] {
  return [defineRoute({
    method: 'GET',
    url: '/api/v1/metrics/series',
    summary: 'Fields over time (field or fields, from, to, step)',
    tag: 'metrics',
    access: 'read',
    query: SeriesQuery,
    response: SeriesAnswer,
    async handler({ query }) {
      const fields = [...new Set([...(query.field ?? []), ...(query.fields ?? [])])];
      if (fields.length === 0) throw new InputError('query.field', 'required: one of the model\'s fields, e.g. application.responseTime.p99');
      const toMs = query.to ?? now();
      if (query.from >= toMs) throw new InputError('query.from', 'must be before to');
      const stepMs = query.step ?? defaultStepMs(toMs - query.from);
      const points = Math.ceil((toMs - query.from) / stepMs);
      if (points > MAX_POINTS) throw new InputError('query.step', `gives ${points} points; at most ${MAX_POINTS}: use a larger step or a shorter range`);
      const environment = query.env ?? defaultEnvironment;
      const series = await metrics.series(environment, fields, { fromMs: query.from, toMs }, stepMs);
      return { environment, from: query.from, to: toMs, ...series };
    },
  })];
}
