import type { Channel, Notification, NotificationAlert, NotifyResult } from '../notification.js';
import { postJson } from './post-json.js';

const SEVERITY = { high: 'critical', medium: 'warning', low: 'info' } as const;

/**
 * One PagerDuty Events API v2 event per alert: `trigger` while firing and `resolve` once
 * resolved, both with the alert's fingerprint as `dedup_key`.
 */
export function pagerdutyEvent(n: Notification, a: NotificationAlert, routingKey: string) {
  if (a.status === 'resolved') return { routing_key: routingKey, event_action: 'resolve' as const, dedup_key: a.fingerprint };
  const summary = `${a.labels.alertname}: ${a.annotations.description ?? ''}`.slice(0, 1024);
  return {
    routing_key: routingKey,
    event_action: 'trigger' as const,
    dedup_key: a.fingerprint,
    payload: {
      summary,
      source: a.labels.source ?? a.labels.environment ?? 'perfpilot',
      severity: SEVERITY[(a.labels.severity ?? 'medium') as keyof typeof SEVERITY] ?? 'warning',
      timestamp: a.startsAt,
      component: a.labels.source,
      group: a.labels.environment,
      class: a.labels.alertname,
      custom_details: { ...a.annotations, labels: a.labels },
    },
    client: 'perfpilot',
    client_url: n.externalUrl,
  };
}

/**
 * PagerDuty Events API v2. The routing key is a secret: never logged or shown. An alert whose
 * severity changed comes as firing (new severity) and resolved (old one) with one dedup key:
 * only the trigger is sent, so the incident stays open.
 */
export function pagerdutyChannel(config: { name: string; url: string; routingKey: string }): Channel {
  return {
    name: config.name,
    type: 'pagerduty',
    async notify(n, { signal }): Promise<NotifyResult> {
      const firing = new Set(n.alerts.filter((a) => a.status === 'firing').map((a) => a.fingerprint));
      for (const alert of n.alerts) {
        if (alert.status === 'resolved' && firing.has(alert.fingerprint)) continue;
        const result = await postJson(config.url, pagerdutyEvent(n, alert, config.routingKey), { signal, secrets: [config.routingKey] });
        if (!result.ok) return result;
      }
      return { ok: true };
    },
  };
}
