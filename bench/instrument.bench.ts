/**
 * `npm run bench instrument`: a hello-world node:http server under `wrk -t1 -c32 -d10s`, bare and
 * with each instrumentation, in alternating rounds of one run. The server runs in its own child
 * process pinned to CPU 0 (plain node running SERVER below), wrk is pinned to CPU 1.
 * Prints median requests/s, the ratio to bare, the RSS each setup adds, and perfpilot's
 * percentile accuracy against exact durations measured in the same server.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The built package, as a service imports it (`npm run bench` builds it first). */
const DIST = process.env.PERFPILOT_DIST ?? `${ROOT}dist`;
const SETUPS = ['bare', 'perfpilot', 'prom-client', 'opentelemetry'] as const;
type Setup = (typeof SETUPS)[number] | 'perfpilot-accuracy';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

// ---- the server under test (child process, plain node: no TypeScript loader in its memory) ----

/**
 * Run as `node --expose-gc --input-type=module -e SERVER <setup> <dist>`. Answers on stdin:
 * "cpu" → its CPU time so far; "rss" → its private RSS growth since before the setup was loaded,
 * and for perfpilot-accuracy the percentiles of the sketch against exact durations.
 */
const SERVER = `
import http from 'node:http';
import { channel } from 'node:diagnostics_channel';
import { existsSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
const [setup, dist] = process.argv.slice(1);
// Private (anonymous) resident memory: what the process allocated. File-backed pages (node's own
// binary, paged in as new code paths run) are shared with every other node process.
const rssAnon = () => Number(/RssAnon:\\s+(\\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))[1]) * 1024;
globalThis.gc();
const rssAtStart = rssAnon();
const hello = (_req, res) => { res.writeHead(200, { 'content-type': 'text/plain' }); res.end('hello world'); };
let handler = hello;
let report = () => null;
let server;
if (setup === 'opentelemetry') {
  const { NodeTracerProvider, BatchSpanProcessor } = await import('@opentelemetry/sdk-trace-node');
  const { registerInstrumentations } = await import('@opentelemetry/instrumentation');
  const { HttpInstrumentation } = await import('@opentelemetry/instrumentation-http');
  const exporter = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => {} };
  new NodeTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter)] }).register();
  registerInstrumentations({ instrumentations: [new HttpInstrumentation()] });
  // Required after OpenTelemetry hooked require, so its instrumentation applies.
  const { createRequire } = await import('node:module');
  server = createRequire(process.cwd() + '/')('node:http').createServer((req, res) => handler(req, res));
} else {
  server = http.createServer((req, res) => handler(req, res));
}
if (setup === 'prom-client') {
  const client = await import('prom-client');
  const histogram = new client.default.Histogram({ name: 'http_request_duration_seconds', help: 'request duration', labelNames: ['method', 'route', 'status_code'] });
  handler = (req, res) => {
    const end = histogram.startTimer();
    res.once('finish', () => end({ method: req.method, route: '/', status_code: res.statusCode }));
    hello(req, res);
  };
}
if (setup === 'perfpilot' || setup === 'perfpilot-accuracy') {
  const { instrument } = await import(dist + '/instrument/index.js');
  const { decodeSketch, newSketch } = await import(dist + '/instrument/duration-sketch.js');
  const perf = instrument({ service: 'bench', environment: 'bench' });
  perf.attach(server);
  if (setup === 'perfpilot-accuracy') {
    // The durations the sketch is fed, and independently the same channels' durations.
    const fed = [];
    const independent = [];
    const base = Object.getPrototypeOf(Object.getPrototypeOf(newSketch()));
    const accept = base.accept;
    base.accept = function (value, weight) { fed.push(value); accept.call(this, value, weight); };
    const starts = new WeakMap();
    channel('http.server.request.start').subscribe((m) => starts.set(m.response, performance.now()));
    channel('http.server.response.finish').subscribe((m) => independent.push(performance.now() - starts.get(m.response)));
    report = () => {
      const sketch = decodeSketch(perf.sketch().http.durationMs);
      const at = (xs, q) => xs.sort((a, b) => a - b)[Math.floor(q * (xs.length - 1))];
      return [0.5, 0.9, 0.99].map((q) => ({ q, sketchMs: sketch.getValueAtQuantile(q), fedMs: at(fed, q), independentMs: at(independent, q), n: fed.length }));
    };
  } else {
    // A puller, as perfpilot's app source would be (every 10 s by default; here every 2 s).
    setInterval(() => JSON.stringify(perf.sketch()), 2000).unref();
  }
}
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line === 'cpu') {
    const { user, system } = process.cpuUsage();
    console.log(JSON.stringify({ cpuUs: user + system }));
  } else if (line === 'rss') {
    globalThis.gc();
    console.log(JSON.stringify({ rssGrowth: rssAnon() - rssAtStart, report: report() }));
  }
});
`;

