import { z } from 'zod';
import { DurationMs } from '../duration.js';

/** What every remote source (CloudWatch, Datadog, Prometheus) accepts besides its own keys. */
export const RemoteCallOptions = {
  /** Each request's deadline. */
  timeout: DurationMs.default(4_000),
  /** Tries after the first, with exponential back-off; never on auth errors. */
  retries: z.number().int().min(0).max(10).default(2),
};
