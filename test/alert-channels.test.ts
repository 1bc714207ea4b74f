import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChannel } from '../src/alert/channels/create-channel.js';
import { failureForStatus } from '../src/alert/failure-reason.js';
import { fingerprint } from '../src/analyze/fingerprint.js';
import type { Notification } from '../src/alert/notification.js';
import { AlertsConfig } from '../src/config/alerts.js';
import { createLogger } from '../src/log.js';
import { freePort } from './support/ports.js';
import { startReceiver, type HttpReceiver } from './support/http-receiver.js';

const logger = createLogger({ level: 'silent' });
const ctx = () => ({ signal: AbortSignal.timeout(5_000), idempotencyKey: 'perfpilot-7' });
const channel = (c: Record<string, unknown>) => createChannel(AlertsConfig.parse({ channels: [c] }).channels[0]!, logger);

const firing: Notification = {
  channel: 'ops',
  groupKey: '0/ops/[["alertname","high_latency"],["environment","prod"]]',
  status: 'firing',
  groupLabels: { alertname: 'high_latency', environment: 'prod' },
  commonLabels: { alertname: 'high_latency', environment: 'prod', severity: 'high' },
  commonAnnotations: { description: 'API response time is too high.', recommendation: 'Review the caching strategy and optimize database queries.', value: '1250' },
  alerts: [{
    status: 'firing',
    labels: { alertname: 'high_latency', environment: 'prod', severity: 'high' },
    annotations: { description: 'API response time is too high.', recommendation: 'Review the caching strategy and optimize database queries.', value: '1250' },
    startsAt: '2026-11-27T01:00:00.000Z',
    endsAt: null,
    fingerprint: 'a1b2c3d4e5f60718',
  }],
  externalUrl: 'http://127.0.0.1:7070',
  createdAt: '2026-11-27T01:00:02.000Z',
};
const resolved: Notification = {
  ...firing,
  status: 'resolved',
  alerts: [{ ...firing.alerts[0]!, status: 'resolved', endsAt: '2026-11-27T01:07:00.000Z' }],
};

let rx: HttpReceiver;
beforeAll(async () => { rx = await startReceiver(); });
afterAll(async () => { await rx.close(); });

