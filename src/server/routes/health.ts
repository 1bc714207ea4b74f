import type { FastifyInstance } from 'fastify';

/** GET /healthz: 200 while the process serves; outside /api, so no token is ever needed. */
export function registerHealth(app: FastifyInstance, environment: string): void {
  app.get('/healthz', async () => ({ status: 'ok', environment }));
}
