import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { windowSnapshot } from '../src/collect/window-snapshot.js';
import { appReadings, createAppSource, type AppSample } from '../src/sources/app.js';
import { SourceError, type TimedSample } from '../src/sources/source.js';
import { ROOT } from './support/cli.js';
import { freePort } from './support/ports.js';
import { closeServer, listen } from './support/listen.js';
import { exactQuantile, planPaths, relativeError, runLoad } from './instrument-support.js';

/**
 * An instrumented service in its own process: `/wait/<ms>` answers after ms, `/status/<n>` with
 * status n; users come from `x-user`. It measures durations itself, on Node's HTTP diagnostics
 * channels (see measureServer in instrument-support.ts), and prints them as JSON when it reads "durations" on stdin.
 */
const SERVICE = `
import { subscribe } from 'node:diagnostics_channel';
import { createServer } from 'node:http';
import { createInterface } from 'node:readline';
import { instrument } from '${ROOT}/src/instrument/index.ts';
const perf = instrument({ service: 'shop', environment: 'test', userId: (req) => req.headers['x-user'] });
const server = createServer((req, res) => {
  const [, kind, arg] = req.url.split('/');
  if (kind === 'wait') setTimeout(() => res.end('ok'), Number(arg));
  else { res.statusCode = kind === 'status' ? Number(arg) : 200; res.end(); }
});
perf.attach(server);
const durations = [];
const starts = new WeakMap();
subscribe('http.server.request.start', (m) => m.server === server && starts.set(m.response, performance.now()));
subscribe('http.server.response.finish', (m) => m.server === server && durations.push(performance.now() - starts.get(m.response)));
server.listen(0, '127.0.0.1', async () => {
  const exporter = await perf.serve({ host: '127.0.0.1', port: Number(process.argv[1] ?? 0) });
  console.log(JSON.stringify({ app: 'http://127.0.0.1:' + server.address().port, exporter: exporter.url }));
});
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line === 'durations') console.log(JSON.stringify(durations.splice(0)));
});
`;

interface Service {
  readonly app: string;
  readonly exporter: string;
  durations(): Promise<number[]>;
  stop(): void;
  readonly stopped: Promise<void>;
}

/** Starts the service; its exporter on `exporterPort` (to restart one in place), else a free port. */
async function startService(exporterPort = 0): Promise<Service> {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', SERVICE, String(exporterPort)], { cwd: ROOT });
  const lines = createInterface({ input: child.stdout });
  const next = () => new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`service exited ${code}`)));
  });
  const { app, exporter } = JSON.parse(await next()) as { app: string; exporter: string };
  return {
    app,
    exporter,
    async durations() {
      const answer = next();
      child.stdin.write('durations\n');
      return JSON.parse(await answer) as number[];
    },
    stop: () => child.kill('SIGKILL'),
    stopped: new Promise<void>((resolve) => child.once('exit', () => resolve())),
  };
}

const at = (atMs: number, data: AppSample): TimedSample<AppSample> => ({ atMs, data });
const signal = () => AbortSignal.timeout(10_000);

let a: Service;
let b: Service;
beforeAll(async () => {
  [a, b] = await Promise.all([startService(), startService()]);
});
afterAll(() => {
  a?.stop();
  b?.stop();
});