describe('channel payloads, field by field', () => {
  it('webhook: Alertmanager webhook JSON version 4', async () => {
    rx.received.length = 0;
    rx.respond(() => ({ status: 200 }));
    expect(await channel({ name: 'ops', type: 'webhook', url: `${rx.url}/hook`, headers: { 'x-team': 'web' } }).notify(firing, ctx())).toEqual({ ok: true });
    const [req] = rx.received;
    expect([req!.method, req!.path, req!.headers['content-type'], req!.headers['idempotency-key'], req!.headers['x-team']]).toEqual(['POST', '/hook', 'application/json', 'perfpilot-7', 'web']);
    expect(req!.body).toEqual({
      version: '4',
      groupKey: firing.groupKey,
      truncatedAlerts: 0,
      status: 'firing',
      receiver: 'ops',
      groupLabels: { alertname: 'high_latency', environment: 'prod' },
      commonLabels: { alertname: 'high_latency', environment: 'prod', severity: 'high' },
      commonAnnotations: firing.commonAnnotations,
      externalURL: 'http://127.0.0.1:7070',
      alerts: [{
        status: 'firing',
        labels: { alertname: 'high_latency', environment: 'prod', severity: 'high' },
        annotations: firing.alerts[0]!.annotations,
        startsAt: '2026-11-27T01:00:00.000Z',
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: 'http://127.0.0.1:7070',
        fingerprint: fingerprint({ alertname: 'high_latency', environment: 'prod', severity: 'high' }),
      }],
    });
    expect((req!.body as { alerts: { fingerprint: string }[] }).alerts[0]!.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    await channel({ name: 'ops', type: 'webhook', url: `${rx.url}/hook` }).notify(resolved, ctx());
    expect(rx.received[1]!.body).toMatchObject({ status: 'resolved', alerts: [{ status: 'resolved', endsAt: '2026-11-27T01:07:00.000Z' }] });
    // A severity change: the alert at the old severity resolved beside the one at the new, told apart by fingerprint.
    const escalated: Notification = { ...firing, alerts: [firing.alerts[0]!, { ...firing.alerts[0]!, status: 'resolved', labels: { ...firing.alerts[0]!.labels, severity: 'medium' }, endsAt: '2026-11-27T01:00:02.000Z' }] };
    await channel({ name: 'ops', type: 'webhook', url: `${rx.url}/hook` }).notify(escalated, ctx());
    const told = (rx.received[2]!.body as { alerts: { status: string; labels: { severity: string }; fingerprint: string }[] }).alerts;
    expect(told.map((a) => [a.status, a.labels.severity, a.fingerprint])).toEqual([
      ['firing', 'high', fingerprint({ alertname: 'high_latency', environment: 'prod', severity: 'high' })],
      ['resolved', 'medium', fingerprint({ alertname: 'high_latency', environment: 'prod', severity: 'medium' })],
    ]);
    expect(told[0]!.fingerprint).not.toBe(told[1]!.fingerprint);
  });

  it('slack: an incoming-webhook message with text and one mrkdwn section', async () => {
    rx.received.length = 0;
    rx.respond(() => ({ status: 200, body: 'ok' }));
    expect(await channel({ name: 'chat', type: 'slack', url: `${rx.url}/services/T0/B0/XYZ` }).notify(firing, ctx())).toEqual({ ok: true });
    const body = rx.received[0]!.body as { text: string; blocks: unknown[] };
    const text = '*[FIRING:1] high_latency prod*\n:red_circle: *high_latency* high — API response time is too high. (value 1250)\n    _Review the caching strategy and optimize database queries._';
    expect(body).toEqual({ text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] });
    await channel({ name: 'chat', type: 'slack', url: `${rx.url}/services/T0/B0/XYZ` }).notify(resolved, ctx());
    expect((rx.received[1]!.body as { text: string }).text).toBe('*[RESOLVED] high_latency prod*\n:white_check_mark: *high_latency* high — API response time is too high. (value 1250)');
  });

  it('alertmanager: postableAlerts with endsAt ahead while firing and the real endsAt on resolve', async () => {
    rx.received.length = 0;
    rx.respond(() => ({ status: 200 }));
    const am = channel({ name: 'am', type: 'alertmanager', url: `${rx.url}/`, resendInterval: '1m' });
    await am.notify(firing, ctx());
    await am.notify(resolved, ctx());
    expect(rx.received.map((r) => r.path)).toEqual(['/api/v2/alerts', '/api/v2/alerts']);
    expect(rx.received[0]!.body).toEqual([{
      labels: { alertname: 'high_latency', environment: 'prod', severity: 'high' },
      annotations: firing.alerts[0]!.annotations,
      startsAt: '2026-11-27T01:00:00.000Z',
      endsAt: '2026-11-27T01:04:02.000Z',
      generatorURL: 'http://127.0.0.1:7070',
    }]);
    expect((rx.received[1]!.body as { endsAt: string }[])[0]!.endsAt).toBe('2026-11-27T01:07:00.000Z');
  });

  it('pagerduty: Events v2 trigger and resolve with the same dedup_key', async () => {
    rx.received.length = 0;
    rx.respond((r) => ({ status: 202, contentType: 'application/json', body: JSON.stringify({ status: 'success', message: 'Event processed', dedup_key: (r.body as { dedup_key: string }).dedup_key }) }));
    const pd = channel({ name: 'pd', type: 'pagerduty', routingKey: 'R0UTINGKEY0123456789abcdef012345', url: `${rx.url}/v2/enqueue` });
    expect(await pd.notify(firing, ctx())).toEqual({ ok: true });
    expect(await pd.notify(resolved, ctx())).toEqual({ ok: true });
    expect(rx.received[0]!.body).toEqual({
      routing_key: 'R0UTINGKEY0123456789abcdef012345',
      event_action: 'trigger',
      dedup_key: 'a1b2c3d4e5f60718',
      payload: {
        summary: 'high_latency: API response time is too high.',
        source: 'prod',
        severity: 'critical',
        timestamp: '2026-11-27T01:00:00.000Z',
        group: 'prod',
        class: 'high_latency',
        custom_details: { ...firing.alerts[0]!.annotations, labels: firing.alerts[0]!.labels },
      },
      client: 'perfpilot',
      client_url: 'http://127.0.0.1:7070',
    });
    expect(rx.received[1]!.body).toEqual({ routing_key: 'R0UTINGKEY0123456789abcdef012345', event_action: 'resolve', dedup_key: 'a1b2c3d4e5f60718' });
  });

  it('pagerduty: a severity change (firing at the new, resolved at the old) only re-triggers, never resolves the incident', async () => {
    rx.received.length = 0;
    rx.respond(() => ({ status: 202, contentType: 'application/json', body: '{"status":"success"}' }));
    const pd = channel({ name: 'pd', type: 'pagerduty', routingKey: 'R0UTINGKEY0123456789abcdef012345', url: `${rx.url}/v2/enqueue` });
    const escalated: Notification = { ...firing, alerts: [firing.alerts[0]!, { ...firing.alerts[0]!, status: 'resolved', labels: { ...firing.alerts[0]!.labels, severity: 'medium' }, endsAt: '2026-11-27T01:00:02.000Z' }] };
    expect(await pd.notify(escalated, ctx())).toEqual({ ok: true });
    expect(rx.received.map((r) => [(r.body as { event_action: string }).event_action, (r.body as { dedup_key: string }).dedup_key])).toEqual([['trigger', 'a1b2c3d4e5f60718']]);
  });

  it('log: writes one "Alert sent" event', async () => {
    const lines: string[] = [];
    const log = createLogger({ destination: { write: (s: string) => { lines.push(s); } } as never });
    const ch = createChannel({ name: 'log', type: 'log' }, log);
    expect(await ch.notify(firing, ctx())).toEqual({ ok: true });
    const line = JSON.parse(lines[0]!);
    expect([line.msg, line.channel, line.status, line.alerts[0].labels.alertname]).toEqual(['Alert sent', 'ops', 'firing', 'high_latency']);
  });
});