interface Accuracy {
  readonly q: number;
  readonly sketchMs: number;
  /** The exact quantile of the very durations perfpilot put into its sketch. */
  readonly fedMs: number;
  /** The exact quantile of durations a second subscriber to the same channels measured. */
  readonly independentMs: number;
  readonly n: number;
}

// ---- the driver ----

interface Run {
  readonly rps: number;
  /** CPU time (user + system) of the server per request: unlike req/s, barely moved by other load. */
  readonly cpuUsPerRequest: number;
  /** Private RSS (RssAnon) after load minus before the setup was loaded. */
  readonly rssGrowthBytes: number;
  readonly report: unknown;
}

async function runOnce(setup: Setup, seconds: number): Promise<Run> {
  // The young generation is pinned at V8's largest default size: left to itself it grows with the
  // allocation rate, so RSS would say more about req/s than about what a setup keeps in memory.
  const v8Flags = ['--expose-gc', '--min-semi-space-size=16', '--max-semi-space-size=16'];
  const child: ChildProcessWithoutNullStreams = spawn('taskset', ['-c', '0', process.execPath, ...v8Flags, '--input-type=module', '-e', SERVER, setup, DIST], { cwd: ROOT });
  child.stderr.pipe(process.stderr);
  const lines = createInterface({ input: child.stdout });
  const next = () => new Promise<string>((resolve) => lines.once('line', resolve));
  try {
    const { port } = JSON.parse(await next()) as { port: number };
    const url = `http://127.0.0.1:${port}/`;
    wrk(url, 2); // warm-up: let the JIT settle
    const ask = async <T>(command: string): Promise<T> => {
      const answer = next();
      child.stdin.write(`${command}\n`);
      return JSON.parse(await answer) as T;
    };
    const before = await ask<{ cpuUs: number }>('cpu');
    const { rps, requests } = wrk(url, seconds);
    const after = await ask<{ cpuUs: number }>('cpu');
    const answer = next();
    child.stdin.write('rss\n');
    const { rssGrowth, report } = JSON.parse(await answer) as { rssGrowth: number; report: unknown };
    return { rps, cpuUsPerRequest: (after.cpuUs - before.cpuUs) / requests, rssGrowthBytes: rssGrowth, report };
  } finally {
    child.kill('SIGKILL');
  }
}

function wrk(url: string, seconds: number): { rps: number; requests: number } {
  const r = spawnSync('taskset', ['-c', '1', 'wrk', '-t1', '-c32', `-d${seconds}s`, url], { encoding: 'utf8' });
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(r.stdout);
  const requests = /(\d+) requests in/.exec(r.stdout);
  if (!rps || !requests) throw new Error(`wrk failed: ${r.stderr || r.stdout}`);
  return { rps: Number(rps[1]), requests: Number(requests[1]) };
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/**
 * perfpilot's own work per request, in ns, timed in-process: the two diagnostics-channel
 * messages Node publishes for a request (allocated here as Node allocates them) and everything
 * perfpilot does on them. Machine load moves wrk's numbers far more than 1 %; this does not.
 */
async function hotPathNs(): Promise<number> {
  const { channel } = await import('node:diagnostics_channel');
  const { EventEmitter } = await import('node:events');
  const { instrument } = await import('../src/instrument/index.js');
  const perf = instrument({ service: 'bench', environment: 'bench' });
  const server = new EventEmitter() as unknown as import('node:http').Server;
  perf.attach(server);
  const start = channel('http.server.request.start');
  const finish = channel('http.server.response.finish');
  const sockets = Array.from({ length: 32 }, (_, i) => Object.assign(new EventEmitter(), { remoteAddress: `10.0.0.${i}` }));
  const requests = Array.from({ length: 64 }, () => ({ method: 'GET', headers: {}, url: '/' }));
  const time = (n: number) => {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) {
      const socket = sockets[i & 31]!;
      const request = requests[i & 63]!;
      const response = { statusCode: 200 };
      start.publish({ request, response, socket, server });
      finish.publish({ request, response, socket, server });
    }
    return Number(process.hrtime.bigint() - t0) / n;
  };
  time(200_000);
  // The least disturbed of five runs: other processes only ever add time.
  const ns = Math.min(...Array.from({ length: 5 }, () => time(1_000_000)));
  await perf.close();
  return ns;
}

