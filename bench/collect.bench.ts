/**
 * One collection cycle over host, Redis and PostgreSQL: perfpilot's collection loop (from
 * dist/, in a child process of its own, bench/collect-loop.mjs) against node_exporter,
 * redis_exporter and postgres_exporter, scraped the same number of times in the same run,
 * interleaved (one perfpilot cycle, then one scrape of each exporter, then BENCH_PAUSE_MS,
 * default 250 ms: a steady loop with no pause would measure V8's young-generation headroom
 * more than perfpilot). CPU is utime + stime
 * from /proc/<pid>/stat over the measured cycles; RSS is VmRSS (and peak VmHWM) at the end.
 * Both sides read the same Redis (127.0.0.1:6379) and the same scratch database, which has
 * pg_stat_statements, so perfpilot takes its full slow-query path. The loop runs under the V8
 * flags of perfpilot's launcher (the shebang of bin/perfpilot.js), as `npm start` and
 * `npx perfpilot` run it; the same loop under plain `node` is shown beside it for scale.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { ROOT } from '../test/support/cli.js';
import { freePort, waitForPort } from '../test/support/ports.js';
import { createScratchDatabase } from '../test/support/postgres.js';

const CYCLES = Number(process.env.BENCH_CYCLES ?? 200);
const WARMUP = 5;
const PAUSE_MS = Number(process.env.BENCH_PAUSE_MS ?? 250);
const TICKS_PER_S = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** The node flags perfpilot is launched with: those of bin/perfpilot.js's `#!/usr/bin/env -S node …` line. */
const LAUNCH_FLAGS = readFileSync(join(ROOT, 'bin/perfpilot.js'), 'utf8').split('\n')[0]!.split(/\s+/).filter((a) => a.startsWith('--'));

interface ProcessUsage { readonly cpuMs: number; readonly rssBytes: number; readonly anonBytes: number; readonly peakRssBytes: number }

async function processUsage(pid: number): Promise<ProcessUsage> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) * 1024;
  return { cpuMs: ((Number(fields[11]) + Number(fields[12])) / TICKS_PER_S) * 1000, rssBytes: kib('VmRSS'), anonBytes: kib('RssAnon'), peakRssBytes: kib('VmHWM') };
}

function start(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => (err = (err + d).slice(-2000)));
  child.on('exit', (code, signal) => {
    if (code !== 0 && signal === null) console.error(`${cmd} exited ${code}: ${err}`);
  });
  return child;
}

async function scrape(port: number): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  if (!res.ok) throw new Error(`scrape of :${port} answered ${res.status}`);
  await res.arrayBuffer();
}

if (!existsSync(join(ROOT, 'dist/sources/create-sources.js'))) {
  console.error('dist/ is missing: run `npm run bench collect` (it builds first)');
  process.exit(70);
}

