/**
 * The hello-world server the instrument benchmarks measure, in each setup (bare, perfpilot,
 * prom-client, OpenTelemetry, the floors), and how a benchmark starts one.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ROOT } from '../test/support/cli.js';

/** The built package, as a service imports it (`npm run bench` builds it first). */
const DIST = process.env.PERFPILOT_DIST ?? join(ROOT, 'dist');
/** The in-process A/B: perfpilot attached and detached every PHASE_MS under one long wrk run. */
export const PHASE_MS = 500;
/** How long after a switch a phase starts counting. */
const SETTLE_MS = 200;

/** The setups SERVER knows; `bare-control` is bare under another name. */
export type ServerSetup =
  | 'bare' | 'bare-control' | 'bare-filehandles' | 'loaded' | 'perfpilot' | 'perfpilot-filehandles' | 'prom-client' | 'opentelemetry'
  | 'clocks-only' | 'channels-only' | 'channels-clocks' | 'perfpilot-toggle' | 'clocks-toggle' | 'perfpilot-accuracy';

/**
 * Run as `node --expose-gc --input-type=module -e SERVER <setup> <dist>`. Answers on stdin:
 * "cpu" → its CPU time so far; "rss" → its private RSS growth since before the setup was loaded,
 * and for perfpilot-accuracy the percentiles of the sketch against exact durations; for
 * perfpilot-toggle and clocks-toggle, "mark" → forget the phases so far, "phases" → the phases since;
 * "exit" → exits (so that a tool it runs under, such as cachegrind, writes its report).
 * `loaded` is bare with perfpilot imported and instrumenting nothing. `bare-filehandles` and
 * `perfpilot-filehandles` first open and close 16 files through node:fs/promises, as Node 20's ESM
 * loader does for each module file it loads. Setting PERFPILOT_PULL_MS=0
 * stops perfpilot's setups from pulling their sketch every 2 s.
 */
export const SERVER = `
import http from 'node:http';
import { channel } from 'node:diagnostics_channel';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
const [setup, dist] = process.argv.slice(1);
// Private (anonymous) resident memory: what the process allocated. File-backed pages (node's own
// binary, paged in as new code paths run) are shared with every other node process.
const rssAnon = () => Number(/RssAnon:\\s+(\\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))[1]) * 1024;
// What the process keeps live: V8's heap in use plus memory held outside it (buffers), after a GC.
const retained = () => { const m = process.memoryUsage(); return m.heapUsed + m.external; };
globalThis.gc();
const rssAtStart = rssAnon();
const retainedAtStart = retained();
const hello = (_req, res) => { res.writeHead(200, { 'content-type': 'text/plain' }); res.end('hello world'); };
// The clocks-only floor: hello with a clock read at its start and end, the durations summed so they
// are used. The clock is node:perf_hooks' export, as perfpilot's: the global \`performance\` is a lazy
// accessor whose lookup costs nearly as much as the read (bench/clock-instructions.bench.ts). Imported
// only where used, so that bare loads no more than it would.
const { performance: clock } = setup.startsWith('clocks') || setup === 'channels-clocks' ? await import('node:perf_hooks') : {};
globalThis.totalMs = 0;
const clockedHello = (req, res) => {
  const startMs = clock.now();
  hello(req, res);
  globalThis.totalMs += clock.now() - startMs;
};
if (setup.endsWith('-filehandles')) {
  const { open } = await import('node:fs/promises');
  for (let i = 0; i < 16; i++) await (await open(process.execPath)).close();
}
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
if (setup === 'clocks-only') handler = clockedHello;
if (setup === 'channels-only' || setup === 'channels-clocks') {
  // Subscribed, Node builds and publishes a message at each request's start and finish.
  const clocks = setup === 'channels-clocks';
  let startMs = 0;
  channel('http.server.request.start').subscribe(clocks ? () => { startMs = clock.now(); } : () => {});
  channel('http.server.response.finish').subscribe(clocks ? () => { globalThis.totalMs += clock.now() - startMs; } : () => {});
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
const cpuUs = () => { const { user, system } = process.cpuUsage(); return user + system; };
let perf;
if (setup.startsWith('perfpilot') || setup === 'loaded') {
  const { instrument } = await import(dist + '/instrument/index.js');
  perf = instrument({ service: 'bench', environment: 'bench' });
  // A puller, as perfpilot's app source would be (every 10 s by default; here every 2 s).
  const pullMs = Number(process.env.PERFPILOT_PULL_MS ?? 2000);
  if (setup !== 'perfpilot-accuracy' && pullMs > 0) setInterval(() => JSON.stringify(perf.sketch()), pullMs).unref();
}
let phases = [];
if (setup === 'perfpilot-toggle' || setup === 'clocks-toggle') {
  // perfpilot attached (or the handler reading the clock at its start and end) during 'on' phases
  // only, in the cycle off on off control: 'control' phases are 'off' phases counted apart, so
  // comparing them with their neighbours shows the method's error.
  const cycle = ['off', 'on', 'off', 'control'];
  // Attaching or detaching changes the server's response class (as it changed Node's channel
  // objects before), and the JIT's code that reads it is thrown away and redone (a first version
  // without settling had its control phases at 1.07, i.e. the phase right after a switch about
  // 13 % slower): each phase counts only after SETTLE_MS.
  let requests = 0;
  let phase = 0;
  let cpuAt = 0;
  let msAt = 0;
  const counted = (req, res) => { requests++; hello(req, res); };
  const clocked = (req, res) => { requests++; clockedHello(req, res); };
  const turnOn = setup === 'clocks-toggle' ? () => { handler = clocked; } : () => perf.attach(server);
  const turnOff = setup === 'clocks-toggle' ? () => { handler = counted; } : () => perf.close();
  handler = counted;
  const switchPhase = () => {
    const cpu = cpuUs();
    const ms = performance.now();
    if (msAt > 0) phases.push({ kind: cycle[phase % 4], requests, cpuUs: cpu - cpuAt, ms: ms - msAt });
    phase++;
    if (cycle[phase % 4] === 'on') turnOn();
    else if (cycle[(phase + 3) % 4] === 'on') turnOff();
    setTimeout(() => {
      requests = 0;
      cpuAt = cpuUs();
      msAt = performance.now();
      setTimeout(switchPhase, ${PHASE_MS - SETTLE_MS});
    }, ${SETTLE_MS});
  };
  switchPhase();
}
if (setup === 'perfpilot' || setup === 'perfpilot-filehandles') perf.attach(server);
if (setup === 'perfpilot-accuracy') {
  perf.attach(server);
  const { decodeSketch, newSketch } = await import(dist + '/instrument/duration-sketch.js');
  // The durations the sketch is fed, and independently those from Node's start message to its finish message.
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
}
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line === 'cpu') {
    console.log(JSON.stringify({ cpuUs: cpuUs() }));
  } else if (line === 'mark') {
    phases = [];
    console.log('{}');
  } else if (line === 'phases') {
    console.log(JSON.stringify({ phases }));
  } else if (line === 'exit') {
    process.exit(0);
  } else if (line === 'rss') {
    globalThis.gc();
    console.log(JSON.stringify({ rssGrowth: rssAnon() - rssAtStart, retainedGrowth: retained() - retainedAtStart, report: report() }));
  }
});
`;

