import { z } from 'zod';
import { defineRoute, type ApiRoute } from '../api-route.js';
import type { LiveHub } from '../live-hub.js';

/**
 * GET /api/v1/events: server-sent events (`snapshot`, `analysis`, `optimization`, …), each
 * `data` a JSON `{ kind, environment, atMs }`. A comment line every 15 s keeps proxies open.
 */
export function eventRoutes(feed: Pick<LiveHub, 'subscribe'>, heartbeatMs = 15_000): ApiRoute[] {
  return [defineRoute({
    method: 'GET',
    url: '/api/v1/events',
    summary: 'Live updates as server-sent events (text/event-stream)',
    tag: 'live',
    access: 'read',
    response: z.string().describe('One event per block: `event: <kind>` and `data: {"kind","environment","atMs"}`'),
    responseType: 'text/event-stream',
    async handler({ request, reply }) {
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
      res.write(': connected\n\n');
      const unsubscribe = feed.subscribe((event) => res.write(`event: ${event.kind}\ndata: ${JSON.stringify(event)}\n\n`), () => res.end());
      const heartbeat = setInterval(() => res.write(': ping\n\n'), heartbeatMs);
      heartbeat.unref();
      request.raw.once('close', () => {
        clearInterval(heartbeat);
        unsubscribe();
      });
    },
  })];
}
