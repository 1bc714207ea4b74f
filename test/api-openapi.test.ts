import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { registerApi } from '../src/server/api.js';
import { defineRoute } from '../src/server/api-route.js';
import { startReceiver, type HttpReceiver } from './support/http-receiver.js';
import { startTestApp, type TestApp } from './support/perfpilot-app.js';
import { startRedis, type PrivateRedis } from './support/redis-server.js';
import { missingProgram } from './support/require.js';

type Json = Record<string, unknown>;

/**
 * Runs the reference validator (Python openapi-spec-validator, which moto[server] brings along)
 * on a document: the OpenAPI 3.1 JSON Schema, plus the rules a schema cannot say (path
 * parameters declared, operation ids unique, $refs resolved).
 */
async function validateOpenapi(doc: unknown): Promise<{ ok: boolean; output: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'perfpilot-openapi-'));
  try {
    const file = join(dir, 'openapi.json');
    await writeFile(file, JSON.stringify(doc));
    const { stdout, stderr } = await promisify(execFile)('openapi-spec-validator', ['--schema', '3.1', file]);
    return { ok: true, output: stdout + stderr };
  } catch (err) {
    // Its message goes on to print the whole OpenAPI schema: the first line says what is wrong.
    const e = err as { stdout?: string; stderr?: string; message: string };
    return { ok: false, output: (`${e.stdout ?? ''}${e.stderr ?? ''}` || e.message).split('\n')[0]! };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Resolves a local JSON pointer such as `#/components/schemas/Error`; undefined when it does not. */
function resolvePointer(doc: Json, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = doc;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object' || !(key in node)) return undefined;
    node = (node as Json)[key];
  }
  return node;
}

function refsIn(node: unknown, found: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => refsIn(n, found));
  else if (node !== null && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') found.push(v);
      else refsIn(v, found);
    }
  }
  return found;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'];

