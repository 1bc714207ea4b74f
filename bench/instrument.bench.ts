/**
 * `npm run bench instrument`: a hello-world node:http server under `wrk -t1 -c32`, bare and with
 * each instrumentation (perfpilot, a prom-client Histogram, OpenTelemetry's HTTP instrumentation).
 * Each setup is a server process pinned to CPU 0 (plain node running SERVER of
 * instrument-server.ts); wrk is pinned to CPU 1.
 *
 * The method, so that a ratio near 0.99 can be told apart from noise: short bursts (BENCH_SECONDS,
 * default 3 s) in strict alternation, bare X bare Y bare Z bare …, for BENCH_ROUNDS rounds (default
 * 16, the order of X, Y, Z rotating), with fresh server processes every round. Each burst is
 * divided by the mean of the bare bursts just before and after it; the table gives the median of
 * these paired ratios, their interquartile range and a distribution-free 95 % confidence interval
 * of the median, for requests/s and for server CPU per request. `bare-control` is a second bare
 * process, so the table shows the method's own error. Then the same ratios measured at once (see
 * concurrentPair: bare and one setup sharing CPU 0 under two wrk runs, which cancels the machine's
 * drift), two in-process A/Bs (see inProcessAB: perfpilot, and its floor of two clock reads),
 * the memory each server added over a round, perfpilot's in-process hot path, and its percentile
 * accuracy under wrk. About 25 minutes at the defaults.
 */
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { PHASE_MS, requirePrerequisites, startServer, type Server } from './instrument-server.js';

const SETUPS = ['bare', 'bare-control', 'perfpilot', 'prom-client', 'opentelemetry'] as const;
/**
 * What timers pay before they do anything: a clock read at each end of a request, the least any
 * timer of every request can do (`clocks-only`, read in the handler); Node's diagnostics-channel
 * messages, which perfpilot used until 2026-12-07 and channel-based tools use (`channels-only`);
 * and those plus a clock read at each end (`channels-clocks`).
 */
const FLOORS = ['clocks-only', 'channels-only', 'channels-clocks'] as const;
/** The in-process A/Bs: perfpilot attached and detached, and (its floor) the clock reads switched on and off. */
const TOGGLED = ['perfpilot-toggle', 'clocks-toggle'] as const;
type Setup = (typeof SETUPS)[number] | (typeof FLOORS)[number] | (typeof TOGGLED)[number] | 'perfpilot-accuracy';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 16);
/** The length of one wrk burst, whole seconds. */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const AB_SECONDS = Number(process.env.BENCH_AB_SECONDS ?? 120);


interface Accuracy {
  readonly q: number;
  readonly sketchMs: number;
  /** The exact quantile of the very durations perfpilot put into its sketch. */
  readonly fedMs: number;
  /** The exact quantile of durations measured another way: from Node's start message to its finish message. */
  readonly independentMs: number;
  readonly n: number;
}

// ---- the driver ----

interface Burst {
  readonly rps: number;
  /** CPU time (user + system) of the server per request: unlike req/s, barely moved by other load. */
  readonly cpuUsPerRequest: number;
}

async function burst(child: Server, seconds: number): Promise<Burst> {
  const before = await child.ask<{ cpuUs: number }>('cpu');
  const { rps, requests } = await wrk(child.url, seconds);
  const after = await child.ask<{ cpuUs: number }>('cpu');
  return { rps, cpuUsPerRequest: (after.cpuUs - before.cpuUs) / requests };
}

/** One wrk run against `url`, pinned to CPU 1; resolves when it ends. */
function wrk(url: string, seconds: number): Promise<{ rps: number; requests: number }> {
  return new Promise((resolve, reject) => {
    const run = spawn('taskset', ['-c', '1', 'wrk', '-t1', '-c32', `-d${seconds}s`, url]);
    let out = '';
    run.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    run.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    run.on('error', reject);
    run.on('close', () => {
      const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
      const requests = /(\d+) requests in/.exec(out);
      if (!rps || !requests) reject(new Error(`wrk failed: ${out}`));
      else resolve({ rps: Number(rps[1]), requests: Number(requests[1]) });
    });
  });
}

