import type { ChannelConfig } from '../../config/alerts.js';
import type { Logger } from '../../log.js';
import type { Channel } from '../notification.js';
import { alertmanagerChannel } from './alertmanager.js';
import { logChannel } from './log.js';
import { pagerdutyChannel } from './pagerduty.js';
import { slackChannel } from './slack.js';
import { webhookChannel } from './webhook.js';

/** The channel adapter for one configured channel. */
export function createChannel(config: ChannelConfig, logger: Logger): Channel {
  switch (config.type) {
    case 'webhook': return webhookChannel(config);
    case 'slack': return slackChannel(config);
    case 'alertmanager': return alertmanagerChannel(config);
    case 'pagerduty': return pagerdutyChannel(config);
    case 'log': return logChannel(config, logger);
  }
}