const dir = await mkdtemp(join(tmpdir(), 'perfpilot-bench-collect-'));
const db = await createScratchDatabase('pp_bench_collect');
const children: ChildProcess[] = [];
try {
  const setup = new pg.Client({ connectionString: db.url });
  await setup.connect();
  await setup.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  for (let i = 0; i < 50; i++) await setup.query(`SELECT ${i} AS n${i}`); // statements to read
  await setup.end();

  const config = join(dir, 'perfpilot.yaml');
  await writeFile(config, `environment: bench\nsources:\n  redis: { url: "${REDIS_URL}" }\n  postgres: { url: "${db.url}", slowQueryMs: 500 }\n`);
  const loop = (nodeFlags: readonly string[]) => {
    const child = start(process.execPath, [...nodeFlags, join(ROOT, 'bench/collect-loop.mjs'), config]);
    children.push(child);
    const replies = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
    const cycle = async (): Promise<Record<string, { status: string; message?: string }>> => {
      child.stdin!.write('cycle\n');
      const next = await replies.next();
      if (next.done) throw new Error('the perfpilot loop exited');
      return JSON.parse(next.value);
    };
    return { child, cycle };
  };
  const perfpilot = loop(LAUNCH_FLAGS);
  // The same loop under plain `node`, to show what the launcher's flags take off.
  const plainNode = loop([]);

  const ports = { node: await freePort(), redis: await freePort(), postgres: await freePort() };
  const exporters = {
    node: start('prometheus-node-exporter', [`--web.listen-address=127.0.0.1:${ports.node}`]),
    redis: start('prometheus-redis-exporter', [`-redis.addr=${REDIS_URL}`, `-web.listen-address=127.0.0.1:${ports.redis}`]),
    postgres: start('prometheus-postgres-exporter', [`--web.listen-address=127.0.0.1:${ports.postgres}`], {
      DATA_SOURCE_NAME: `${db.url}?sslmode=disable`,
    }),
  };
  children.push(...Object.values(exporters));
  await Promise.all(Object.values(ports).map((p) => waitForPort(p)));

  // For scale: what an idle Node.js process holds before perfpilot loads anything.
  const emptyNode = start(process.execPath, ['-e', 'setInterval(() => {}, 1e6)']);
  children.push(emptyNode);
  const all = [perfpilot.child, ...Object.values(exporters), emptyNode, plainNode.child];
  const round = async () => {
    const statuses = await perfpilot.cycle();
    await plainNode.cycle();
    for (const port of Object.values(ports)) await scrape(port);
    return statuses;
  };
  for (let i = 0; i < WARMUP; i++) await round();
  const before = await Promise.all(all.map((c) => processUsage(c.pid!)));
  let statuses: Record<string, { status: string; message?: string }> = {};
  for (let i = 0; i < CYCLES; i++) {
    statuses = await round();
    await new Promise((r) => setTimeout(r, PAUSE_MS));
  }
  const after = await Promise.all(all.map((c) => processUsage(c.pid!)));
  const bad = Object.entries(statuses).filter(([, s]) => s.status === 'error');
  if (bad.length) console.error(`perfpilot sources failing: ${JSON.stringify(bad)}`);

  const names = ['perfpilot (host+redis+postgres)', 'node_exporter', 'redis_exporter', 'postgres_exporter', 'empty Node.js process (scale only)', 'perfpilot under plain node, no launcher flags (scale only)'];
  const rows = names.map((name, i) => ({
    name,
    cpuMs: (after[i]!.cpuMs - before[i]!.cpuMs) / CYCLES,
    rssBytes: after[i]!.rssBytes,
    anonBytes: after[i]!.anonBytes,
    peakRssBytes: after[i]!.peakRssBytes,
  }));
  const [mine, node, redis, postgres, empty, plain] = rows;
  const theirs = [node!, redis!, postgres!];
  const sum = (key: 'cpuMs' | 'rssBytes' | 'anonBytes' | 'peakRssBytes') => theirs.reduce((s, r) => s + r[key], 0);
  const together = { name: 'three exporters together', cpuMs: sum('cpuMs'), rssBytes: sum('rssBytes'), anonBytes: sum('anonBytes'), peakRssBytes: sum('peakRssBytes') };
  const mib = (b: number) => (b / 1048576).toFixed(1);
  const ratio = (key: 'cpuMs' | 'rssBytes' | 'anonBytes' | 'peakRssBytes') => `**${(mine![key] / together[key]).toFixed(2)}**`;
  console.log(`\n${CYCLES} cycles/scrapes each, interleaved, after ${WARMUP} warm-up rounds; CPU tick ${1000 / TICKS_PER_S} ms; perfpilot launched with ${LAUNCH_FLAGS.join(' ') || 'no flags'}\n`);
  console.log('| process | CPU ms per cycle | RSS MiB | of it anonymous MiB | peak RSS MiB |');
  console.log('|---|---:|---:|---:|---:|');
  for (const r of [mine!, ...theirs, together, empty!, plain!]) {
    console.log(`| ${r.name} | ${r.cpuMs.toFixed(2)} | ${mib(r.rssBytes)} | ${mib(r.anonBytes)} | ${mib(r.peakRssBytes)} |`);
  }
  console.log(`| **perfpilot ÷ exporters** | ${ratio('cpuMs')} | ${ratio('rssBytes')} | ${ratio('anonBytes')} | ${ratio('peakRssBytes')} |`);
  for (const { child } of [perfpilot, plainNode]) child.stdin!.end();
} finally {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 300));
  await db.drop();
  await rm(dir, { recursive: true, force: true });
}
