import { z } from 'zod';
import { FIELD_PATHS, type FieldPath } from '../model/fields.js';
import { parseDurationMs } from '../util/duration.js';

/** A time in a query: an ISO date-time or milliseconds since the epoch. */
export const TimeParam = z
  .union([z.iso.datetime({ offset: true }), z.string().regex(/^\d{1,15}$/, 'expected an ISO date-time or milliseconds since the epoch')])
  .transform((s) => (/^\d+$/.test(s) ? Number(s) : Date.parse(s)));

/** A duration in a query, such as "30s" or "5m". */
export const DurationParam = z.string().transform((s, ctx) => {
  const ms = parseDurationMs(s);
  if (ms === null || ms <= 0) {
    ctx.addIssue({ code: 'custom', message: 'expected a duration such as "10s", "5m" or "1h"' });
    return z.NEVER;
  }
  return ms;
});

export const EnvParam = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'expected an environment name (letters, digits, ".", "_" or "-")');

/** A comma-separated list of model fields. */
export const FieldsParam = z
  .string()
  .transform((s) => s.split(',').map((f) => f.trim()).filter(Boolean))
  .pipe(z.array(z.enum(FIELD_PATHS as [FieldPath, ...FieldPath[]], { error: (i) => `unknown field "${String(i.input)}"` })).min(1).max(30));

const Reading = z.number().nullable();

export const SeriesAnswer = z.object({
  environment: z.string(),
  from: z.number().int(),
  to: z.number().int(),
  stepMs: z.number().int(),
  t: z.array(z.number().int()),
  values: z.record(z.string(), z.array(Reading)),
  notes: z.array(z.object({ source: z.string(), message: z.string() }))
    .describe('Remote sources (CloudWatch, Datadog, Prometheus) are queried per window, not sampled: the fields only they provide are null in a series, and each such source is named here'),
});

/** The same words in English and Korean (`description` and the like are in the configured locale). */
const InEveryLocale = <T extends z.ZodType>(words: T) =>
  z.object({ en: words, ko: words }).describe('These texts in every language (the ones beside it are in the configured locale); the dashboard switches between them');

export const IssueSchema = z.object({
  type: z.string(),
  severity: z.enum(['low', 'medium', 'high']),
  description: z.string(),
  metrics: z.record(z.string(), Reading),
  labels: z.record(z.string(), z.string()),
  recommendation: z.string(),
  text: InEveryLocale(z.object({ description: z.string(), recommendation: z.string() })),
});

export const RecommendationSchema = z.object({
  type: z.string(),
  priority: z.enum(['low', 'medium', 'high']),
  description: z.string(),
  impact: z.string(),
  effort: z.enum(['low', 'medium', 'high']),
  text: InEveryLocale(z.object({ description: z.string(), impact: z.string() })),
});

export const StatusSchema = z.enum(['healthy', 'warning', 'critical']);

export const AnalysisSchema = z.object({
  environment: z.string(),
  window: z.object({ start: z.string(), end: z.string() }),
  analyzedAt: z.string(),
  status: StatusSchema,
  issues: z.array(IssueSchema),
  recommendations: z.array(RecommendationSchema),
  noData: z.array(z.object({ rule: z.string(), field: z.string() })),
});
