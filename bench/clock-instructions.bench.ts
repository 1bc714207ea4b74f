/**
 * `npm run bench clock-instructions`: what one clock read costs a Node.js process, in machine
 * instructions (cachegrind, Debian: valgrind) and in time, for each clock a request timer could
 * use. An exact timer reads a clock at each end of every request, so two of these are the floor
 * of any instrumentation that reports true percentiles (perfpilot's, prom-client's, OTel's).
 *
 * Method: a loop calls the clock N1 and, in a second process, N2 times under
 * `valgrind --tool=cachegrind` with `node --single-threaded`; (instructions at N2 − at N1) ÷
 * (N2 − N1), less the same for a loop that reads no clock, is one read. The time per read is a
 * plain loop of TIMED_CALLS in this process. About 2 minutes.
 */
import { spawnSync } from 'node:child_process';
import { requirePrerequisites } from './instrument-server.js';

/** Each clock as a millisecond reading, the way a timer would use it. */
const CLOCKS: Record<string, string> = {
  'no clock (the loop alone)': '() => 1.5',
  'performance.now() (the global)': '() => performance.now()',
  'performance.now() (imported from node:perf_hooks)': '() => perf.now()',
  'process.hrtime()': '() => { const t = process.hrtime(); return t[0] * 1e3 + t[1] / 1e6; }',
  'process.hrtime.bigint()': '() => Number(process.hrtime.bigint() % 1_000_000_000_000n) / 1e6',
  'Date.now() (whole milliseconds only)': '() => Date.now()',
};
const N1 = 200_000;
const N2 = 1_200_000;
const TIMED_CALLS = 5_000_000;

const script = (clock: string, calls: number) => `
import { performance as perf } from 'node:perf_hooks';
const read = ${clock};
let sum = 0;
for (let i = 0; i < ${calls}; i++) sum += read();
if (process.argv[1] === 'time') {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < ${TIMED_CALLS}; i++) sum += read();
  console.log(Number(process.hrtime.bigint() - t0) / ${TIMED_CALLS});
}
if (sum === -1) console.log(sum);
`;

function instructions(clock: string, calls: number): number {
  const r = spawnSync('valgrind', ['--tool=cachegrind', '--cache-sim=no', '--cachegrind-out-file=/dev/null',
    process.execPath, '--single-threaded', '--input-type=module', '-e', script(clock, calls), 'count'], { encoding: 'utf8' });
  const refs = /I\s+refs:\s+([\d,]+)/.exec(r.stderr);
  if (r.status !== 0 || !refs) throw new Error(`cachegrind failed (${r.status}): ${r.stderr.slice(-500)}`);
  return Number(refs[1]!.replaceAll(',', ''));
}

function nanoseconds(clock: string): number {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script(clock, 100_000), 'time'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`the timed loop failed: ${r.stderr}`);
  return Number(r.stdout.trim());
}

requirePrerequisites(['valgrind'], 'valgrind');
const perCall = new Map<string, { instructions: number; ns: number }>();
for (const [name, clock] of Object.entries(CLOCKS)) {
  perCall.set(name, { instructions: (instructions(clock, N2) - instructions(clock, N1)) / (N2 - N1), ns: nanoseconds(clock) });
}
const loop = perCall.get('no clock (the loop alone)')!;
console.log(`\nOne clock read in node ${process.version} (instructions under cachegrind, calls ${N1 + 1}–${N2}; time over ${TIMED_CALLS} calls), less the loop:\n`);
console.log('| clock | instructions per read | ns per read |');
console.log('|---|---|---|');
for (const [name, { instructions: ir, ns }] of perCall) {
  if (name === 'no clock (the loop alone)') continue;
  console.log(`| ${name} | ${(ir - loop.instructions).toFixed(0)} | ${(ns - loop.ns).toFixed(1)} |`);
}
