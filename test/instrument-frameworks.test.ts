import { createServer, type Server } from 'node:http';
import express from 'express';
import Fastify, { type FastifyInstance } from 'fastify';
import Koa from 'koa';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeSketch } from '../src/instrument/duration-sketch.js';
import { instrument, type Instrumentation } from '../src/instrument/index.js';
import { sleep } from '../src/util/sleep.js';
import { closeServer, listen } from './support/listen.js';
import { DELAY_PLAN, exactQuantile, measureServer, planPaths, relativeError, runLoad } from './instrument-support.js';

let perf: Instrumentation;
let stop: () => Promise<void>;
afterEach(async () => {
  await perf?.close();
  await stop?.();
});

/**
 * Runs the load against `/api/items/<ms>/<i>` and checks percentiles and route labels
 * (`routed` false: the framework names no route, so every series is the method alone).
 */
async function checkFramework(server: Server, base: string, exact: number[], routed: boolean): Promise<void> {
  const { seq } = perf.sketch();
  await runLoad(base, planPaths(DELAY_PLAN, (ms, i) => `/api/items/${ms}/${i}`));
  await runLoad(base, Array(3).fill('/api/fail'), 1);
  await runLoad(base, ['/nowhere'], 1);
  const envelope = perf.sketch(seq);
  const sketch = decodeSketch(envelope.http.durationMs);
  expect(exact).toHaveLength(1004);
  expect([envelope.http.requests, envelope.http.errors, sketch.count]).toEqual([1004, 3, 1004]);
  for (const q of [0.5, 0.9, 0.99]) {
    expect(relativeError(sketch.getValueAtQuantile(q), exactQuantile(exact, q)), `p${q * 100}`).toBeLessThanOrEqual(0.01);
  }
  // The handlers waited as planned, so p50, p90 and p99 test the 20, 100 and 400 ms waits.
  expect([exactQuantile(exact, 0.5) >= 20, exactQuantile(exact, 0.9) >= 100, exactQuantile(exact, 0.99) >= 400]).toEqual([true, true, true]);
  const text = perf.metrics();
  expect(text).toContain(`http_server_requests_total{route="${routed ? '/api/items/:ms/:i' : ''}",method="GET",status_class="2xx"} 1000`);
  expect(text).toContain(`http_server_errors_total{route="${routed ? '/api/fail' : ''}",method="GET"} 3`);
  expect(text).toContain('http_server_requests_total{route="",method="GET",status_class="4xx"} 1');
  expect(server.listening).toBe(true);
}

describe('instrument: frameworks', () => {
  it('Express: route patterns joined with the router mount path, percentiles within 1 %', async () => {
    perf = instrument({ service: 'test', environment: 'test' });
    const app = express();
    const api = express.Router();
    api.get('/items/:ms/:i', async (req, res) => {
      await sleep(Number(req.params.ms));
      res.send('ok');
    });
    api.get('/fail', (_req, res) => void res.status(500).send('no'));
    app.use('/api', api);
    const server = createServer(app);
    perf.attach(server);
    const exact = measureServer(server);
    const base = await listen(server);
    stop = () => closeServer(server);
    await checkFramework(server, base, exact, true);
  });

  it('Fastify: route patterns with the plugin prefix, percentiles within 1 %', async () => {
    perf = instrument({ service: 'test', environment: 'test' });
    const app: FastifyInstance = Fastify();
    await app.register(async (api) => {
      api.get('/items/:ms/:i', async (req) => {
        await sleep(Number((req.params as { ms: string }).ms));
        return 'ok';
      });
      api.get('/fail', async (_req, reply) => reply.code(500).send('no'));
    }, { prefix: '/api' });
    perf.attach(app.server);
    const exact = measureServer(app.server);
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address() as { port: number };
    stop = () => app.close();
    await checkFramework(app.server, `http://127.0.0.1:${address.port}`, exact, true);
  });

  it('Koa: labelled by method alone (Koa keeps no route on the request), percentiles within 1 %', async () => {
    perf = instrument({ service: 'test', environment: 'test' });
    const app = new Koa();
    app.use(async (ctx) => {
      const item = /^\/api\/items\/(\d+)\/\d+$/.exec(ctx.path);
      if (item !== null) {
        await sleep(Number(item[1]));
        ctx.body = 'ok';
      } else if (ctx.path === '/api/fail') {
        ctx.status = 500;
        ctx.body = 'no';
      }
    });
    const server = createServer(app.callback());
    perf.attach(server);
    const exact = measureServer(server);
    const base = await listen(server);
    stop = () => closeServer(server);
    await checkFramework(server, base, exact, false);
  });
});
