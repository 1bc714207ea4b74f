import type { AlertPhase } from '../analyze/alert-state.js';
import type { Severity } from '../analyze/analysis.js';
import type { AlertStore, OutboxStatus } from '../store/alert-store.js';
import type { DeliveryReason } from './notification.js';

/** How the latest notification about an alert fared on one channel. */
export interface ChannelDelivery {
  readonly channel: string;
  /** `retrying` is pending with at least one failed attempt. */
  readonly status: OutboxStatus | 'retrying';
  readonly attempts: number;
  readonly reason: DeliveryReason | null;
  readonly error: string | null;
  readonly deliveredAt: string | null;
}

/** One alert as `perfpilot alerts` and GET /api/v1/alerts show it. */
export interface AlertView {
  readonly fingerprint: string;
  readonly environment: string;
  readonly rule: string;
  readonly phase: AlertPhase;
  readonly severity: Severity;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number | null;
  readonly description: string;
  readonly recommendation: string;
  readonly activeSince: string | null;
  readonly startsAt: string | null;
  readonly endsAt: string | null;
  readonly deliveries: readonly ChannelDelivery[];
}

/** The state of one channel's queue: what is waiting and why the head is stuck, if it is. */
export interface ChannelQueue {
  readonly channel: string;
  readonly pending: number;
  readonly failed: number;
  readonly lastReason: DeliveryReason | null;
  readonly lastError: string | null;
}

export interface AlertsView {
  readonly alerts: readonly AlertView[];
  readonly channels: readonly ChannelQueue[];
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const ORDER: Record<AlertPhase, number> = { firing: 0, pending: 1, resolved: 2, inactive: 3 };

/**
 * Alerts with their delivery status per channel, and each channel's queue. Pending and
 * firing first; `all` adds resolved and inactive ones.
 */
export async function alertsView(store: AlertStore, options: { environment?: string; all?: boolean; channels: readonly string[] }): Promise<AlertsView> {
  const states = (await store.alertStates(options.environment))
    .filter((s) => options.all || s.phase === 'firing' || s.phase === 'pending')
    .sort((a, b) => ORDER[a.phase] - ORDER[b.phase] || a.rule.localeCompare(b.rule));
  const deliveries = await store.alertDeliveries(states.map((s) => s.fingerprint));
  const alerts = states.map((s): AlertView => ({
    fingerprint: s.fingerprint,
    environment: s.environment,
    rule: s.rule,
    phase: s.phase,
    severity: s.severity,
    labels: s.labels,
    value: s.value,
    description: s.description,
    recommendation: s.recommendation,
    activeSince: iso(s.activeSinceMs),
    startsAt: iso(s.firedAtMs),
    endsAt: iso(s.phase === 'resolved' ? s.resolvedAtMs : null),
    deliveries: deliveries.filter((d) => d.fingerprint === s.fingerprint).map((d) => ({
      channel: d.channel,
      status: d.status === 'pending' && d.attempts > 0 ? 'retrying' : d.status,
      attempts: d.attempts,
      reason: d.lastReason,
      error: d.lastError,
      deliveredAt: iso(d.deliveredMs),
    })),
  }));
  const recent = await store.outboxItems({ limit: 1000 });
  const heads = new Map((await store.outboxHeads()).map((h) => [h.channel, h]));
  const names = [...new Set([...options.channels, ...recent.map((i) => i.channel)])];
  const channels = names.map((channel): ChannelQueue => {
    const items = recent.filter((i) => i.channel === channel);
    const head = heads.get(channel);
    const lastFailed = items.find((i) => i.status === 'failed');
    return {
      channel,
      pending: items.filter((i) => i.status === 'pending').length,
      failed: items.filter((i) => i.status === 'failed').length,
      lastReason: head?.lastReason ?? lastFailed?.lastReason ?? null,
      lastError: head?.lastError ?? lastFailed?.lastError ?? null,
    };
  });
  return { alerts, channels };
}
