/**
 * `npm run bench instrument`: a hello-world node:http server under `wrk -t1 -c32 -d10s`, bare and
 * with each instrumentation, in alternating rounds of one run. The server runs in its own child
 * process pinned to CPU 0 (this file, run as `serve <setup>`), wrk is pinned to CPU 1.
 * Prints median requests/s, the ratio to bare, the RSS each setup adds, and perfpilot's
 * percentile accuracy against exact durations measured in the same server.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { IncomingMessage, ServerResponse } from 'node:http';

const SETUPS = ['bare', 'perfpilot', 'prom-client', 'opentelemetry'] as const;
type Setup = (typeof SETUPS)[number] | 'perfpilot-accuracy';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const require = createRequire(import.meta.url);

// ---- the server under test (child process) ----

async function serve(setup: Setup): Promise<void> {
  const hello = (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('hello world');
  };
  let handler = hello;
  let report: () => unknown = () => null;
  if (setup === 'opentelemetry') {
    const { NodeTracerProvider, BatchSpanProcessor } = await import('@opentelemetry/sdk-trace-node');
    const { registerInstrumentations } = await import('@opentelemetry/instrumentation');
    const { HttpInstrumentation } = await import('@opentelemetry/instrumentation-http');
    const exporter = { export: (_spans: unknown, done: (r: { code: number }) => void) => done({ code: 0 }), shutdown: async () => {} };
    const provider = new NodeTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter)] });
    provider.register();
    registerInstrumentations({ instrumentations: [new HttpInstrumentation()] });
  }
  // Loaded through require after OpenTelemetry hooked it, so its instrumentation applies.
  const http = require('node:http') as typeof import('node:http');
  if (setup === 'prom-client') {
    const client = await import('prom-client');
    const histogram = new client.Histogram({ name: 'http_request_duration_seconds', help: 'request duration', labelNames: ['method', 'route', 'status_code'] });
    handler = (req, res) => {
      const end = histogram.startTimer();
      res.once('finish', () => end({ method: req.method, route: '/', status_code: res.statusCode }));
      hello(req, res);
    };
  }
  const server = http.createServer((req, res) => handler(req, res));
  if (setup === 'perfpilot' || setup === 'perfpilot-accuracy') {
    const { instrument } = await import('../src/instrument/index.js');
    const { decodeSketch } = await import('../src/instrument/duration-sketch.js');
    const perf = instrument({ service: 'bench', environment: 'bench' });
    const exact: number[] = [];
    if (setup === 'perfpilot-accuracy') {
      server.prependListener('request', (_req, res: ServerResponse) => {
        const start = performance.now();
        res.once('finish', () => exact.push(performance.now() - start));
      });
    }
    perf.attach(server);
    report = () => {
      const sketch = decodeSketch(perf.sketch().http.durationMs);
      const sorted = exact.sort((a, b) => a - b);
      return [0.5, 0.9, 0.99].map((q) => ({ q, sketchMs: sketch.getValueAtQuantile(q), exactMs: sorted[Math.floor(q * (sorted.length - 1))], n: sorted.length, count: sketch.count }));
    };
  }
  server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: (server.address() as { port: number }).port })));
  createInterface({ input: process.stdin }).on('line', (line) => {
    if (line === 'rss') {
      (globalThis as { gc?: () => void }).gc?.();
      console.log(JSON.stringify({ rss: process.memoryUsage().rss, report: report() }));
    }
  });
}

// ---- the driver ----

interface Run {
  readonly rps: number;
  readonly rssBytes: number;
  readonly report: unknown;
}

async function runOnce(setup: Setup, seconds: number): Promise<Run> {
  const file = fileURLToPath(import.meta.url);
  const child: ChildProcessWithoutNullStreams = spawn('taskset', ['-c', '0', process.execPath, '--expose-gc', '--import', 'tsx', file, 'serve', setup]);
  child.stderr.pipe(process.stderr);
  const lines = createInterface({ input: child.stdout });
  const next = () => new Promise<string>((resolve) => lines.once('line', resolve));
  try {
    const { port } = JSON.parse(await next()) as { port: number };
    const url = `http://127.0.0.1:${port}/`;
    wrk(url, 2); // warm-up: let the JIT settle
    const rps = wrk(url, seconds);
    const answer = next();
    child.stdin.write('rss\n');
    const { rss, report } = JSON.parse(await answer) as { rss: number; report: unknown };
    return { rps, rssBytes: rss, report };
  } finally {
    child.kill('SIGKILL');
  }
}

function wrk(url: string, seconds: number): number {
  const r = spawnSync('taskset', ['-c', '1', 'wrk', '-t1', '-c32', `-d${seconds}s`, url], { encoding: 'utf8' });
  const m = /Requests\/sec:\s+([\d.]+)/.exec(r.stdout);
  if (!m) throw new Error(`wrk failed: ${r.stderr || r.stdout}`);
  return Number(m[1]);
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function main(): Promise<void> {
  if (spawnSync('sh', ['-c', 'command -v wrk && command -v taskset'], { stdio: 'ignore' }).status !== 0) {
    console.error('wrk and taskset are needed (Debian: wrk, util-linux)');
    process.exit(64);
  }
  const runs = new Map<Setup, Run[]>(SETUPS.map((s) => [s, []]));
  for (let round = 0; round < ROUNDS; round++) {
    const order = SETUPS.map((_, i) => SETUPS[(i + round) % SETUPS.length]!);
    for (const setup of order) {
      const run = await runOnce(setup, SECONDS);
      runs.get(setup)!.push(run);
      console.log(`round ${round + 1}/${ROUNDS} ${setup.padEnd(14)} ${run.rps.toFixed(0).padStart(7)} req/s  rss ${(run.rssBytes / 2 ** 20).toFixed(1)} MB`);
    }
  }
  const bareRps = median(runs.get('bare')!.map((r) => r.rps));
  const bareRss = median(runs.get('bare')!.map((r) => r.rssBytes));
  console.log(`\nwrk -t1 -c32 -d${SECONDS}s, ${ROUNDS} alternating rounds, server on CPU 0, wrk on CPU 1; medians\n`);
  console.log('| setup | requests/s | vs bare | RSS after load | RSS added |');
  console.log('|---|---|---|---|---|');
  for (const setup of SETUPS) {
    const rps = median(runs.get(setup)!.map((r) => r.rps));
    const rss = median(runs.get(setup)!.map((r) => r.rssBytes));
    const ratio = setup === 'bare' ? '—' : `${((rps / bareRps - 1) * 100).toFixed(1)} %`;
    const added = setup === 'bare' ? '—' : `${((rss - bareRss) / 2 ** 20).toFixed(2)} MB`;
    console.log(`| ${setup} | ${(rps / 1000).toFixed(1)}k | ${ratio} | ${(rss / 2 ** 20).toFixed(1)} MB | ${added} |`);
  }
  const accuracy = (await runOnce('perfpilot-accuracy', 5)).report as { q: number; sketchMs: number; exactMs: number; n: number }[];
  console.log(`\nperfpilot percentiles vs exact (same server, ${accuracy[0]?.n} requests under wrk):\n`);
  console.log('| quantile | sketch ms | exact ms | relative error |');
  console.log('|---|---|---|---|');
  for (const a of accuracy) console.log(`| p${a.q * 100} | ${a.sketchMs.toFixed(4)} | ${a.exactMs.toFixed(4)} | ${((Math.abs(a.sketchMs - a.exactMs) / a.exactMs) * 100).toFixed(2)} % |`);
}

if (process.argv[2] === 'serve') await serve(process.argv[3] as Setup);
else await main();