describe('app source', () => {
  it('merges two processes: true percentiles of all requests, exact error rate and throughput', async () => {
    const source = createAppSource({ targets: [a.exporter, b.exporter] });
    const other = createAppSource({ targets: [a.exporter, b.exporter] });
    // Warm the services up (compiling perfpilot's code on the first requests would delay their own
    // timestamps), and let both sources' next pulls start after that.
    await Promise.all([runLoad(a.app, Array(20).fill('/status/200'), 2), runLoad(b.app, Array(20).fill('/status/200'), 2)]);
    const beforeBaselineMs = Date.now();
    const baseline = at(Date.now(), await source.sample(signal()));
    await other.sample(signal());
    await Promise.all([a.durations(), b.durations()]);

    const planA = [{ ms: 20, count: 300 }, { ms: 100, count: 200 }, { ms: 400, count: 10 }];
    const planB = [{ ms: 20, count: 300 }, { ms: 100, count: 150 }, { ms: 400, count: 40 }];
    const failing = (n: number, ok: number) => [...Array(n).fill('/status/500'), ...Array(ok).fill('/status/204')];
    const loadStartMs = Date.now();
    await Promise.all([
      runLoad(a.app, [...planPaths(planA, (ms) => `/wait/${ms}`), ...failing(13, 27)], 25),
      runLoad(b.app, [...planPaths(planB, (ms) => `/wait/${ms}`), ...failing(7, 3)], 25),
    ]);
    const loadEndMs = Date.now();
    const sample = await source.sample(signal());
    const afterSampleMs = Date.now();
    const seenByOther = await other.sample(signal());
    const exact = [...(await a.durations()), ...(await b.durations())];
    expect(exact).toHaveLength(1050);

    const { metrics, detail } = appReadings(baseline, [at(Date.now(), sample)]);
    for (const [q, key] of [[0.5, 'p50'], [0.9, 'p90'], [0.99, 'p99']] as const) {
      expect(relativeError(metrics.application!.responseTime![key]!, exactQuantile(exact, q)), key).toBeLessThanOrEqual(0.01);
    }
    expect(metrics.application!.errorRate).toBe(20 / 1050);
    const windows = sample.targets.map((t) => (t.ok ? t.window : null));
    expect(windows.map((w) => w?.http.requests)).toEqual([550, 500]);
    const expectedThroughput = 550 / ((windows[0]!.endMs - windows[0]!.startMs) / 1000) + 500 / ((windows[1]!.endMs - windows[1]!.startMs) / 1000);
    expect(metrics.application!.throughput).toBe(expectedThroughput);
    // Each window is the span between this source's two pulls, as the test's own clock saw them
    // (the services share the machine's clock): it holds the whole load and nothing before.
    for (const w of windows) {
      expect(w!.startMs).toBeGreaterThanOrEqual(beforeBaselineMs);
      expect(w!.startMs).toBeLessThanOrEqual(loadStartMs);
      expect(w!.endMs).toBeGreaterThanOrEqual(loadEndMs);
      expect(w!.endMs).toBeLessThanOrEqual(afterSampleMs);
    }
    expect(metrics.application!.throughput).toBeGreaterThanOrEqual(1050 / ((afterSampleMs - beforeBaselineMs) / 1000));
    expect(metrics.application!.throughput).toBeLessThanOrEqual(1050 / ((loadEndMs - loadStartMs) / 1000));
    expect(detail).toBe('2 of 2 targets answered');
    // A second perfpilot on its own cursors saw exactly the same requests.
    expect(seenByOther.targets.map((t) => (t.ok ? t.window.http.requests : null))).toEqual([550, 500]);
    expect(appReadings(null, [at(0, seenByOther)]).metrics.application!.responseTime).toEqual(metrics.application!.responseTime);
  });

  it('merges users across instances: 10,000 distinct users seen on two processes within 2 %', async () => {
    const source = createAppSource({ targets: [a.exporter, b.exporter] });
    const first = await source.sample(signal());
    await Promise.all([
      runLoad(a.app, Array(6_000).fill('/'), 16, (i) => ({ 'x-user': `user-${i}` })),
      runLoad(b.app, Array(6_000).fill('/'), 16, (i) => ({ 'x-user': `user-${i + 4_000}` })),
    ]);
    const second = await source.sample(signal());
    const users = appReadings(null, [at(1, first), at(2, second)]).metrics.application!.concurrentUsers!;
    expect(Math.abs(users - 10_000) / 10_000).toBeLessThanOrEqual(0.02);
  });

  it('counts nothing from before its first answer from a target: that window reaches back to the previous cut by anyone', async () => {
    await runLoad(a.app, Array(30).fill('/status/500'), 3); // before this source existed
    const source = createAppSource({ targets: [a.exporter] });
    const first = await source.sample(signal());
    expect(first.targets[0]).toMatchObject({ ok: true, first: true, window: { http: { requests: 30, errors: 30 } } });
    const alone = appReadings(null, [at(1, first)]);
    expect(alone.metrics.application).toEqual({ responseTime: { p50: null, p90: null, p99: null }, errorRate: null, throughput: null, concurrentUsers: null });
    expect(alone.detail).toBe('1 of 1 targets answered');
    await runLoad(a.app, Array(10).fill('/status/200'), 2);
    const second = await source.sample(signal());
    expect(second.targets[0]).not.toHaveProperty('first');
    const { metrics } = appReadings(null, [at(1, first), at(2, second)]);
    expect([metrics.application!.errorRate, metrics.application!.concurrentUsers]).toEqual([0, 1]);
  });

  it('takes up a restarted target where its new process began, whatever the old cursor was', async () => {
    const first = await startService();
    let second: Service | undefined;
    try {
      const source = createAppSource({ targets: [first.exporter] });
      await source.sample(signal());
      for (let i = 0; i < 5; i++) await source.sample(signal()); // this source's cursor: 6
      first.stop();
      await first.stopped;
      second = await startService(Number(new URL(first.exporter).port));
      const other = createAppSource({ targets: [second.exporter] });
      await runLoad(second.app, Array(7).fill('/status/200'), 1);
      await other.sample(signal()); // another perfpilot cuts the new process's windows 1 and 2
      await runLoad(second.app, Array(4).fill('/status/500'), 1);
      await other.sample(signal());
      await runLoad(second.app, Array(2).fill('/status/200'), 1);
      const after = await source.sample(signal());
      const pulled = after.targets[0]!;
      expect(pulled.ok && { requests: pulled.window.http.requests, errors: pulled.window.http.errors, gap: pulled.gap }).toEqual({ requests: 13, errors: 4, gap: false });
      await runLoad(second.app, Array(3).fill('/status/200'), 1);
      const next = (await source.sample(signal())).targets[0]!;
      expect(next.ok && next.window.http.requests).toBe(3);
    } finally {
      first.stop();
      second?.stop();
    }
  });

  describe('with targets that do not answer', () => {
    let junk: Server;
    let junkUrl: string;
    beforeAll(async () => {
      junk = createServer((req, res) => res.end(req.url?.startsWith('/perfpilot/v1/sketch') ? '{"version":2}' : ''));
      junkUrl = await listen(junk);
    });
    afterAll(() => closeServer(junk));

    it('names them in the status detail and uses the rest', async () => {
      const down = `http://127.0.0.1:${await freePort()}`;
      const source = createAppSource({ targets: [a.exporter, down, junkUrl] });
      const t0 = Date.now();
      const first = await source.sample(signal());
      await runLoad(a.app, Array(40).fill('/status/200'), 4);
      const second = await source.sample(signal());
      const snapshot = windowSnapshot('test', { startMs: t0, endMs: Date.now() + 1 }, [source], new Map([['app', [
        { source: 'app', atMs: t0, ok: true, data: first },
        { source: 'app', atMs: Date.now(), ok: true, data: second },
      ]]]));
      expect(snapshot.sources.app).toEqual({
        status: 'ok',
        detail: `1 of 3 targets answered; ${down}: connect ECONNREFUSED ${down.slice('http://'.length)}; ${junkUrl}: not a perfpilot v1 sketch: version Invalid input: expected 1`,
      });
      expect(snapshot.metrics.application.errorRate).toBe(0);
      expect(snapshot.metrics.database.queryTime.p50).toBeNull();
    });

    it('loses nothing when a sample times out: its cursors do not move', async () => {
      const slow = createServer((_req, res) => void setTimeout(() => res.writeHead(503).end(), 300));
      const slowUrl = await listen(slow);
      try {
        const source = createAppSource({ targets: [a.exporter, slowUrl] });
        await source.sample(signal());
        await runLoad(a.app, Array(5).fill('/status/200'), 1);
        await expect(source.sample(AbortSignal.timeout(100))).rejects.toThrow();
        const after = await source.sample(signal());
        expect(after.targets.map((t) => (t.ok ? t.window.http.requests : t.message))).toEqual([5, 'answered 503 Service Unavailable']);
      } finally {
        await closeServer(slow);
      }
    });

    it('fails the sample when no target answers', async () => {
      const down = `http://127.0.0.1:${await freePort()}`;
      const source = createAppSource({ targets: [down] });
      const err = await source.sample(signal()).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SourceError);
      expect(err).toMatchObject({ reason: 'network', message: `${down}: connect ECONNREFUSED ${down.slice('http://'.length)}` });
    });
  });
});
