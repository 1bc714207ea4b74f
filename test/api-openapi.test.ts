import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/perfpilot-app.js';
import { startRedis, type PrivateRedis } from './support/redis-server.js';
import { missingProgram } from './support/require.js';

type Json = Record<string, unknown>;

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
  beforeAll(async () => {
    // With a Redis to optimize, the plan routes answer with a real plan (checked against its schema below).
    redis = missingProgram('redis-server') === null ? await startRedis({ maxmemory: '8mb', 'maxmemory-policy': 'volatile-lru' }) : null;
    app = await startTestApp(redis
      ? { interval: '1s', sources: { host: {}, redis: { url: redis.url } }, optimize: { targets: [{ type: 'redis', url: redis.url }] } }
      : { interval: '1s', sources: { host: {} } });
    const res = await fetch(`${app.url}/api/v1/openapi.json`);
    expect(res.status).toBe(200);
    doc = (await res.json()) as Json;
  });
  afterAll(async () => {
    await app?.stop();
    await redis?.stop();
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
    const checked: string[] = [];
    for (const route of app.app.api.routes) {
      if (route.method !== 'GET' || route.url.includes(':') || route.url === '/api/v1/events') continue;
      const query = route.url === '/api/v1/metrics/series' ? `?fields=resources.cpu.usage,cache.hitRate&from=${Date.now() - 60_000}` : '';
      const res = await fetch(`${app.url}${route.url}${query}`);
      expect(res.status, route.url).toBe(200);
      const body = await res.json();
      if (route.url === '/api/v1/optimize/plans/latest' && redis) expect(body.plan.environment, 'a real plan').toBe('local');
      const parsed = route.response.safeParse(body);
      expect(parsed.error?.issues ?? [], route.url).toEqual([]);
      checked.push(route.url);
    }
    expect(checked).toEqual(expect.arrayContaining(['/api/v1/environments', '/api/v1/metrics', '/api/v1/metrics/series', '/api/v1/snapshots/latest', '/api/v1/sources', '/api/v1/analysis', '/api/v1/issues', '/api/v1/recommendations', '/api/v1/optimize/plans/latest', '/api/v1/optimize/history', '/api/v1/config', '/api/v1/openapi.json']));
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
