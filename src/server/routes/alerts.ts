import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { alertsView } from '../../alert/alert-view.js';
import { addSilence, expireSilence } from '../../alert/silences.js';
import type { AlertStore } from '../../store/alert-store.js';
import { parseDurationMs } from '../../util/duration.js';
import type { Api } from '../api.js';
import { parseInput } from '../errors.js';

export interface AlertRoutesDeps {
  readonly store: AlertStore;
  /** Configured channel names, listed even before they carried anything. */
  readonly channels: readonly string[];
  readonly defaultSilenceMs: number;
  readonly now?: () => number;
}

const Flag = z.enum(['true', 'false']).transform((v) => v === 'true');
const AlertsQuery = z.strictObject({ environment: z.string().min(1).optional(), all: Flag.optional() });
const SilencesQuery = z.strictObject({ all: Flag.optional() });
const NewSilenceBody = z.strictObject({
  matchers: z.array(z.string()).min(1),
  /** "30m", "2h"; default alerts.silences.defaultDuration. */
  duration: z.string().refine((s) => (parseDurationMs(s) ?? 0) > 0, 'expected a duration such as "30m" or "2h"').optional(),
  comment: z.string().max(1000).default(''),
  createdBy: z.string().min(1).max(200).default('api'),
});
const IdParams = z.strictObject({ id: z.string().min(1) });

/**
 * GET /api/v1/alerts (alerts with delivery status per channel, and each channel's queue),
 * GET /api/v1/silences, POST /api/v1/silences and DELETE /api/v1/silences/:id.
 * GETs get the read guard from the API; the writes use the write token and rate limit.
 */
export function registerAlertRoutes(app: FastifyInstance, api: Api, deps: AlertRoutesDeps): void {
  const now = deps.now ?? Date.now;
  const write = { preHandler: [api.guards.rateLimit, api.guards.write], bodyLimit: 64 * 1024 };
  app.get('/api/v1/alerts', async (request) => {
    const q = parseInput(AlertsQuery, request.query, 'query');
    return alertsView(deps.store, { ...(q.environment ? { environment: q.environment } : {}), all: q.all ?? false, channels: deps.channels });
  });
  app.get('/api/v1/silences', async (request) => {
    const q = parseInput(SilencesQuery, request.query, 'query');
    return { silences: await deps.store.silences(q.all ? {} : { activeAtMs: now() }) };
  });
  app.post('/api/v1/silences', write, async (request, reply) => {
    const body = parseInput(NewSilenceBody, request.body, 'body');
    const durationMs = body.duration === undefined ? deps.defaultSilenceMs : parseDurationMs(body.duration)!;
    const silence = await addSilence(deps.store, { matchers: body.matchers, durationMs, createdBy: body.createdBy, comment: body.comment }, now());
    return reply.status(201).send(silence);
  });
  app.delete('/api/v1/silences/:id', write, async (request) => {
    const { id } = parseInput(IdParams, request.params, 'params');
    await expireSilence(deps.store, id, now());
    return { expired: id };
  });
}
