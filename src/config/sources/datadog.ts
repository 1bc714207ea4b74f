import { z } from 'zod';
import { urlWith } from '../duration.js';
import { RemoteCallOptions } from './remote.js';

/** The Datadog sites; the API lives at https://api.<site>. */
export const DATADOG_SITES = ['datadoghq.com', 'us3.datadoghq.com', 'us5.datadoghq.com', 'datadoghq.eu', 'ap1.datadoghq.com', 'ap2.datadoghq.com', 'ddog-gov.com'] as const;

/**
 * Datadog: the resources section from the Agent's `system.*` metrics, scoped by tags.
 * Keys come from DD_API_KEY and DD_APP_KEY only, never from this file.
 *
 * ```yaml
 * datadog: { site: datadoghq.eu, tags: [env:prod, service:api] }
 * ```
 */
export const DatadogSourceConfig = z.strictObject({
  site: z.enum(DATADOG_SITES).default('datadoghq.com'),
  /** A different API base URL (a proxy); null for https://api.<site>. */
  url: urlWith('http', 'https').nullable().default(null),
  /** Tags every query is scoped by (all must match); empty means every host. */
  tags: z.array(z.string().regex(/^[^\s,{}]+$/, 'expected a tag such as env:prod')).default([]),
  ...RemoteCallOptions,
});
export type DatadogSourceConfig = z.output<typeof DatadogSourceConfig>;
