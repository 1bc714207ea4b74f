/**
 * `npm run bench request-instructions`: the machine instructions a hello-world node:http request
 * costs, bare and in each instrumentation setup, counted by cachegrind (Debian: valgrind).
 *
 * Why, beside instrument.bench.ts: timing on this kind of machine (a shared 2-vCPU VM) moves by
 * ±1.5 % between runs of the same code, as much as the 1 % the instrumentation may cost, so its
 * parts cannot be told apart by time. An instruction count is nearly deterministic: two pairs of
 * processes of a setup agree within about 0.5 %. It does not see cache misses, so it is a
 * decomposition, not a verdict; the throughput goal is judged by instrument.bench.ts.
 *
 * Method: each setup's server (SERVER of instrument-server.ts, perfpilot not pulling) runs under
 * `valgrind --tool=cachegrind` with `node --single-threaded` (no compiler or GC threads, whose
 * work would land at random) and serves exactly N1 and, in a second process, N2 requests over 32
 * keep-alive connections. (instructions at N2 − instructions at N1) ÷ (N2 − N1) is the cost of
 * one warm request: start-up, loading and JIT warm-up cancel out. About 17 minutes.
 */
import { readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requirePrerequisites, startServer, type ServerSetup } from './instrument-server.js';

/**
 * bare; `loaded`: bare with perfpilot imported and instrument() called but nothing attached;
 * perfpilot attached; the same two having first opened and closed 16 files through
 * node:fs/promises, as the ESM loader does for each module file it loads (importing
 * perfpilot/instrument opens 16); the clocks-only floor (a clock read at each end of the
 * handler); prom-client.
 */
const SETUPS = ['bare', 'loaded', 'perfpilot', 'bare-filehandles', 'perfpilot-filehandles', 'clocks-only', 'prom-client'] as const;
const N1 = Number(process.env.BENCH_WARM_REQUESTS ?? 22_000);
const N2 = N1 + Number(process.env.BENCH_COUNTED_REQUESTS ?? 40_000);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 2);
const CONNECTIONS = 32;

/** Sends exactly `n` GET requests, one at a time on each of CONNECTIONS keep-alive connections. */
function load(port: number, n: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = 0;
    const request = Buffer.from('GET / HTTP/1.1\r\nHost: bench\r\n\r\n');
    for (let c = 0; c < CONNECTIONS; c++) {
      const socket = connect(port, '127.0.0.1');
      let pending = '';
      const next = () => {
        if (sent < n) {
          sent++;
          socket.write(request);
        } else {
          socket.end();
        }
      };
      socket.on('connect', next);
      socket.on('error', reject);
      socket.on('data', (chunk: Buffer) => {
        // Each answer ends with the body "hello world"; count bodies, not reads.
        pending += chunk.toString('latin1');
        let at: number;
        while ((at = pending.indexOf('hello world')) >= 0) {
          pending = pending.slice(at + 11);
          if (++answered === n) resolve();
          next();
        }
      });
    }
  });
}

/** The instructions one server of `setup` executes from its start to its exit, having served `n` requests. */
async function instructions(setup: ServerSetup, n: number): Promise<number> {
  const out = join(tmpdir(), `perfpilot-cachegrind-${process.pid}-${setup}-${n}`);
  const valgrind = ['taskset', '-c', '0', 'valgrind', '--tool=cachegrind', '--cache-sim=no', `--cachegrind-out-file=${out}`, '--log-file=/dev/null'];
  const server = await startServer(setup, valgrind, ['--single-threaded', '--expose-gc'], { ...process.env, PERFPILOT_PULL_MS: '0' });
  try {
    await load(server.port, n);
    await server.end();
    const summary = /^summary: (\d+)/m.exec(readFileSync(out, 'utf8'));
    if (!summary) throw new Error(`cachegrind wrote no summary to ${out}`);
    return Number(summary[1]);
  } finally {
    server.stop();
    rmSync(out, { force: true });
  }
}

async function main(): Promise<void> {
  requirePrerequisites(['valgrind', 'taskset'], 'valgrind, util-linux');
  if (!(Number.isInteger(N1) && N1 >= 1000 && Number.isInteger(N2) && N2 > N1 && Number.isInteger(REPEATS) && REPEATS >= 1)) {
    console.error(`BENCH_WARM_REQUESTS (${N1}) must be a whole number ≥ 1000, BENCH_COUNTED_REQUESTS (${N2 - N1}) and BENCH_REPEATS (${REPEATS}) whole numbers ≥ 1`);
    process.exit(64);
  }
  const perRequest = new Map<string, number[]>(SETUPS.map((s) => [s, []]));
  for (let repeat = 0; repeat < REPEATS; repeat++) {
    // The order reverses every repeat, so a drift in the machine cannot favour one setup.
    for (const setup of repeat % 2 === 0 ? SETUPS : [...SETUPS].reverse()) {
      const [warm, counted] = [await instructions(setup, N1), await instructions(setup, N2)];
      const ir = (counted - warm) / (N2 - N1);
      perRequest.get(setup)!.push(ir);
      console.log(`repeat ${repeat + 1}/${REPEATS} ${setup}: ${ir.toFixed(0)} instructions per request`);
    }
  }
  const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const bare = mean(perRequest.get('bare')!);
  console.log(`\nInstructions per warm request under cachegrind (requests ${N1 + 1}–${N2}, ${CONNECTIONS} keep-alive connections, node --single-threaded, ${REPEATS} pairs of processes per setup):\n`);
  console.log('| setup | instructions per request, each repeat | mean | ÷ bare | beyond bare |');
  console.log('|---|---|---|---|---|');
  for (const [setup, xs] of perRequest) {
    const m = mean(xs);
    console.log(`| ${setup} | ${xs.map((x) => x.toFixed(0)).join(', ')} | ${m.toFixed(0)} | ${(m / bare).toFixed(3)} | ${setup === 'bare' ? '—' : (m - bare).toFixed(0)} |`);
  }
}

await main();