describe('channel failures', () => {
  it.each([
    [401, 'auth', false], [403, 'auth', false], [404, 'not_found', false], [410, 'not_found', false],
    [400, 'bad_response', false], [408, 'timeout', true], [429, 'throttled', true], [500, 'bad_response', true], [503, 'bad_response', true],
  ] as const)('HTTP %d is %s (retryable: %s)', (status, reason, retryable) => {
    expect(failureForStatus(status)).toEqual({ reason, retryable });
  });

  it('says what went wrong without the secret URL or routing key', async () => {
    rx.respond(() => ({ status: 403, body: 'invalid_token' }));
    const slack = channel({ name: 'chat', type: 'slack', url: `${rx.url}/services/T0/B0/SECRETPART` });
    const r = await slack.notify(firing, ctx());
    expect(r).toEqual({ ok: false, reason: 'auth', retryable: false, message: "HTTP 403: invalid_token (the receiver refused perfpilot's credentials: check the channel's key, token or URL)" });
    rx.respond((req) => ({ status: 400, contentType: 'application/json', body: JSON.stringify({ status: 'invalid event', errors: [`bad routing key ${(req.body as { routing_key: string }).routing_key}`] }) }));
    const pd = channel({ name: 'pd', type: 'pagerduty', routingKey: 'SECRETROUTINGKEY', url: `${rx.url}/v2/enqueue` });
    const p = await pd.notify(firing, ctx());
    expect(p.ok).toBe(false);
    expect(JSON.stringify(p)).not.toContain('SECRETROUTINGKEY');
    expect(p).toMatchObject({ reason: 'bad_response', retryable: false });
  });

  it('a receiver that is not listening is a retryable network failure, URL redacted', async () => {
    const port = await freePort();
    const r = await channel({ name: 'chat', type: 'slack', url: `http://127.0.0.1:${port}/services/T0/B0/SECRETPART` }).notify(firing, ctx());
    expect(r).toMatchObject({ ok: false, reason: 'network', retryable: true });
    expect(JSON.stringify(r)).not.toContain('SECRETPART');
  });
});

describe.each([
  ['webhook', (url: string) => ({ name: 'c', type: 'webhook', url: `${url}/hook?token=SECRETTOKEN` })],
  ['slack', (url: string) => ({ name: 'c', type: 'slack', url: `${url}/services/T0/B0/SECRETTOKEN` })],
  ['alertmanager', (url: string) => ({ name: 'c', type: 'alertmanager', url: `http://user:SECRETTOKEN@${url.slice(7)}` })],
  ['pagerduty', (url: string) => ({ name: 'c', type: 'pagerduty', routingKey: 'SECRETTOKEN', url: `${url}/v2/enqueue` })],
] as const)('channel contract: %s', (_type, configFor) => {
  it.each([
    [503, { reason: 'bad_response', retryable: true }],
    [429, { reason: 'throttled', retryable: true }],
    [401, { reason: 'auth', retryable: false }],
    [404, { reason: 'not_found', retryable: false }],
  ] as const)('HTTP %d → %o, and no secret in the answer', async (status, expected) => {
    rx.respond(() => ({ status, body: 'echo SECRETTOKEN back' }));
    const r = await channel(configFor(rx.url)).notify(firing, ctx());
    expect(r).toMatchObject({ ok: false, ...expected });
    expect(JSON.stringify(r)).not.toContain('SECRETTOKEN');
  });

  it('a receiver that is down is a retryable network failure, with no secret in the answer', async () => {
    const port = await freePort();
    const r = await channel(configFor(`http://127.0.0.1:${port}`)).notify(firing, ctx());
    expect(r).toMatchObject({ ok: false, reason: 'network', retryable: true });
    expect(JSON.stringify(r)).not.toContain('SECRETTOKEN');
  });

  it('a receiver that hangs is a retryable timeout', async () => {
    rx.respond(() => ({ status: 200, delayMs: 2_000 }));
    const r = await channel(configFor(rx.url)).notify(firing, { signal: AbortSignal.timeout(200), idempotencyKey: 'k' });
    expect(r).toMatchObject({ ok: false, reason: 'timeout', retryable: true });
  });
});
