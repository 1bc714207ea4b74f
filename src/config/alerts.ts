import { z } from 'zod';
import { DurationMs, urlWith } from './duration.js';
import { DurationOrZeroMs } from './rules.js';

const Name = z.string().regex(/^[A-Za-z0-9_.-]+$/, 'expected letters, digits, ".", "_" or "-"');
const HttpUrl = urlWith('http', 'https');

/** Where notifications go. `url` and `routingKey` are secrets: never logged or shown. */
export const ChannelConfig = z.discriminatedUnion('type', [
  z.strictObject({ name: Name, type: z.literal('webhook'), url: HttpUrl, headers: z.record(z.string(), z.string()).default({}) }),
  z.strictObject({ name: Name, type: z.literal('slack'), url: HttpUrl }),
  z.strictObject({
    name: Name,
    type: z.literal('alertmanager'),
    /** The Alertmanager's base URL, e.g. http://127.0.0.1:9093 (alerts go to /api/v2/alerts). */
    url: HttpUrl,
    /** Firing alerts are re-sent this often, as the Alertmanager API expects. */
    resendInterval: DurationMs.default(60_000),
  }),
  z.strictObject({
    name: Name,
    type: z.literal('pagerduty'),
    routingKey: z.string().min(1),
    url: HttpUrl.default('https://events.pagerduty.com/v2/enqueue'),
  }),
  z.strictObject({ name: Name, type: z.literal('log') }),
]);
export type ChannelConfig = z.output<typeof ChannelConfig>;

/** Grouping in the Alertmanager's sense; perfpilot's defaults are quicker than its 30s/5m/4h. */
export const GroupingConfig = z.strictObject({
  /** Label names, `severity` among them (e.g. [alertname, severity]: warnings and criticals apart). */
  groupBy: z.array(z.string()).default(['alertname', 'environment']),
  groupWait: DurationOrZeroMs.default(2_000),
  groupInterval: DurationMs.default(10_000),
  repeatInterval: DurationMs.default(4 * 3_600_000),
});
export type GroupingConfig = z.output<typeof GroupingConfig>;

/** A route sends matching alerts to channels. Every `match` key that is set must match. */
export const RouteConfig = z.strictObject({
  channels: z.array(Name).min(1),
  match: z.strictObject({
    severity: z.array(z.enum(['low', 'medium', 'high'])).optional(),
    environment: z.array(z.string()).optional(),
    labels: z.record(z.string(), z.string()).optional(),
  }).default({}),
  groupBy: z.array(z.string()).optional(),
  groupWait: DurationOrZeroMs.optional(),
  groupInterval: DurationMs.optional(),
  repeatInterval: DurationMs.optional(),
});
export type RouteConfig = z.output<typeof RouteConfig>;

/**
 * `alerts:`. Without `routes`, every alert goes to every channel.
 *
 * ```yaml
 * alerts:
 *   channels:
 *     - { name: ops, type: webhook, url: http://127.0.0.1:9000/hook }
 *     - { name: am, type: alertmanager, url: http://127.0.0.1:9093 }
 *     - { name: pd, type: pagerduty, routingKey: R0UT1NGKEY }
 *   routes:
 *     - { channels: [pd], match: { severity: [high], environment: [prod] } }
 *     - { channels: [ops, am] }
 *   grouping: { groupWait: 2s, groupInterval: 10s, repeatInterval: 4h }
 *   evaluationWindow: 10s      # default: the interval
 *   minRequests: 200
 * ```
 */
export const AlertsConfig = z.strictObject({
  channels: z.array(ChannelConfig).default([]),
  routes: z.array(RouteConfig).optional(),
  grouping: GroupingConfig.prefault({}),
  delivery: z.strictObject({
    /** First retry after about this long (with jitter), doubling up to `maxBackoff`. */
    initialBackoff: DurationMs.default(1_000),
    maxBackoff: DurationMs.default(30_000),
    /** Per HTTP attempt. */
    timeout: DurationMs.default(10_000),
  }).prefault({}),
  silences: z.strictObject({
    /** How long `perfpilot silence add` silences when `--for` is not given. */
    defaultDuration: DurationMs.default(2 * 3_600_000),
  }).prefault({}),
  /**
   * How far back alert rules look (default: one `interval`, the latest sample). The analysis
   * people see keeps `window`; alerting on the latest interval is what lets an alert resolve
   * within ~20 s of recovery instead of when slow requests leave the 5-minute window.
   */
  evaluationWindow: DurationMs.optional(),
  /** Fewer requests than this in the evaluation window: latency and error-rate rules read the analysis window. */
  minRequests: z.number().int().min(0).default(200),
  /** Shown as the link back in notifications (Alertmanager's externalURL). */
  externalUrl: z.string().default('http://127.0.0.1:7070'),
}).superRefine((alerts, ctx) => {
  const names = new Set<string>();
  alerts.channels.forEach((c, i) => {
    if (names.has(c.name)) ctx.addIssue({ code: 'custom', path: ['channels', i, 'name'], message: `expected a unique channel name; "${c.name}" is given twice`, input: c.name });
    names.add(c.name);
  });
  alerts.routes?.forEach((r, i) => r.channels.forEach((name, j) => {
    if (!names.has(name)) ctx.addIssue({ code: 'custom', path: ['routes', i, 'channels', j], message: `expected the name of a channel (${[...names].join(', ') || 'none defined'})`, input: name });
  }));
});
export type AlertsConfig = z.output<typeof AlertsConfig>;
