import { createServer, type Server, type ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { instrument, type Instrumentation } from '../src/instrument/index.js';
import { decodeSketch } from '../src/instrument/duration-sketch.js';
import { HyperLogLog } from '../src/instrument/hyperloglog.js';
import { sleep } from '../src/util/sleep.js';
import { closeServer, listen } from './support/listen.js';
import { DELAY_PLAN, exactQuantile, measureServer, planPaths, relativeError, runLoad } from './instrument-support.js';

/** A server whose `/wait?ms=N` answers after N ms and `/status/N` answers status N. */
function waitingServer(): Server {
  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://test');
    if (url.pathname === '/wait') setTimeout(() => res.end('ok'), Number(url.searchParams.get('ms')));
    else if (url.pathname.startsWith('/status/')) {
      res.statusCode = Number(url.pathname.slice('/status/'.length));
      res.end();
    } else res.end('hello');
  });
}

let perf: Instrumentation;
let server: Server;
afterEach(async () => {
  await perf?.close();
  if (server?.listening) await closeServer(server);
});

async function setUp(options: Partial<Parameters<typeof instrument>[0]> = {}): Promise<string> {
  perf = instrument({ service: 'test', environment: 'test', ...options });
  server = waitingServer();
  perf.attach(server);
  return listen(server);
}

