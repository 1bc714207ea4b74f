import { fingerprint } from '../../analyze/fingerprint.js';
import type { Channel, Notification } from '../notification.js';
import { postJson } from './post-json.js';

/** Alertmanager's "zero time": what its webhook sends as `endsAt` while an alert fires. */
export const ZERO_TIME = '0001-01-01T00:00:00Z';

/**
 * The Alertmanager webhook payload, version 4, field for field. Each alert's `fingerprint` is,
 * as the Alertmanager's, that of its whole label set, severity included: an alert whose
 * severity changed comes as two alerts (resolved at the old, firing at the new) that a
 * receiver keying on the fingerprint keeps apart.
 */
export function webhookPayload(n: Notification) {
  return {
    version: '4',
    groupKey: n.groupKey,
    truncatedAlerts: 0,
    status: n.status,
    receiver: n.channel,
    groupLabels: n.groupLabels,
    commonLabels: n.commonLabels,
    commonAnnotations: n.commonAnnotations,
    externalURL: n.externalUrl,
    alerts: n.alerts.map((a) => ({
      status: a.status,
      labels: a.labels,
      annotations: a.annotations,
      startsAt: a.startsAt,
      endsAt: a.endsAt ?? ZERO_TIME,
      generatorURL: n.externalUrl,
      fingerprint: fingerprint(a.labels),
    })),
  };
}

/** Any HTTP endpoint that takes Alertmanager's webhook JSON. */
export function webhookChannel(config: { name: string; url: string; headers: Readonly<Record<string, string>> }): Channel {
  return {
    name: config.name,
    type: 'webhook',
    notify: (n, { signal, idempotencyKey }) =>
      postJson(config.url, webhookPayload(n), { signal, headers: { ...config.headers, 'idempotency-key': idempotencyKey } }),
  };
}
