import { z } from 'zod';
import { DurationMs } from '../duration.js';

/** What every remote source (CloudWatch, Datadog, Prometheus) accepts besides its own keys. */
export const RemoteCallOptions = {
  /** Each request's deadline. Three tries of 3 s with their back-off fit the collector's 10 s per source. */
  timeout: DurationMs.default(3_000),
  /** Tries after the first, with exponential back-off; never on auth errors. */
  retries: z.number().int().min(0).max(10).default(2),
};