/** One server under test. */
export interface Server {
  readonly url: string;
  readonly port: number;
  ask<T>(command: string): Promise<T>;
  /** Asks it to exit, and resolves when it has. */
  end(): Promise<void>;
  stop(): void;
}

/**
 * Starts SERVER in `setup`, under `launcher` (a command and its arguments that run the rest, e.g.
 * `taskset -c 0`), with node's `nodeFlags`.
 */
export async function startServer(
  setup: ServerSetup,
  launcher: readonly string[] = ['taskset', '-c', '0'],
  // The young generation is pinned at V8's largest default size: left to itself it grows with the
  // allocation rate, so RSS would say more about req/s than about what a setup keeps in memory.
  nodeFlags: readonly string[] = ['--expose-gc', '--min-semi-space-size=16', '--max-semi-space-size=16'],
  env: NodeJS.ProcessEnv = process.env,
): Promise<Server> {
  const [command, ...args] = launcher;
  const child = spawn(command!, [...args, process.execPath, ...nodeFlags, '--input-type=module', '-e', SERVER, setup, DIST], { cwd: ROOT, env });
  child.stderr.pipe(process.stderr);
  const lines = createInterface({ input: child.stdout });
  // One question at a time; a server that dies fails the question it was asked.
  let failPending: (err: Error) => void = () => {};
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  child.once('exit', (code, signal) => failPending(new Error(`the ${setup} server exited (${code ?? signal})`)));
  const next = () => new Promise<string>((resolve, reject) => {
    failPending = reject;
    lines.once('line', resolve);
  });
  const { port } = JSON.parse(await next()) as { port: number };
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    async ask<T>(command: string) {
      const answer = next();
      child.stdin.write(`${command}\n`);
      return JSON.parse(await answer) as T;
    },
    async end() {
      failPending = () => {};
      child.stdin.write('exit\n');
      await exited;
    },
    stop: () => child.kill('SIGKILL'),
  };
}

/** Exits with a message that names what is missing: one of `commands` (Debian: `packages`), or the built package. */
export function requirePrerequisites(commands: readonly string[], packages: string): void {
  if (spawnSync('sh', ['-c', commands.map((c) => `command -v ${c}`).join(' && ')], { stdio: 'ignore' }).status !== 0) {
    console.error(`${commands.join(' and ')} are needed (Debian: ${packages})`);
    process.exit(64);
  }
  if (!existsSync(`${DIST}/instrument/index.js`)) {
    console.error(`${DIST}/instrument/index.js is missing: run \`npm run build\` (npm run bench does)`);
    process.exit(64);
  }
}