describe('instrument: node:http', () => {
  it('reports p50/p90/p99 within 1 % of the exact percentiles of 600×20 ms, 350×100 ms, 50×400 ms', async () => {
    perf = instrument({ service: 'test', environment: 'test' });
    server = waitingServer();
    perf.attach(server);
    const exact = measureServer(server);
    const base = await listen(server);
    const { seq } = perf.sketch();
    await runLoad(base, planPaths(DELAY_PLAN, (ms, i) => `/wait?ms=${ms}&i=${i}`));
    const envelope = perf.sketch(seq);
    expect(exact).toHaveLength(1000);
    expect(envelope.http.requests).toBe(1000);
    const sketch = decodeSketch(envelope.http.durationMs);
    expect(sketch.count).toBe(1000);
    for (const q of [0.5, 0.9, 0.99]) {
      expect(relativeError(sketch.getValueAtQuantile(q), exactQuantile(exact, q)), `p${q * 100}`).toBeLessThanOrEqual(0.01);
    }
    // The load is what the plan says, so the three percentiles test three different waits.
    expect(exactQuantile(exact, 0.5)).toBeGreaterThanOrEqual(20);
    expect(exactQuantile(exact, 0.5)).toBeLessThan(100);
    expect(exactQuantile(exact, 0.9)).toBeGreaterThanOrEqual(100);
    expect(exactQuantile(exact, 0.9)).toBeLessThan(400);
    expect(exactQuantile(exact, 0.99)).toBeGreaterThanOrEqual(400);
    expect(relativeError(sketch.min, Math.min(...exact))).toBeLessThan(0.01);
    expect(relativeError(sketch.max, Math.max(...exact))).toBeLessThan(0.01);
    expect(relativeError(sketch.sum, exact.reduce((a, b) => a + b, 0))).toBeLessThan(0.001);
  });

  it('counts status classes and 5xx errors exactly, by method when no route is known', async () => {
    const base = await setUp();
    const paths = [...Array(30).fill('/status/200'), ...Array(7).fill('/status/503'), ...Array(5).fill('/status/404'), ...Array(2).fill('/status/302')];
    const first = perf.sketch();
    await runLoad(base, paths, 8);
    const { http } = perf.sketch(first.seq);
    expect(http).toMatchObject({ requests: 44, errors: 7, aborted: 0, statusClasses: { '1xx': 0, '2xx': 30, '3xx': 2, '4xx': 5, '5xx': 7 } });
    const text = perf.metrics();
    expect(text).toContain('http_server_requests_total{route="",method="GET",status_class="2xx"} 30');
    expect(text).toContain('http_server_requests_total{route="",method="GET",status_class="5xx"} 7');
    expect(text).toContain('http_server_errors_total{route="",method="GET"} 7');
    expect(text).toContain('http_server_request_duration_seconds_count{route="",method="GET",status_class="4xx"} 5');
  });

  it('tracks in-flight requests and counts client aborts apart from finished requests', async () => {
    perf = instrument({ service: 'test', environment: 'test' });
    const held: ServerResponse[] = [];
    server = createServer((_req, res) => void held.push(res));
    perf.attach(server);
    const base = await listen(server);
    const first = perf.sketch();
    const controllers = Array.from({ length: 4 }, () => new AbortController());
    const requests = controllers.map((c) => fetch(`${base}/hold`, { signal: c.signal }).then((r) => r.text()).catch(() => 'aborted'));
    await expect.poll(() => held.length).toBe(4);
    expect(perf.metrics()).toContain('http_server_requests_in_flight 4');
    controllers[0]!.abort();
    controllers[1]!.abort();
    await expect.poll(() => perf.metrics()).toContain('http_server_requests_aborted_total 2');
    expect(perf.metrics()).toContain('http_server_requests_in_flight 2');
    for (const res of held) if (!res.destroyed) res.end('done');
    expect((await Promise.all(requests)).sort()).toEqual(['aborted', 'aborted', 'done', 'done']);
    await expect.poll(() => perf.metrics()).toContain('http_server_requests_in_flight 0');
    const { http, inFlight } = perf.sketch(first.seq);
    expect({ requests: http.requests, aborted: http.aborted, inFlight }).toEqual({ requests: 2, aborted: 2, inFlight: 0 });
  });

  it('times pipelined requests on one connection each from its own start', async () => {
    perf = instrument({ service: 'test', environment: 'test' });
    server = waitingServer();
    perf.attach(server);
    const base = new URL(await listen(server));
    // Warm perfpilot's code up first: compiling it on the first request would delay the test's
    // own timestamps (taken right after perfpilot's) by up to a few ms.
    await runLoad(base.origin, Array(20).fill('/wait?ms=1'), 2);
    const exact = measureServer(server);
    const first = perf.sketch();
    const socket = connect(Number(base.port), base.hostname);
    let answer = '';
    socket.on('data', (d) => (answer += d));
    const get = (ms: number, close = false) => `GET /wait?ms=${ms} HTTP/1.1\r\nHost: x\r\n${close ? 'Connection: close\r\n' : ''}\r\n`;
    // Started 50 ms apart, answered in order: about 150, 100 and 50 ms from their own starts.
    socket.write(get(150));
    await sleep(50);
    socket.write(get(10));
    await sleep(50);
    socket.write(get(10, true));
    await new Promise((resolve) => socket.on('close', resolve));
    expect(answer.match(/HTTP\/1.1 200/g)).toHaveLength(3);
    const { http } = perf.sketch(first.seq);
    const sketch = decodeSketch(http.durationMs);
    expect([http.requests, http.aborted, exact.length]).toEqual([3, 0, 3]);
    // Three values, each compared alone: a GC pause between perfpilot's timestamp and the test's
    // can add a little, so 2 % here. A request timed from another's start is off by a third or more.
    for (const q of [0, 0.5, 1]) expect(relativeError(sketch.getValueAtQuantile(q), exactQuantile(exact, q)), `q=${q}`).toBeLessThanOrEqual(0.02);
    expect(exactQuantile(exact, 0)).toBeLessThan(exactQuantile(exact, 0.5) - 20);
  });

  it('cuts windows so that each of two pullers gets every request exactly once', async () => {
    const base = await setUp();
    const hits = (n: number) => runLoad(base, Array(n).fill('/'), 4);
    await hits(10);
    const a1 = perf.sketch();
    const b1 = perf.sketch();
    expect([a1.http.requests, b1.http.requests]).toEqual([10, 0]);
    await hits(5);
    const a2 = perf.sketch(a1.seq);
    await hits(7);
    const b2 = perf.sketch(b1.seq);
    const a3 = perf.sketch(a2.seq);
    expect([a2.http.requests, b2.http.requests, a3.http.requests]).toEqual([5, 12, 7]);
    expect(decodeSketch(b2.http.durationMs).count).toBe(12);
    expect([a3.gap, b2.gap, a3.since, a3.seq]).toEqual([false, false, a2.seq, b2.seq + 1]);
    expect(b2.endMs).toBeGreaterThanOrEqual(b2.startMs);
    expect(b2.startMs).toBe(b1.endMs);
  });

  it('loses and repeats nothing while two pullers poll /perfpilot/v1/sketch during load', async () => {
    const base = await setUp();
    const exporter = await perf.serve({ host: '127.0.0.1', port: 0 });
    const pull = async (since: number | null) => (await fetch(`${exporter.url}/perfpilot/v1/sketch${since === null ? '' : `?since=${since}`}`)).json() as Promise<ReturnType<Instrumentation['sketch']>>;
    // Each puller's first pull (no cursor) only sets its cursor: nothing has been served yet.
    const pullers = [{ everyMs: 7, seq: (await pull(null)).seq, requests: 0, sketched: 0, gaps: 0 }, { everyMs: 23, seq: (await pull(null)).seq, requests: 0, sketched: 0, gaps: 0 }];
    const pullOnce = async (p: (typeof pullers)[number]) => {
      const envelope = await pull(p.seq);
      p.seq = envelope.seq;
      p.requests += envelope.http.requests;
      p.sketched += envelope.http.durationMs.count;
      if (envelope.gap) p.gaps++;
    };
    let loading = true;
    const polling = pullers.map(async (p) => {
      while (loading) {
        await sleep(p.everyMs);
        await pullOnce(p);
      }
    });
    const statuses = await runLoad(base, planPaths([{ ms: 0, count: 1500 }, { ms: 3, count: 500 }], (ms, i) => `/wait?ms=${ms}&i=${i}`), 16);
    loading = false;
    await Promise.all(polling);
    for (const p of pullers) await pullOnce(p); // after the last response: the rest of the load
    expect(statuses.filter((s) => s === 200)).toHaveLength(2000);
    expect(pullers.map((p) => [p.requests, p.sketched, p.gaps])).toEqual([[2000, 2000, 0], [2000, 2000, 0]]);
  });

  it('says gap when the windows after a cursor were already dropped', async () => {
    const base = await setUp({ retainMs: 1 });
    const first = perf.sketch();
    await runLoad(base, ['/', '/'], 1);
    perf.sketch();
    await sleep(20);
    await runLoad(base, ['/'], 1);
    const late = perf.sketch(first.seq);
    expect([late.gap, late.http.requests]).toEqual([true, 1]);
  });

  it('counts 10,000 distinct users from a header within 2 %, and each user again in the next window', async () => {
    const base = await setUp({ userId: (req) => req.headers['x-user'] as string | undefined });
    const first = perf.sketch();
    await runLoad(base, Array(10_000).fill('/'), 32, (i) => ({ 'x-user': `user-${i}` }));
    const window = perf.sketch(first.seq);
    const users = HyperLogLog.fromBytes(Buffer.from(window.http.users, 'base64')).estimate();
    expect(Math.abs(users - 10_000) / 10_000).toBeLessThanOrEqual(0.02);

    await runLoad(base, Array(20).fill('/'), 4, () => ({ 'x-user': 'same-user' }));
    const second = perf.sketch(window.seq);
    await runLoad(base, Array(20).fill('/'), 4, () => ({ 'x-user': 'same-user' }));
    const third = perf.sketch(second.seq);
    const estimate = (w: typeof second) => HyperLogLog.fromBytes(Buffer.from(w.http.users, 'base64')).estimate();
    expect([estimate(second), estimate(third)]).toEqual([1, 1]);
  });

  it('falls back to the client address when no user is given', async () => {
    const base = await setUp();
    const first = perf.sketch();
    await runLoad(base, Array(50).fill('/'), 5);
    const window = perf.sketch(first.seq);
    expect(HyperLogLog.fromBytes(Buffer.from(window.http.users, 'base64')).estimate()).toBe(1);
  });
});
