import type { Channel, Notification } from '../notification.js';
import { postJson } from './post-json.js';

/**
 * Alertmanager API v2 postableAlerts. A firing alert's `endsAt` lies 4 resend intervals
 * ahead (as Prometheus does), so the Alertmanager resolves it by itself if perfpilot stops
 * re-sending; a resolved alert carries its real `endsAt`.
 */
export function alertmanagerPayload(n: Notification, resendIntervalMs: number) {
  const expires = new Date(Date.parse(n.createdAt) + 4 * resendIntervalMs).toISOString();
  return n.alerts.map((a) => ({
    labels: a.labels,
    annotations: a.annotations,
    startsAt: a.startsAt,
    endsAt: a.endsAt ?? expires,
    generatorURL: n.externalUrl,
  }));
}

/** POST /api/v2/alerts of a Prometheus Alertmanager. */
export function alertmanagerChannel(config: { name: string; url: string; resendInterval: number }): Channel {
  const endpoint = `${config.url.replace(/\/+$/, '')}/api/v2/alerts`;
  return {
    name: config.name,
    type: 'alertmanager',
    notify: (n, { signal }) => postJson(endpoint, alertmanagerPayload(n, config.resendInterval), { signal }),
  };
}