/** A measurement divided by the mean of the reference measurements just before and after it. */
const paired = (x: number, before: number, after: number) => x / ((before + after) / 2);

/** The value at fraction `p` of sorted `xs`, interpolated between ranks (p = 0.5: the median). */
function quantile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const at = p * (s.length - 1);
  const lo = Math.floor(at);
  return s[lo]! + (s[Math.min(lo + 1, s.length - 1)]! - s[lo]!) * (at - lo);
}
const median = (xs: readonly number[]) => quantile(xs, 0.5);

/**
 * A distribution-free 95 % confidence interval of the median of n values: the k-th smallest and
 * k-th largest, k the largest with P(Binomial(n, ½) < k) ≤ 2.5 %. Null when n is too small (< 6).
 */
function medianInterval(xs: readonly number[]): { low: number; high: number } | null {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  let below = 0; // P(Binomial(n, ½) ≤ k − 1), accumulated term by term
  let term = 0.5 ** n;
  let k = 0;
  while (below + term <= 0.025) {
    below += term;
    term = (term * (n - k)) / (k + 1);
    k += 1;
  }
  return k === 0 ? null : { low: s[k - 1]!, high: s[n - k]! };
}

/** Table cells of paired ratios: median | interquartile range | 95 % interval of the median. */
function ratioCells(ratios: readonly number[]): string {
  const ci = medianInterval(ratios);
  const f = (x: number) => x.toFixed(3);
  return `${f(median(ratios))} | ${f(quantile(ratios, 0.25))}–${f(quantile(ratios, 0.75))} | ${ci ? `${f(ci.low)}–${f(ci.high)}` : 'n/a (n < 6)'}`;
}

/** Whether paired throughput ratios show the ≥ 99 % goal met, missed, or not resolved. */
function verdict(ratios: readonly number[]): string {
  const ci = medianInterval(ratios);
  if (ci === null) return 'not resolved: too few pairs for an interval';
  if (ci.low >= 0.99) return `met: the whole 95 % interval of the median ratio (${ci.low.toFixed(3)}–${ci.high.toFixed(3)}) is ≥ 0.99`;
  if (ci.high < 0.99) return `missed: the whole 95 % interval of the median ratio (${ci.low.toFixed(3)}–${ci.high.toFixed(3)}) is < 0.99`;
  return `not resolved at this noise: the interval ${ci.low.toFixed(3)}–${ci.high.toFixed(3)} straddles 0.99`;
}

/**
 * perfpilot's own work per request, in ns, timed in-process beside Node's: responses made with an
 * attached server's class and detached as Node detaches a finished one, against the same with an
 * unattached server's (Node's own class). The difference is all perfpilot adds to a request, its two clock reads included, in a
 * tight loop whose caches stay warm: in place, among Node's own work, the same costs several times
 * more (bench/RESULTS.md), so this is a check of perfpilot's code, not of its overhead.
 */
async function hotPathNs(): Promise<{ perfpilotNs: number; nodeNs: number }> {
  const http = await import('node:http');
  const { EventEmitter } = await import('node:events');
  const { instrument } = await import('../src/instrument/index.js');
  const perf = instrument({ service: 'bench', environment: 'bench' });
  const [plain, attached] = [http.createServer(), http.createServer()];
  perf.attach(attached);
  const { responseClassOf } = await import('../src/instrument/node-http-hooks.js');
  type Made = ReturnType<typeof responseClassOf>;
  const sockets = Array.from({ length: 32 }, (_, i) => Object.assign(new EventEmitter(), { remoteAddress: `10.0.0.${i}`, _httpMessage: null as unknown }));
  const requests = Array.from({ length: 64 }, (_, i) => Object.assign(new EventEmitter(), { method: 'GET', headers: {}, url: '/', httpVersionMajor: 1, httpVersionMinor: 1, socket: sockets[i & 31]! }));
  const time = (Response: Made, n: number) => {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) {
      const request = requests[i & 63]!;
      const response = new Response(request as never, {});
      request.socket._httpMessage = response;
      response.detachSocket(request.socket as never);
    }
    return Number(process.hrtime.bigint() - t0) / n;
  };
  const [nodeClass, timedClass] = [responseClassOf(plain), responseClassOf(attached)];
  time(nodeClass, 200_000);
  time(timedClass, 200_000);
  // Alternating, the least disturbed of five runs each: other processes only ever add time.
  const runs = Array.from({ length: 5 }, () => [time(nodeClass, 500_000), time(timedClass, 500_000)] as const);
  await perf.close();
  const nodeNs = Math.min(...runs.map((r) => r[0]));
  return { perfpilotNs: Math.min(...runs.map((r) => r[1])) - nodeNs, nodeNs };
}

