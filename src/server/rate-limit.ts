import type { preHandlerAsyncHookHandler } from 'fastify';
import { PerfpilotError } from '../errors.js';

export interface RateLimitOptions {
  /** Requests a client may make at once. */
  readonly burst?: number;
  /** Requests per second refilled. */
  readonly perSecond?: number;
  readonly now?: () => number;
}

/**
 * A token bucket per client address, for the routes that change something. It runs before
 * the token check, so guessing tokens is limited too. Over the limit: 429 with Retry-After.
 */
export function createRateLimit(options: RateLimitOptions = {}): preHandlerAsyncHookHandler {
  const burst = options.burst ?? 20;
  const perSecond = options.perSecond ?? 1;
  const now = options.now ?? Date.now;
  const buckets = new Map<string, { tokens: number; atMs: number }>();
  return async function rateLimit(request, reply) {
    const t = now();
    const bucket = buckets.get(request.ip) ?? { tokens: burst, atMs: t };
    bucket.tokens = Math.min(burst, bucket.tokens + ((t - bucket.atMs) / 1000) * perSecond);
    bucket.atMs = t;
    buckets.set(request.ip, bucket);
    if (buckets.size > 10_000) buckets.delete(buckets.keys().next().value!);
    if (bucket.tokens < 1) {
      reply.header('retry-after', String(Math.ceil((1 - bucket.tokens) / perSecond)));
      throw new PerfpilotError('too many requests', { httpStatus: 429 });
    }
    bucket.tokens -= 1;
  };
}