describe('OpenAPI document', () => {
  let app: TestApp;
  let doc: Json;
  let redis: PrivateRedis | null = null;
  let hook: HttpReceiver;
  beforeAll(async () => {
    // With a Redis to optimize, the plan routes answer with a real plan (checked against its schema below).
    redis = missingProgram('redis-server') === null ? await startRedis({ maxmemory: '8mb', 'maxmemory-policy': 'volatile-lru' }) : null;
    // CPU usage > -1 % always holds: high_cpu_usage fires on the first window, so GET /api/v1/alerts
    // answers with a real alert, delivered to one channel and failed on the other.
    hook = await startReceiver();
    const alerting = {
      rules: [{ name: 'high_cpu_usage', thresholds: { high: -1 }, clear: -2, for: '0s' }],
      alerts: { channels: [{ name: 'ops', type: 'webhook', url: `${hook.url}/hook` }, { name: 'gone', type: 'webhook', url: `${hook.url.replace(/:\d+$/, ':1')}/hook` }], grouping: { groupWait: '0s' } },
    };
    app = await startTestApp(redis
      ? { interval: '1s', sources: { host: {}, redis: { url: redis.url } }, optimize: { targets: [{ type: 'redis', url: redis.url }] }, ...alerting }
      : { interval: '1s', sources: { host: {} }, ...alerting });
    const res = await fetch(`${app.url}/api/v1/openapi.json`);
    expect(res.status).toBe(200);
    doc = (await res.json()) as Json;
  });
  afterAll(async () => {
    await app?.stop();
    await redis?.stop();
    await hook?.close();
  });

  it('is OpenAPI 3.1 with info and paths', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect((doc.info as Json).title).toBe('perfpilot API');
    expect(typeof (doc.info as Json).version).toBe('string');
  });

  it('documents every route with responses, unique operation ids and declared path parameters', () => {
    const paths = doc.paths as Record<string, Record<string, Json>>;
    for (const url of ['/api/v1/environments', '/api/v1/metrics', '/api/v1/metrics/series', '/api/v1/snapshots/latest', '/api/v1/analysis', '/api/v1/issues', '/api/v1/recommendations', '/api/v1/sources', '/api/v1/optimize/plans/{id}/apply', '/api/v1/optimize/changes/{id}/rollback', '/api/v1/optimize/history', '/api/v1/events', '/api/v1/config', '/api/v1/alerts', '/api/v1/silences', '/api/v1/silences/{id}', '/api/v1/openapi.json']) {
      expect(Object.keys(paths), url).toContain(url);
    }
    const ids = new Set<string>();
    for (const [url, item] of Object.entries(paths)) {
      expect(url.startsWith('/')).toBe(true);
      for (const [method, op] of Object.entries(item)) {
        expect(METHODS, `${method} ${url}`).toContain(method);
        const responses = op.responses as Json;
        expect(Object.keys(responses).length, `${method} ${url}`).toBeGreaterThan(0);
        for (const r of Object.values(responses)) expect(typeof (r as Json).description).toBe('string');
        if (op.operationId) {
          expect(ids.has(op.operationId as string), `duplicate operationId ${op.operationId}`).toBe(false);
          ids.add(op.operationId as string);
        }
        const declared = ((op.parameters ?? []) as Json[]).filter((p) => p.in === 'path').map((p) => p.name).sort();
        const templated = [...url.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
        expect(declared, `${method} ${url}`).toEqual(templated);
        for (const p of (op.parameters ?? []) as Json[]) {
          expect(['query', 'path', 'header', 'cookie']).toContain(p.in);
          expect(p.schema).toBeTypeOf('object');
        }
      }
    }
  });

  it('answers what it documents: every GET route\'s answer parses with its response schema', async () => {
    const deadline = Date.now() + 15_000;
    while ((await fetch(`${app.url}/api/v1/snapshots/latest`)).status !== 200 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    // Real alert data: the firing alert delivered on one channel and retrying on the other, and a silence.
    const deliveries = async () => ((await (await fetch(`${app.url}/api/v1/alerts`)).json()) as { alerts: { deliveries: { channel: string; status: string }[] }[] }).alerts[0]?.deliveries.map((d) => `${d.channel}:${d.status}`).join() ?? '';
    while ((await deliveries()) !== 'gone:retrying,ops:delivered' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(await deliveries()).toBe('gone:retrying,ops:delivered');
    const route = (method: string, url: string) => app.app.api.routes.find((r) => r.method === method && r.url === url)!;
    const write = (method: string, path: string, body?: unknown) => fetch(`${app.url}${path}`, {
      method, headers: { authorization: `Bearer ${app.token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const ended = await write('POST', '/api/v1/silences', { matchers: ['alertname=high_cpu_usage', 'severity!~low|medium'], duration: '1h', comment: 'ended below' });
    expect(ended.status).toBe(201);
    const endedBody = await ended.json();
    expect(route('POST', '/api/v1/silences').response.parse(endedBody)).toEqual(endedBody);
    const expired = await write('DELETE', `/api/v1/silences/${endedBody.id}`);
    const expiredBody = await expired.json();
    expect([expired.status, route('DELETE', '/api/v1/silences/:id').response.parse(expiredBody)]).toEqual([200, { expired: endedBody.id }]);
    expect((await write('POST', '/api/v1/silences', { matchers: ['environment=local'], comment: 'active' })).status).toBe(201);
    const checked: string[] = [];
    for (const route of app.app.api.routes) {
      if (route.method !== 'GET' || route.url.includes(':') || route.url === '/api/v1/events') continue;
      const query = route.url === '/api/v1/metrics/series' ? `?fields=resources.cpu.usage,cache.hitRate&from=${Date.now() - 60_000}`
        : route.url === '/api/v1/alerts' || route.url === '/api/v1/silences' ? '?all=true' : '';
      const res = await fetch(`${app.url}${route.url}${query}`);
      expect(res.status, route.url).toBe(200);
      const body = await res.json();
      if (route.url === '/api/v1/optimize/plans/latest' && redis) expect(body.plan.environment, 'a real plan').toBe('local');
      const parsed = route.response.safeParse(body);
      expect(parsed.error?.issues ?? [], route.url).toEqual([]);
      if (route.url === '/api/v1/alerts' || route.url === '/api/v1/silences') {
        // A parse drops keys the schema does not name: equal means every field of the answer is documented.
        expect(parsed.data, route.url).toEqual(body);
      }
      checked.push(route.url);
    }
    expect(checked).toEqual(expect.arrayContaining(['/api/v1/environments', '/api/v1/metrics', '/api/v1/metrics/series', '/api/v1/snapshots/latest', '/api/v1/sources', '/api/v1/analysis', '/api/v1/issues', '/api/v1/recommendations', '/api/v1/optimize/plans/latest', '/api/v1/optimize/history', '/api/v1/config', '/api/v1/alerts', '/api/v1/silences', '/api/v1/openapi.json']));
    const silences = ((await (await fetch(`${app.url}/api/v1/silences?all=true`)).json()) as { silences: { comment: string }[] }).silences;
    expect(silences.map((s) => s.comment)).toEqual(['active', 'ended below']);
    const { alerts, channels } = (await (await fetch(`${app.url}/api/v1/alerts`)).json()) as { alerts: Json[]; channels: Json[] };
    expect(alerts[0]).toMatchObject({ rule: 'high_cpu_usage', phase: 'firing', severity: 'high', startsAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    expect(channels).toEqual([
      { channel: 'ops', pending: 0, failed: 0, lastReason: null, lastError: null },
      { channel: 'gone', pending: 1, failed: 0, lastReason: 'network', lastError: expect.any(String) },
    ]);
  });

  it('documents the alert and silence routes with their query, body, path parameters and answers', () => {
    const paths = doc.paths as Record<string, Record<string, Json>>;
    const alerts = paths['/api/v1/alerts']!.get!;
    expect(alerts.tags).toEqual(['alerts']);
    expect((alerts.parameters as Json[]).map((p) => [p.name, p.in, p.required])).toEqual([['environment', 'query', false], ['all', 'query', false]]);
    expect((alerts.parameters as Json[])[1]!.schema).toMatchObject({ enum: ['true', 'false'] });
    const alertsAnswer = ((alerts.responses as Json)['200'] as { content: Record<string, { schema: Json }> }).content['application/json']!.schema;
    expect(alertsAnswer).toMatchObject({ type: 'object', required: ['alerts', 'channels'] });
    const alert = ((alertsAnswer.properties as Json).alerts as { items: Json }).items;
    expect(alert.required).toEqual(['fingerprint', 'environment', 'rule', 'phase', 'severity', 'labels', 'value', 'description', 'recommendation', 'activeSince', 'startsAt', 'endsAt', 'deliveries']);
    expect(((alert.properties as Json).phase as Json).enum).toEqual(['inactive', 'pending', 'firing', 'resolved']);
    const delivery = (((alert.properties as Json).deliveries as { items: Json }).items.properties as Json);
    expect((delivery.status as Json).enum).toEqual(['pending', 'retrying', 'delivered', 'failed']);
    expect(alerts.security).toBeUndefined();

    const list = paths['/api/v1/silences']!.get!;
    expect((list.parameters as Json[]).map((p) => p.name)).toEqual(['all']);
    const add = paths['/api/v1/silences']!.post!;
    expect(add.security).toEqual([{ bearer: [] }]);
    expect(Object.keys(add.responses as Json)).toEqual(['201', '400', '401', '429']);
    const body = (add.requestBody as { required: boolean; content: Record<string, { schema: Json }> });
    expect(body.required).toBe(true);
    expect(body.content['application/json']!.schema).toMatchObject({
      type: 'object',
      required: ['matchers'],
      additionalProperties: false,
      properties: { matchers: { type: 'array', minItems: 1, items: { type: 'string' } }, duration: { type: 'string' }, comment: { type: 'string', maxLength: 1000 }, createdBy: { type: 'string' } },
    });
    const silence = ((add.responses as Json)['201'] as { content: Record<string, { schema: Json }> }).content['application/json']!.schema;
    expect(silence.required).toEqual(['id', 'matchers', 'startsMs', 'endsMs', 'createdBy', 'comment']);
    const expire = paths['/api/v1/silences/{id}']!.delete!;
    expect(expire.security).toEqual([{ bearer: [] }]);
    expect((expire.parameters as Json[]).map((p) => [p.name, p.in, p.required])).toEqual([['id', 'path', true]]);
    expect(((expire.responses as Json)['200'] as { content: Record<string, { schema: Json }> }).content['application/json']!.schema).toMatchObject({ required: ['expired'] });
  });

  it.skipIf(missingProgram('openapi-spec-validator') !== null)('passes the OpenAPI 3.1 reference validator, which refuses a broken copy', async () => {
    const verdict = await validateOpenapi(doc);
    expect(verdict).toEqual({ ok: true, output: expect.stringMatching(/openapi\.json: OK\n$/) });
    const paths = doc.paths as Record<string, Record<string, Json>>;
    const broken = { ...doc, paths: { ...paths, '/api/v1/optimize/plans/{id}/apply': { post: { ...paths['/api/v1/optimize/plans/{id}/apply']!.post, parameters: [] } } } };
    const refused = await validateOpenapi(broken);
    expect(refused.ok).toBe(false);
    expect(refused.output).toContain("Path parameter 'id' for 'post' operation in '/api/v1/optimize/plans/{id}/apply' was not resolved");
  });

  it('resolves every $ref', () => {
    const refs = refsIn(doc);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) expect(resolvePointer(doc, ref), ref).toBeDefined();
  });

  it('is generated from the schemas that validate requests', async () => {
    const series = (doc.paths as Json)['/api/v1/metrics/series'] as Record<string, Json>;
    const params = series.get!.parameters as Json[];
    const from = params.find((p) => p.name === 'from')!;
    expect(from.required).toBe(true);
    const apply = ((doc.paths as Json)['/api/v1/optimize/plans/{id}/apply'] as Record<string, Json>).post!;
    expect(apply.security).toEqual([{ bearer: [] }]);
    expect(Object.keys(apply.responses as Json)).toEqual(['200', '400', '401', '429']);
    const res = await fetch(`${app.url}/api/v1/metrics/series?fields=cache.hitRate`);
    expect(((await res.json()) as Json).error).toMatchObject({ field: 'query.from' });
  });
});

describe('routes another module adds with api.addRoutes', () => {
  it('are guarded, validated and documented from their schemas like the API\'s own', async () => {
    const app = Fastify();
    const none = async () => null;
    const api = registerApi(app, {
      environment: 'local',
      windowMs: 300_000,
      metrics: { environments: async () => ['local'], latestSnapshot: none, snapshot: async () => { throw new Error('unused'); }, series: async () => { throw new Error('unused'); } },
      analyses: { latestAnalysis: none },
      tokens: { write: 'w-token', read: null },
      config: {},
    });
    const Body = z.strictObject({ matchers: z.array(z.string()).min(1), comment: z.string().max(20).default('') });
    api.addRoutes([defineRoute({
      method: 'POST', url: '/api/v1/things', summary: 'Add a thing', tag: 'things', access: 'write', body: Body,
      response: z.object({ added: z.number() }), status: 201,
      async handler({ body }) {
        return { added: body.matchers.length };
      },
    })]);
    await app.ready();
    const post = (body: unknown, token?: string) => app.inject({ method: 'POST', url: '/api/v1/things', payload: body as object, headers: token ? { authorization: `Bearer ${token}` } : {} });
    expect((await post({ matchers: ['a=b'] })).statusCode).toBe(401);
    expect((await post({ matchers: ['a=b'] }, 'nope')).statusCode).toBe(401);
    const bad = await post({ matchers: [] }, 'w-token');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.field).toBe('body.matchers');
    const ok = await post({ matchers: ['a=b', 'c=d'] }, 'w-token');
    expect([ok.statusCode, ok.json()]).toEqual([201, { added: 2 }]);
    const doc = (await app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
    const op = doc.paths['/api/v1/things'].post;
    expect(op.security).toEqual([{ bearer: [] }]);
    expect(op.requestBody.content['application/json'].schema).toMatchObject({ type: 'object', required: ['matchers'], properties: { matchers: { type: 'array', minItems: 1 } } });
    expect(Object.keys(op.responses)).toEqual(['201', '400', '401', '429']);
    await app.close();
  });
});
