import type { Logger } from '../../log.js';
import type { Channel } from '../notification.js';

/** Writes each notification to the structured log as one "Alert sent" event. */
export function logChannel(config: { name: string }, logger: Logger): Channel {
  return {
    name: config.name,
    type: 'log',
    async notify(n) {
      logger.info({
        channel: n.channel,
        status: n.status,
        groupLabels: n.groupLabels,
        alerts: n.alerts.map((a) => ({ status: a.status, labels: a.labels, description: a.annotations.description, startsAt: a.startsAt, endsAt: a.endsAt })),
      }, 'Alert sent');
      return { ok: true };
    },
  };
}