async function main(): Promise<void> {
  if (spawnSync('sh', ['-c', 'command -v wrk && command -v taskset'], { stdio: 'ignore' }).status !== 0) {
    console.error('wrk and taskset are needed (Debian: wrk, util-linux)');
    process.exit(64);
  }
  if (!existsSync(`${DIST}/instrument/index.js`)) {
    console.error(`${DIST}/instrument/index.js is missing: run \`npm run build\` (npm run bench does)`);
    process.exit(64);
  }
  const runs = new Map<Setup, Run[]>(SETUPS.map((s) => [s, []]));
  for (let round = 0; round < ROUNDS; round++) {
    const order = SETUPS.map((_, i) => SETUPS[(i + round) % SETUPS.length]!);
    for (const setup of order) {
      const run = await runOnce(setup, SECONDS);
      runs.get(setup)!.push(run);
      console.log(`round ${round + 1}/${ROUNDS} ${setup.padEnd(14)} ${run.rps.toFixed(0).padStart(7)} req/s  ${run.cpuUsPerRequest.toFixed(2)} µs CPU/req  rss growth ${(run.rssGrowthBytes / 2 ** 20).toFixed(2)} MB`);
    }
  }
  const bareRps = median(runs.get('bare')!.map((r) => r.rps));
  const bareRss = median(runs.get('bare')!.map((r) => r.rssGrowthBytes));
  const bareCpu = median(runs.get('bare')!.map((r) => r.cpuUsPerRequest));
  console.log(`\nwrk -t1 -c32 -d${SECONDS}s, ${ROUNDS} alternating rounds, server on CPU 0, wrk on CPU 1; medians\n`);
  console.log('| setup | requests/s | vs bare | server CPU per request | CPU vs bare | private RSS growth | private RSS added vs bare |');
  console.log('|---|---|---|---|---|---|---|');
  for (const setup of SETUPS) {
    const rps = median(runs.get(setup)!.map((r) => r.rps));
    const rss = median(runs.get(setup)!.map((r) => r.rssGrowthBytes));
    const cpu = median(runs.get(setup)!.map((r) => r.cpuUsPerRequest));
    const cpuRatio = setup === 'bare' ? '—' : `+${((cpu / bareCpu - 1) * 100).toFixed(1)} %`;
    const ratio = setup === 'bare' ? '—' : `${((rps / bareRps - 1) * 100).toFixed(1)} %`;
    const added = setup === 'bare' ? '—' : `${((rss - bareRss) / 2 ** 20).toFixed(2)} MB`;
    console.log(`| ${setup} | ${(rps / 1000).toFixed(1)}k | ${ratio} | ${cpu.toFixed(2)} µs | ${cpuRatio} | ${(rss / 2 ** 20).toFixed(2)} MB | ${added} |`);
  }
  const ns = await hotPathNs();
  console.log(`\nperfpilot hot path: ${ns.toFixed(0)} ns per request (in-process, channel messages included) = ${((ns / (bareCpu * 1000)) * 100).toFixed(2)} % of bare's ${bareCpu.toFixed(2)} µs of CPU per request`);
  const accuracy = (await runOnce('perfpilot-accuracy', 5)).report as Accuracy[];
  const pct = (a: number, b: number) => `${((Math.abs(a - b) / b) * 100).toFixed(2)} %`;
  console.log(`\nperfpilot percentiles under wrk (${accuracy[0]?.n} requests): the sketch vs the exact durations it was fed, and vs a second subscriber to the same channels:\n`);
  console.log('| quantile | sketch ms | exact (fed) ms | error | independent ms | error |');
  console.log('|---|---|---|---|---|---|');
  for (const a of accuracy) console.log(`| p${a.q * 100} | ${a.sketchMs.toFixed(4)} | ${a.fedMs.toFixed(4)} | ${pct(a.sketchMs, a.fedMs)} | ${a.independentMs.toFixed(4)} | ${pct(a.sketchMs, a.independentMs)} |`);
}

await main();
