import type { AlertState } from '../analyze/alert-state.js';
import type { Severity } from '../analyze/analysis.js';
import type { AlertGroup } from './group.js';
import type { NotifyEvent } from './notifier.js';
import type { Notification, NotificationAlert } from './notification.js';

const iso = (ms: number) => new Date(ms).toISOString();

function common(maps: readonly Readonly<Record<string, string>>[]): Record<string, string> {
  const [first, ...rest] = maps;
  if (!first) return {};
  return Object.fromEntries(Object.entries(first).filter(([k, v]) => rest.every((m) => m[k] === v)));
}

function toAlert(s: AlertState): NotificationAlert {
  const annotations: Record<string, string> = { description: s.description, recommendation: s.recommendation };
  if (s.value !== null) annotations.value = String(Math.round(s.value * 1000) / 1000);
  return {
    status: s.phase === 'firing' ? 'firing' : 'resolved',
    labels: { ...s.labels, severity: s.severity },
    annotations,
    startsAt: iso(s.firedAtMs ?? s.updatedAtMs),
    endsAt: s.phase === 'resolved' && s.resolvedAtMs !== null ? iso(s.resolvedAtMs) : null,
    fingerprint: s.fingerprint,
  };
}

/**
 * An alert at a severity it no longer has, told as resolved: severity is a label, so for the
 * receiver (an Alertmanager above all) the alert at the old severity has ended.
 */
function retiredAlert(s: AlertState, severity: Severity, nowMs: number): NotificationAlert {
  const alert = toAlert(s);
  return { ...alert, status: 'resolved', labels: { ...alert.labels, severity }, endsAt: alert.endsAt ?? iso(nowMs) };
}

/** An alert told before at another severity, and that severity. */
export interface RetiredAlert {
  readonly state: AlertState;
  readonly severity: Severity;
}

function notification(channel: string, groupKey: string, groupLabels: Record<string, string>, alerts: NotificationAlert[], nowMs: number, externalUrl: string): Notification {
  return {
    channel,
    groupKey,
    status: alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
    groupLabels,
    commonLabels: common(alerts.map((a) => a.labels)),
    commonAnnotations: common(alerts.map((a) => a.annotations)),
    alerts,
    externalUrl,
    createdAt: iso(nowMs),
  };
}

/**
 * The outbox stage's payload: what a group's channel is told now (firing first, oldest first,
 * then the alerts it was told at a severity they no longer have). Pure.
 */
export function groupNotification(group: AlertGroup, alerts: readonly AlertState[], retired: readonly RetiredAlert[], nowMs: number, externalUrl: string): Notification {
  const rank = (a: AlertState) => (a.phase === 'firing' ? 0 : 1);
  const sorted = [...alerts].sort((a, b) => rank(a) - rank(b) || (a.firedAtMs ?? 0) - (b.firedAtMs ?? 0) || a.fingerprint.localeCompare(b.fingerprint));
  const told = [...sorted.map(toAlert), ...retired.map((r) => retiredAlert(r.state, r.severity, nowMs))];
  return notification(group.channel, group.key, { ...group.groupLabels }, told, nowMs, externalUrl);
}

/** A one-off event as a notification with one firing alert (never resolved). Pure. */
export function eventNotification(channel: string, event: NotifyEvent, labels: Readonly<Record<string, string>>, fingerprint: string, nowMs: number, externalUrl: string): Notification {
  const alert: NotificationAlert = {
    status: 'firing',
    labels: { ...labels, severity: event.severity },
    annotations: { description: event.summary, ...event.details },
    startsAt: iso(nowMs),
    endsAt: null,
    fingerprint,
  };
  return notification(channel, `event/${fingerprint}/${nowMs}`, { alertname: event.name }, [alert], nowMs, externalUrl);
}
