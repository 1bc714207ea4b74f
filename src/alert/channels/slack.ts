import type { Channel, Notification } from '../notification.js';
import { postJson } from './post-json.js';

const SECTION_LIMIT = 3000;

/** A readable Slack message: `text` for notifications and fallbacks, one mrkdwn section. */
export function slackPayload(n: Notification) {
  const firing = n.alerts.filter((a) => a.status === 'firing').length;
  const title = `[${n.status.toUpperCase()}${n.status === 'firing' ? `:${firing}` : ''}] ${Object.values(n.groupLabels).join(' ') || 'perfpilot'}`;
  const lines = n.alerts.map((a) => {
    const icon = a.status === 'firing' ? (a.labels.severity === 'high' ? ':red_circle:' : ':large_orange_circle:') : ':white_check_mark:';
    const value = a.annotations.value ? ` (value ${a.annotations.value})` : '';
    const rec = a.status === 'firing' && a.annotations.recommendation ? `\n    _${a.annotations.recommendation}_` : '';
    return `${icon} *${a.labels.alertname}* ${a.labels.severity ?? ''} — ${a.annotations.description ?? ''}${value}${rec}`;
  });
  const text = `*${title}*\n${lines.join('\n')}`;
  return {
    text: text.length > SECTION_LIMIT ? `${text.slice(0, SECTION_LIMIT - 1)}…` : text,
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: text.length > SECTION_LIMIT ? `${text.slice(0, SECTION_LIMIT - 1)}…` : text } }],
  };
}

/** A Slack incoming webhook. Its URL is its secret, so it never appears in errors. */
export function slackChannel(config: { name: string; url: string }): Channel {
  return { name: config.name, type: 'slack', notify: (n, { signal }) => postJson(config.url, slackPayload(n), { signal }) };
}
