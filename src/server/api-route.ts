import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { z } from 'zod';
import type { AuthGuards } from './auth.js';
import { parseInput } from './errors.js';

const NoInput = z.strictObject({});
type NoInput = typeof NoInput;

/** Who may call a route: `read` (the read token when one is set) or `write` (the write token). */
export type Access = 'read' | 'write';

/**
 * One API route, described once: the zod schemas that validate its input are the ones the
 * OpenAPI document is generated from.
 */
export interface ApiRoute<Q extends z.ZodType = z.ZodType, B extends z.ZodType = z.ZodType, P extends z.ZodType = z.ZodType> {
  readonly method: 'GET' | 'POST' | 'DELETE';
  /** Fastify style: `/api/v1/optimize/plans/:id/apply`. */
  readonly url: string;
  readonly summary: string;
  readonly tag: string;
  readonly access: Access;
  readonly query?: Q;
  readonly body?: B;
  readonly params?: P;
  /** The success answer. */
  readonly response: z.ZodType;
  /** Its status; default 200. */
  readonly status?: 200 | 201 | 202;
  /** Its media type; default application/json. */
  readonly responseType?: string;
  handler(input: { query: z.output<Q>; body: z.output<B>; params: z.output<P>; request: FastifyRequest; reply: FastifyReply }): Promise<unknown>;
}

/** Types a route's handler input from its schemas. */
export function defineRoute<Q extends z.ZodType = NoInput, B extends z.ZodType = NoInput, P extends z.ZodType = NoInput>(
  route: ApiRoute<Q, B, P>,
): ApiRoute {
  return route as unknown as ApiRoute;
}

export interface RouteGuards {
  readonly auth: AuthGuards;
  /** Runs before the token check on write routes. */
  readonly rateLimit: preHandlerAsyncHookHandler;
  /** Largest request body a write route accepts, in bytes. */
  readonly bodyLimitBytes?: number;
}

/** Registers each route with its guards and input validation. */
export function registerApiRoutes(app: FastifyInstance, routes: readonly ApiRoute[], guards: RouteGuards): void {
  for (const route of routes) {
    app.route({
      method: route.method,
      url: route.url,
      bodyLimit: guards.bodyLimitBytes ?? 64 * 1024,
      preHandler: route.access === 'write' ? [guards.rateLimit, guards.auth.write] : [guards.auth.read],
      handler: async (request, reply) => {
        const input = {
          params: parseInput(route.params ?? NoInput, request.params, 'params'),
          query: parseInput(route.query ?? NoInput, request.query, 'query'),
          body: parseInput(route.body ?? NoInput, route.method === 'GET' ? {} : request.body, 'body'),
          request,
          reply,
        };
        if (route.status !== undefined) reply.code(route.status);
        return route.handler(input);
      },
    });
  }
}
