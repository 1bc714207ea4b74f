import type { Severity } from '../analyze/analysis.js';

/**
 * A one-off event to tell operators about, outside the rule engine: e.g. the optimizer's
 * "optimization applied" or "rolled back". It is routed like an alert (by severity,
 * environment and labels) and goes through the same persisted outbox, but is never grouped,
 * de-duplicated or resolved.
 */
export interface NotifyEvent {
  /** Becomes the `alertname` label, e.g. "optimization_applied". */
  readonly name: string;
  readonly environment: string;
  readonly severity: Severity;
  /** One readable sentence, in the configured locale. */
  readonly summary: string;
  readonly labels?: Readonly<Record<string, string>>;
  /** More detail, shown as annotations. */
  readonly details?: Readonly<Record<string, string>>;
}

/**
 * What the rest of perfpilot uses to send a notification.
 *
 * @example
 * await notifier.notify({ name: 'optimization_applied', environment: 'prod', severity: 'low',
 *   summary: 'maxmemory-policy set to allkeys-lru on redis://cache:6379', labels: { target: 'redis' } });
 */
export interface Notifier {
  /** Resolves once the event is in the outbox (delivery happens after, at least once). */
  notify(event: NotifyEvent): Promise<void>;
}
