import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from '../log.js';
import { registerApi, type Api, type ApiDeps } from './api.js';
import { registerHealth } from './routes/health.js';

export interface Server {
  readonly app: FastifyInstance;
  readonly api: Api;
}

/**
 * The HTTP server: /healthz, then the API (its route list lives in api.ts) and the dashboard.
 * It does not listen; the caller does (`app.listen({ host, port })`).
 */
export function createServer(logger: Logger, deps: ApiDeps): Server {
  // Requests are not logged one by one (level warn): the log is for collections and analyses.
  const app = Fastify({ loggerInstance: logger.child({ component: 'http' }, { level: 'warn' }) as FastifyBaseLogger });
  registerHealth(app, deps.environment);
  const api = registerApi(app, deps);
  return { app, api };
}