async function accuracyReport(seconds: number): Promise<Accuracy[]> {
  const child = await startServer('perfpilot-accuracy');
  try {
    await wrk(child.url, 2); // warm-up (its requests are in both the sketch and the exact lists)
    await wrk(child.url, seconds);
    return (await child.ask<{ report: Accuracy[] }>('rss')).report;
  } finally {
    child.stop();
  }
}

interface Phase {
  readonly kind: 'off' | 'on' | 'control';
  readonly requests: number;
  readonly cpuUs: number;
  readonly ms: number;
}

/**
 * The in-process A/B: one server under one long wrk run, perfpilot attached ('on') and detached
 * every PHASE_MS in the cycle off on off control (or, for clocks-toggle, the clock read at each end
 * of the handler switched on and off). Each on or control phase is paired with the off
 * phases around it, so the machine's drift, which moves the cross-process bursts by several %,
 * cancels out over a quarter second; and both sides are the same process, so the few % two
 * processes of the same code differ by (bare-control) cancel too. Detached, perfpilot has
 * given the server back its response class: an off phase costs what a request without
 * perfpilot costs.
 */
async function inProcessAB(setup: (typeof TOGGLED)[number], seconds: number): Promise<{ on: { cpu: number[]; rps: number[] }; control: { cpu: number[]; rps: number[] }; phases: number }> {
  const child = await startServer(setup);
  try {
    await wrk(child.url, 3); // warm-up: both states seen by the JIT
    await child.ask('mark');
    await wrk(child.url, seconds);
    const { phases } = await child.ask<{ phases: Phase[] }>('phases');
    // Phases cut by wrk's start or end are left out: a full phase serves thousands of requests.
    const busy = median(phases.map((p) => p.requests)) / 2;
    const result = { on: { cpu: [] as number[], rps: [] as number[] }, control: { cpu: [] as number[], rps: [] as number[] }, phases: 0 };
    for (let i = 1; i + 1 < phases.length; i++) {
      const [before, x, after] = [phases[i - 1]!, phases[i]!, phases[i + 1]!];
      if (x.kind === 'off' || [before, x, after].some((p) => p.requests < busy)) continue;
      const cpu = (p: Phase) => p.cpuUs / p.requests;
      const rps = (p: Phase) => p.requests / p.ms;
      result[x.kind].cpu.push(paired(cpu(x), cpu(before), cpu(after)));
      result[x.kind].rps.push(paired(rps(x), rps(before), rps(after)));
      result.phases++;
    }
    return result;
  } finally {
    child.stop();
  }
}

/**
 * The setups measured at once beside bare (OpenTelemetry, at a third of bare, needs no such
 * precision), with the floors: what reading a clock at each end of a request costs, and what
 * timing on Node's channels costs.
 */
const CONCURRENT = ['bare-control', ...FLOORS, 'perfpilot', 'prom-client'] as const;

