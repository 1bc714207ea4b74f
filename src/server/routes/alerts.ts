import { z } from 'zod';
import { alertsView, type AlertsView } from '../../alert/alert-view.js';
import { parseMatcher, type Silence } from '../../alert/silence.js';
import { addSilence, expireSilence } from '../../alert/silences.js';
import type { AlertStore } from '../../store/alert-store.js';
import { defineRoute, type ApiRoute } from '../api-route.js';
import { DurationParam, EnvParam } from '../api-schemas.js';

export interface AlertRoutesDeps {
  readonly store: AlertStore;
  /** Configured channel names, listed even before they carried anything. */
  readonly channels: readonly string[];
  readonly defaultSilenceMs: number;
  readonly now?: () => number;
}

const Flag = z.enum(['true', 'false']).transform((v) => v === 'true');
const MATCHER_FORMS = 'name=value, name!=value, name=~regex or name!~regex';
const Matcher = z.string()
  .refine((s) => parseMatcher(s) !== null, { error: (issue) => `expected ${MATCHER_FORMS}, got ${JSON.stringify(issue.input)}` })
  .describe(`${MATCHER_FORMS} (as amtool), e.g. "alertname=high_latency"`);
const NewSilenceBody = z.strictObject({
  matchers: z.array(Matcher).min(1).describe('all must match for an alert to be muted'),
  duration: DurationParam.optional().describe('how long from now, e.g. "30m" or "2h"; default alerts.silences.defaultDuration'),
  comment: z.string().max(1000).default(''),
  createdBy: z.string().min(1).max(200).default('api'),
});

const Time = z.iso.datetime().nullable();
const DeliveryReason = z.enum(['auth', 'throttled', 'network', 'timeout', 'bad_response', 'not_found']);
const AlertsAnswer = z.object({
  alerts: z.array(z.object({
    fingerprint: z.string(),
    environment: z.string(),
    rule: z.string(),
    phase: z.enum(['inactive', 'pending', 'firing', 'resolved']),
    severity: z.enum(['low', 'medium', 'high']),
    labels: z.record(z.string(), z.string()),
    value: z.number().nullable(),
    description: z.string(),
    recommendation: z.string(),
    activeSince: Time.describe('when the condition started to hold; null once inactive or resolved'),
    startsAt: Time.describe('when it started firing; null while pending'),
    endsAt: Time.describe('when it resolved; null unless resolved'),
    deliveries: z.array(z.object({
      channel: z.string(),
      status: z.enum(['pending', 'retrying', 'delivered', 'failed']).describe('of the latest notification about this alert; retrying: pending after a failed attempt'),
      attempts: z.number().int(),
      reason: DeliveryReason.nullable(),
      error: z.string().nullable(),
      deliveredAt: Time,
    })),
  })).describe('pending and firing first; resolved and inactive ones only with all=true'),
  channels: z.array(z.object({
    channel: z.string(),
    pending: z.number().int(),
    failed: z.number().int(),
    lastReason: DeliveryReason.nullable().describe('why the head of the queue, or else the latest failed notification, did not get through'),
    lastError: z.string().nullable(),
  })).describe('every configured channel, and any other that carried a recent notification'),
}) satisfies z.ZodType<AlertsView>;
const SilenceSchema = z.object({
  id: z.string(),
  matchers: z.array(z.object({ name: z.string(), value: z.string(), isEqual: z.boolean(), isRegex: z.boolean() })),
  startsMs: z.number().int(),
  endsMs: z.number().int(),
  createdBy: z.string(),
  comment: z.string(),
}) satisfies z.ZodType<Silence>;

/**
 * GET /api/v1/alerts (alerts with delivery status per channel, and each channel's queue),
 * GET /api/v1/silences, POST /api/v1/silences (answers 201) and DELETE /api/v1/silences/:id.
 * Reads need the read token when one is set; writes need the write token and pass the rate limit.
 */
export function alertRoutes(deps: AlertRoutesDeps): ApiRoute[] {
  const now = deps.now ?? Date.now;
  return [
    defineRoute({
      method: 'GET', url: '/api/v1/alerts', summary: 'Alerts with the delivery status of each channel, and each channel\'s queue', tag: 'alerts', access: 'read',
      query: z.strictObject({ environment: EnvParam.optional(), all: Flag.optional().describe('true adds resolved and inactive alerts') }),
      response: AlertsAnswer,
      async handler({ query }) {
        return alertsView(deps.store, { ...(query.environment ? { environment: query.environment } : {}), all: query.all ?? false, channels: deps.channels });
      },
    }),
    defineRoute({
      method: 'GET', url: '/api/v1/silences', summary: 'Active silences, newest first', tag: 'alerts', access: 'read',
      query: z.strictObject({ all: Flag.optional().describe('true adds the ones that ended') }),
      response: z.object({ silences: z.array(SilenceSchema) }),
      async handler({ query }) {
        return { silences: await deps.store.silences(query.all ? {} : { activeAtMs: now() }) };
      },
    }),
    defineRoute({
      method: 'POST', url: '/api/v1/silences', summary: 'Mute the alerts that match every matcher, from now on; answers the silence', status: 201, tag: 'alerts', access: 'write',
      body: NewSilenceBody,
      response: SilenceSchema,
      async handler({ body }) {
        const input = { matchers: body.matchers, durationMs: body.duration ?? deps.defaultSilenceMs, createdBy: body.createdBy, comment: body.comment };
        return addSilence(deps.store, input, now());
      },
    }),
    defineRoute({
      method: 'DELETE', url: '/api/v1/silences/:id', summary: 'End a silence now (404 when it is unknown or already ended)', tag: 'alerts', access: 'write',
      params: z.strictObject({ id: z.string().min(1) }),
      response: z.object({ expired: z.string() }),
      async handler({ params }) {
        await expireSilence(deps.store, params.id, now());
        return { expired: params.id };
      },
    }),
  ];
}
