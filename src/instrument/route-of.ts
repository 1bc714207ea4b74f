import { channel } from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';

const kFastifyRoute = Symbol('perfpilot.fastifyRoute');
const kBase = Symbol('perfpilot.routeBase');
const kFull = Symbol('perfpilot.routeFull');

/** The part of an Express `Route` read here. */
interface ExpressRoute {
  path?: unknown;
  [kBase]?: string;
  [kFull]?: string;
}

type RoutedRequest = IncomingMessage & { route?: ExpressRoute; baseUrl?: string; [kFastifyRoute]?: string };

/**
 * The route pattern of a request, read from the raw node request without importing any
 * framework, or "" when none is known (the method alone then identifies the series):
 * - Express sets `req.route` (the matched Route, whose `path` is the pattern) and `req.baseUrl`
 *   (where its router is mounted); the pattern is their concatenation, cached on the Route.
 * - Fastify announces each routed request on the `tracing:fastify.request.handler:start`
 *   diagnostics channel with `route.url` (prefix included); see `watchFastifyRoutes`.
 *
 * @example
 * app.get('/users/:id', handler); // routeOf(req) === '/users/:id' once routed
 */
export function routeOf(req: IncomingMessage): string {
  const r = req as RoutedRequest;
  const route = r.route;
  if (route !== undefined && route !== null) {
    const base = r.baseUrl ?? '';
    if (route[kBase] !== base) {
      route[kFull] = base + (typeof route.path === 'string' ? route.path : String(route.path));
      route[kBase] = base;
    }
    return route[kFull]!;
  }
  return r[kFastifyRoute] ?? '';
}

interface FastifyHandlerStart {
  readonly request?: { readonly raw?: IncomingMessage };
  readonly route?: { readonly url?: unknown };
}

const fastifyHandlerStart = channel('tracing:fastify.request.handler:start');
let watching = false;

/** Subscribes (once per process) to Fastify's handler channel to learn each request's route. */
export function watchFastifyRoutes(): void {
  if (watching) return;
  watching = true;
  fastifyHandlerStart.subscribe((message) => {
    const { request, route } = message as FastifyHandlerStart;
    if (request?.raw !== undefined && typeof route?.url === 'string') (request.raw as RoutedRequest)[kFastifyRoute] = route.url;
  });
}