/**
 * At once: a fresh bare server and a fresh server of `setup`, both on CPU 0, each under its own
 * wrk (both on CPU 1) for the same `seconds`. The scheduler shares CPU 0 between the two, so a
 * change in the machine's speed, which moves bursts a few seconds apart by tens of % here, slows
 * both alike, and their ratio needs no pairing over time. Sharing a CPU also means each server's
 * caches are partly the other's, which makes a setup's extra memory and code cost more than on
 * a CPU of its own: this reads overheads high rather than low. Gives `setup` ÷ bare.
 */
async function concurrentPair(setup: (typeof CONCURRENT)[number], seconds: number, setupFirst: boolean): Promise<{ rps: number; cpu: number }> {
  const children = new Map<Setup, Server>();
  try {
    // Which of the two starts first (and gets the lower port) alternates between rounds.
    for (const s of setupFirst ? [setup, 'bare' as const] : ['bare' as const, setup]) children.set(s, await startServer(s));
    const bare = children.get('bare')!;
    const other = children.get(setup)!;
    await Promise.all([wrk(bare.url, 2), wrk(other.url, 2)]); // warm-up, also at once
    const [bareRun, otherRun] = await Promise.all([burst(bare, seconds), burst(other, seconds)]);
    return { rps: otherRun.rps / bareRun.rps, cpu: otherRun.cpuUsPerRequest / bareRun.cpuUsPerRequest };
  } finally {
    for (const child of children.values()) child.stop();
  }
}

/**
 * Alternating bursts across processes (see the top of this file), and each server's memory:
 * prints their tables and the memory and throughput goals; returns bare's bursts.
 */
