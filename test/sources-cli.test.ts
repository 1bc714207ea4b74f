import { createServer, type Server } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { freePort } from './support/ports.js';
import { listen } from './support/listen.js';

const API_KEY = 'dd-api-0123456789abcdef';
const APP_KEY = 'dd-app-fedcba9876543210';

async function serve(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  return { server, url: await listen(server) };
}

interface Check { source: string; status: string; reason?: string; message?: string; detail?: string }

describe('perfpilot sources test', () => {
  let dir: string;
  let prometheus: { server: Server; url: string };
  let datadog: { server: Server; url: string };
  let emptyPrometheus: { server: Server; url: string };
  let throttledDatadog: { server: Server; url: string };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'perfpilot-sources-'));
    // A Prometheus HTTP API that has 0.5 for every query, behind basic auth.
    prometheus = await serve((req, res) => {
      if (req.headers.authorization !== `Basic ${Buffer.from('admin:pr0m-pass').toString('base64')}`) {
        res.writeHead(401).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [Date.now() / 1000, '0.5'] }] } }));
    });
    // Datadog refusing the application key.
    datadog = await serve((_req, res) => {
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: ['Forbidden'] }));
    });
    // A Prometheus that scrapes none of the preset's series: every query finds no series.
    emptyPrometheus = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [] } }));
    });
    // Datadog over its rate limit for another two minutes.
    throttledDatadog = await serve((_req, res) => {
      res.writeHead(429, { 'content-type': 'application/json', 'x-ratelimit-limit': '1600', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '120' });
      res.end(JSON.stringify({ errors: ['Too many requests'] }));
    });
  });

  afterAll(async () => {
    await Promise.all([prometheus, datadog, emptyPrometheus, throttledDatadog].map((s) => new Promise((r) => s.server.close(r))));
    await rm(dir, { recursive: true, force: true });
  });

  it('says what is wrong with each remote source, exits 1, and shows no secret', async () => {
    const unused = await freePort();
    const file = join(dir, 'perfpilot.yaml');
    const promUrl = prometheus.url.replace('http://', 'http://admin:pr0m-pass@');
    await writeFile(file, [
      'environment: prod',
      'sources:',
      '  host: false',
      `  prometheus: { url: "${promUrl}", preset: exporters }`,
      `  datadog: { url: "${datadog.url}", tags: [env:prod] }`,
      `  cloudwatch: { endpoint: "http://127.0.0.1:${unused}", retries: 0, dimensions: { staging: { rds: { DBInstanceIdentifier: db1 } } } }`,
    ].join('\n'));
    const env = { DD_API_KEY: API_KEY, DD_APP_KEY: APP_KEY, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };

    const json = await runCli(['sources', 'test', '--config', file, '--json'], { env });
    expect(json.code).toBe(1);
    const checks = JSON.parse(json.stdout) as Check[];
    const by = new Map(checks.map((c) => [c.source, c]));
    expect(by.get('prometheus')).toEqual({ source: 'prometheus', status: 'ok', detail: '14 of 14 fields from exporters' });
    expect(by.get('datadog')).toEqual({
      source: 'datadog', status: 'error', reason: 'auth',
      message: '403 Forbidden — DD_APP_KEY is missing or lacks the timeseries_query scope, or DD_API_KEY is not a key of this organization on datadoghq.com',
    });
    expect(by.get('cloudwatch')).toEqual({
      source: 'cloudwatch', status: 'error', reason: 'not_found',
      message: 'no AWS resources are set for environment "prod": add sources.cloudwatch.dimensions.prod (apiGateway, rds, elastiCache, ec2 or ecs)',
    });
    expect(by.get('host')).toEqual({ source: 'host', status: 'not_configured' });
    expect(by.get('app')).toEqual({ source: 'app', status: 'not_configured' });

    const table = await runCli(['sources', 'test', '--config', file], { env });
    expect(table.code).toBe(1);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^SOURCE\s+STATUS\s+WHAT$/);
    expect(lines).toContainEqual(expect.stringMatching(/^datadog\s+failed \(auth\)\s+403 Forbidden — DD_APP_KEY is missing or lacks the timeseries_query scope/));
    expect(lines).toContainEqual(expect.stringMatching(/^prometheus\s+ok\s+14 of 14 fields from exporters$/));
    expect(lines).toContainEqual(expect.stringMatching(/^host\s+not configured$/));
    for (const out of [json.stdout, json.stderr, table.stdout, table.stderr]) {
      expect(out).not.toMatch(/pr0m-pass|dd-api-0123|dd-app-fedc/);
    }
  });

  it('names throttling, an unreachable endpoint and an empty result, each with what to do', async () => {
    const unused = await freePort();
    const file = join(dir, 'failing.yaml');
    await writeFile(file, [
      'environment: prod',
      'sources:',
      '  host: false',
      '  redis: false',
      '  postgres: false',
      `  prometheus: { url: "${emptyPrometheus.url}", preset: exporters, selector: 'env="prod"' }`,
      `  datadog: { url: "${throttledDatadog.url}", tags: [env:prod] }`,
      `  cloudwatch: { endpoint: "http://127.0.0.1:${unused}", retries: 0, dimensions: { prod: { rds: { DBInstanceIdentifier: db1 } } } }`,
    ].join('\n'));
    const env = { DD_API_KEY: API_KEY, DD_APP_KEY: APP_KEY, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
    const r = await runCli(['sources', 'test', '--config', file, '--json'], { env });
    expect(r.code).toBe(1);
    const by = new Map((JSON.parse(r.stdout) as Check[]).map((c) => [c.source, c]));
    expect(by.get('datadog')).toEqual({ source: 'datadog', status: 'error', reason: 'throttled', message: 'Datadog query was rate limited; the limit resets in 120 s' });
    expect(by.get('cloudwatch')).toEqual({ source: 'cloudwatch', status: 'error', reason: 'network', message: `cannot reach http://127.0.0.1:${unused}: connect ECONNREFUSED 127.0.0.1:${unused}` });
    expect(by.get('prometheus')).toEqual({
      source: 'prometheus', status: 'error', reason: 'empty',
      message: `${emptyPrometheus.url} answered, but none of the 14 queries found data in this window: check that it scrapes the exporters of the preset (exporters) with labels env="prod"`,
    });
  });

  it('exits 0 when every configured source answers', async () => {
    const file = join(dir, 'ok.yaml');
    // Only the Prometheus source: the local Redis and PostgreSQL probes are off, so nothing else can fail.
    await writeFile(file, `sources:\n  host: false\n  redis: false\n  postgres: false\n  prometheus: { url: "${prometheus.url.replace('http://', 'http://admin:pr0m-pass@')}", preset: perfpilot }\n`);
    const r = await runCli(['sources', 'test', '--config', file, '--json']);
    const checks = JSON.parse(r.stdout) as Check[];
    expect(checks.find((c) => c.source === 'prometheus')).toEqual({ source: 'prometheus', status: 'ok', detail: '9 of 9 fields from perfpilot' });
    expect(checks.filter((c) => c.status !== 'not_configured').map((c) => c.source)).toEqual(['prometheus']);
    expect(r.code).toBe(0);
  });
});
