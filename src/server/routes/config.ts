import { z } from 'zod';
import { defineRoute, type ApiRoute } from '../api-route.js';
import { redactConfig } from '../redact-config.js';

/** GET /api/v1/config: the running configuration, secrets removed. */
export function configRoutes(config: unknown): ApiRoute[] {
  const echo = redactConfig(config);
  return [defineRoute({
    method: 'GET',
    url: '/api/v1/config',
    summary: 'The running configuration, with passwords and keys removed',
    tag: 'config',
    access: 'read',
    response: z.record(z.string(), z.unknown()),
    async handler() {
      return echo;
    },
  })];
}