async function alternation(): Promise<Burst[]> {
  const loadAtStart = loadavg().map((x) => x.toFixed(2)).join(' ');
  const others = SETUPS.filter((s) => s !== 'bare');
  const ratios = new Map(others.map((s) => [s, { rps: [] as number[], cpu: [] as number[], bursts: [] as Burst[] }]));
  const bareBursts: Burst[] = [];
  const rss = new Map<string, number[]>(SETUPS.map((s) => [s, []]));
  const kept = new Map<string, number[]>(SETUPS.map((s) => [s, []]));
  for (let round = 0; round < ROUNDS; round++) {
    // Fresh processes every round: two processes of the same code differ by a few % in speed
    // (measured: a second bare server at 0.95 of the first's CPU per request, round after round),
    // which more rounds with the same processes never average out.
    const children = new Map<(typeof SETUPS)[number], Server>();
    try {
      for (const setup of SETUPS) children.set(setup, await startServer(setup));
      for (const child of children.values()) await wrk(child.url, 2); // warm-up: let the JIT settle
      const bare = children.get('bare')!;
      // Strict alternation, each setup's burst between two bare bursts: bare X bare Y bare Z bare …
      // The ratio of a burst is taken against the mean of the two bare bursts around it, so a drift
      // of the machine's speed over a few seconds cancels out; the order of X, Y, Z rotates per round.
      let previous = await burst(bare, SECONDS);
      bareBursts.push(previous);
      const line: string[] = [];
      for (let i = 0; i < others.length; i++) {
        const setup = others[(i + round) % others.length]!;
        const run = await burst(children.get(setup)!, SECONDS);
        const after = await burst(bare, SECONDS);
        bareBursts.push(after);
        const r = ratios.get(setup)!;
        r.bursts.push(run);
        r.rps.push(paired(run.rps, previous.rps, after.rps));
        r.cpu.push(paired(run.cpuUsPerRequest, previous.cpuUsPerRequest, after.cpuUsPerRequest));
        line.push(`${setup} ${(run.rps / 1000).toFixed(1)}k (×${r.rps.at(-1)!.toFixed(3)})`);
        previous = after;
      }
      for (const [setup, child] of children) {
        const m = await child.ask<{ rssGrowth: number; retainedGrowth: number }>('rss');
        rss.get(setup)!.push(m.rssGrowth);
        kept.get(setup)!.push(m.retainedGrowth);
      }
      console.log(`round ${round + 1}/${ROUNDS}: ${line.join(', ')}; bare ${(previous.rps / 1000).toFixed(1)}k`);
    } finally {
      for (const child of children.values()) child.stop();
    }
  }
  const bareRps = bareBursts.map((b) => b.rps);
  const load = loadavg().map((x) => x.toFixed(2)).join(' ');
  console.log(`\nwrk -t1 -c32, ${SECONDS} s bursts, ${ROUNDS} rounds of bare X bare Y bare Z (order rotating, fresh processes each round), server on CPU 0, wrk on CPU 1; load average ${loadAtStart} at the start, ${load} at the end.`);
  console.log(`Bare ranged ${(Math.min(...bareRps) / 1000).toFixed(1)}k–${(Math.max(...bareRps) / 1000).toFixed(1)}k req/s over ${bareRps.length} bursts (median ${(median(bareRps) / 1000).toFixed(1)}k).`);
  console.log(`Ratios are paired: each burst ÷ the mean of the bare bursts just before and after it; n = ${ROUNDS} per setup. bare-control is a second bare process: its ratio is the method's own error.\n`);
  console.log('| setup | median requests/s | throughput ÷ bare: median | IQR | 95 % CI of the median | CPU per request ÷ bare: median | IQR | 95 % CI of the median |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const setup of others) {
    const r = ratios.get(setup)!;
    console.log(`| ${setup} | ${(median(r.bursts.map((b) => b.rps)) / 1000).toFixed(1)}k | ${ratioCells(r.rps)} | ${ratioCells(r.cpu)} |`);
  }
  const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(2)} MB`;
  // Per round, each setup's growth minus that round's bare growth; the median over rounds.
  const added = (m: Map<string, number[]>, setup: string) => median(m.get(setup)!.map((x, i) => x - m.get('bare')![i]!));
  console.log('\n| setup | private RSS growth over a round (median) | added vs bare | heap + external kept after a GC, growth | added vs bare |');
  console.log('|---|---|---|---|---|');
  for (const setup of SETUPS) {
    const cell = (m: Map<string, number[]>) => `${mb(median(m.get(setup)!))} | ${setup === 'bare' ? '—' : mb(added(m, setup))}`;
    console.log(`| ${setup} | ${cell(rss)} | ${cell(kept)} |`);
  }
  const addedBytes = added(kept, 'perfpilot');
  console.log(`\nGoal "perfpilot adds at most 2 MB": ${addedBytes <= 2 * 2 ** 20 ? 'met' : 'missed'} (${mb(addedBytes)} kept, median over ${ROUNDS} rounds; private RSS ${mb(added(rss, 'perfpilot'))}).`);
  console.log(`\nGoal "perfpilot ≥ 99 % of bare's throughput", across processes: ${verdict(ratios.get('perfpilot')!.rps)}.`);
  return bareBursts;
}

/** Each setup at once beside bare (see concurrentPair): prints the table and the throughput goal. */
async function atOnce(): Promise<void> {
  const together = new Map(CONCURRENT.map((setup) => [setup, { rps: [] as number[], cpu: [] as number[] }]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const setup of CONCURRENT) {
      const pair = await concurrentPair(setup, SECONDS, round % 2 === 1);
      together.get(setup)!.rps.push(pair.rps);
      together.get(setup)!.cpu.push(pair.cpu);
    }
  }
  console.log(`\nAt once (${ROUNDS} rounds; each: a fresh bare server and a fresh server of the setup, both on CPU 0, each under its own wrk -t1 -c32 for ${SECONDS} s, both wrk on CPU 1; the setup's req/s and CPU per request ÷ bare's over the same seconds):\n`);
  console.log('| setup | throughput ÷ bare: median | IQR | 95 % CI of the median | CPU per request ÷ bare: median | IQR | 95 % CI of the median |');
  console.log('|---|---|---|---|---|---|---|');
  for (const [setup, r] of together) console.log(`| ${setup} | ${ratioCells(r.rps)} | ${ratioCells(r.cpu)} |`);
  console.log(`\nGoal "perfpilot ≥ 99 % of bare's throughput", at once: ${verdict(together.get('perfpilot')!.rps)}.`);
}

/** The in-process A/Bs (see inProcessAB), perfpilot's and its floor's: prints the table and the throughput goal. */
async function reportInProcessAB(): Promise<void> {
  const ab = await inProcessAB('perfpilot-toggle', AB_SECONDS);
  const floor = await inProcessAB('clocks-toggle', AB_SECONDS);
  console.log(`\nIn-process A/B (${AB_SECONDS} s of wrk -t1 -c32 on one server, perfpilot attached and detached every ${PHASE_MS} ms; then another server, its handler reading the clock at its start and end or not; each phase ÷ the mean of the off phases around it; ${ab.phases} and ${floor.phases} phases paired):\n`);
  console.log('| phase | n | throughput ÷ off: median | IQR | 95 % CI of the median | CPU per request ÷ off: median | IQR | 95 % CI of the median |');
  console.log('|---|---|---|---|---|---|---|---|');
  const row = (name: string, r: { cpu: number[]; rps: number[] }) => console.log(`| ${name} | ${r.rps.length} | ${ratioCells(r.rps)} | ${ratioCells(r.cpu)} |`);
  row('perfpilot attached', ab.on);
  row('control (detached too)', ab.control);
  row('clocks-only: a clock read at each end', floor.on);
  row('control (no reads either)', floor.control);
  console.log(`\nGoal "perfpilot ≥ 99 % of bare's throughput", in-process: ${verdict(ab.on.rps)}.`);
}

async function main(): Promise<void> {
  requirePrerequisites(['wrk', 'taskset'], 'wrk, util-linux');
  if (!(Number.isInteger(ROUNDS) && ROUNDS >= 1 && Number.isInteger(SECONDS) && SECONDS >= 1 && Number.isInteger(AB_SECONDS) && AB_SECONDS >= 10)) {
    console.error(`BENCH_ROUNDS (${ROUNDS}) and BENCH_SECONDS (${SECONDS}) must be whole numbers ≥ 1, BENCH_AB_SECONDS (${AB_SECONDS}) one ≥ 10`);
    process.exit(64);
  }
  const bareBursts = await alternation();
  await atOnce();
  await reportInProcessAB();
  const bareCpu = median(bareBursts.map((b) => b.cpuUsPerRequest));
  const hot = await hotPathNs();
  console.log(`\nperfpilot hot path: ${hot.perfpilotNs.toFixed(0)} ns per request in a tight loop (beside ${hot.nodeNs.toFixed(0)} ns for Node to make and detach a response), = ${((hot.perfpilotNs / (bareCpu * 1000)) * 100).toFixed(2)} % of bare's ${bareCpu.toFixed(2)} µs of CPU per request`);
  const accuracy = await accuracyReport(5);
  const pct = (a: number, b: number) => `${((Math.abs(a - b) / b) * 100).toFixed(2)} %`;
  console.log(`\nperfpilot percentiles under wrk (${accuracy[0]?.n} requests): the sketch vs the exact durations it was fed; and those measured another way, from Node's request start message to its response finish message, an interval inside perfpilot's (Node publishes them just after making the response and just before detaching it):\n`);
  console.log('| quantile | sketch ms | exact (fed) ms | error | on the channels, ms | perfpilot longer by |');
  console.log('|---|---|---|---|---|---|');
  for (const a of accuracy) console.log(`| p${a.q * 100} | ${a.sketchMs.toFixed(4)} | ${a.fedMs.toFixed(4)} | ${pct(a.sketchMs, a.fedMs)} | ${a.independentMs.toFixed(4)} | ${((a.fedMs - a.independentMs) * 1000).toFixed(1)} µs |`);
  const worst = Math.max(...accuracy.map((a) => Math.abs(a.sketchMs - a.fedMs) / a.fedMs));
  console.log(`\nGoal "percentiles within 1 % of exact" (the durations perfpilot measured): ${worst <= 0.01 ? 'met' : 'missed'} (worst ${(worst * 100).toFixed(2)} %).`);
}

await main();
