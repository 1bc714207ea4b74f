import { z } from 'zod';
import { DurationMs } from './duration.js';
import { HostSourceConfig } from './sources/host.js';
import { RedisSourceConfig } from './sources/redis.js';
import { PostgresSourceConfig } from './sources/postgres.js';
import { AppSourceConfig } from './sources/app.js';
import { CloudWatchSourceConfig } from './sources/cloudwatch.js';
import { DatadogSourceConfig } from './sources/datadog.js';
import { PrometheusSourceConfig } from './sources/prometheus.js';
import { RulesConfig } from './rules.js';
import { AlertsConfig } from './alerts.js';
import { OptimizeConfig } from './optimize.js';

/** perfpilot.yaml (DESIGN.md §4). Key names are a contract with users and scripts. */
export const Config = z.strictObject({
  environment: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'expected letters, digits, ".", "_" or "-"').default('local'),
  locale: z.enum(['en', 'ko']).default('en'),
  interval: DurationMs.default(10_000),
  /** The window `start` analyzes over, and `analyze` collects over by default. */
  window: DurationMs.default(300_000),
  server: z.strictObject({
    host: z.string().default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(7070),
  }).prefault({}),
  store: z.strictObject({
    path: z.string().default('.perfpilot/perfpilot.db'),
    retention: DurationMs.default(7 * 86_400_000),
  }).prefault({}),
  sources: z.strictObject({
    host: HostSourceConfig.prefault({}),
    redis: RedisSourceConfig.optional(),
    postgres: PostgresSourceConfig.optional(),
    app: AppSourceConfig.optional(),
    cloudwatch: CloudWatchSourceConfig.optional(),
    datadog: DatadogSourceConfig.optional(),
    prometheus: PrometheusSourceConfig.optional(),
  }).prefault({}),
  rules: RulesConfig.default([]),
  alerts: AlertsConfig.prefault({}),
  optimize: OptimizeConfig.prefault({}),
});
export type Config = z.output<typeof Config>;
export type ConfigInput = z.input<typeof Config>;
