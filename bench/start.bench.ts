/**
 * `perfpilot start` at a 1 s interval (host + a private Redis + the local PostgreSQL), side by
 * side with what a team would otherwise run for the same readings: node_exporter,
 * redis_exporter and postgres_exporter with a Prometheus server scraping all three every 1 s.
 * Both run at the same time on the same machine for BENCH_SECONDS (default 600). Every 10 s it
 * records each process's RSS and CPU; at the end it prints the CPU share of one core (after the
 * first minute), RSS at 1 min and at the end, and the storage written, extrapolated per day.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { freePort, waitForPort } from '../test/support/ports.js';
import { startRedis } from '../test/support/redis-server.js';
import { ROOT } from '../test/support/cli.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 600);
const EVERY_S = 10;
const TICKS_PER_S = 100;
const PG_URL = process.env.PERFPILOT_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';

interface Usage { readonly cpuS: number; readonly rssBytes: number }

async function usage(pids: readonly number[]): Promise<Usage> {
  let cpuS = 0;
  let rssBytes = 0;
  for (const pid of pids) {
    const statText = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = statText.slice(statText.lastIndexOf(')') + 2).split(' ');
    cpuS += (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S;
    const rss = /VmRSS:\s+(\d+) kB/.exec(await readFile(`/proc/${pid}/status`, 'utf8'));
    rssBytes += Number(rss?.[1] ?? 0) * 1024;
  }
  return { cpuS, rssBytes };
}

async function dirBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return total;
}

function run(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => (err = (err + d).slice(-2000)));
  child.on('exit', (code, signal) => {
    if (code !== 0 && signal === null) console.error(`${cmd} exited ${code}: ${err}`);
  });
  return child;
}

const mib = (b: number) => (b / 1048576).toFixed(1);

const dir = await mkdtemp(join(tmpdir(), 'perfpilot-bench-'));
const redis = await startRedis();
const children: ChildProcess[] = [];
try {
  const [port, promPort, nodePort, redisExpPort, pgExpPort] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
  const dbPath = join(dir, 'data', 'perfpilot.db');
  await writeFile(join(dir, 'perfpilot.yaml'), [
    'interval: 1s',
    `store: { path: ${dbPath} }`,
    `sources: { redis: { url: "${redis.url}" }, postgres: { url: "${PG_URL}" } }`,
  ].join('\n'));
  // Executed as `npm start` runs it, so the launcher's V8 flags (its shebang) apply.
  const perfpilot = run(join(ROOT, 'bin/perfpilot.js'), ['start', '--config', join(dir, 'perfpilot.yaml'), '--port', String(port)], { PERFPILOT_LOG_LEVEL: 'warn' });
  const exporters = [
    run('prometheus-node-exporter', [`--web.listen-address=127.0.0.1:${nodePort}`]),
    run('prometheus-redis-exporter', ['-redis.addr', redis.url, '-web.listen-address', `127.0.0.1:${redisExpPort}`]),
    run('prometheus-postgres-exporter', [`--web.listen-address=127.0.0.1:${pgExpPort}`], { DATA_SOURCE_NAME: `${PG_URL}?sslmode=disable` }),
  ];
  await writeFile(join(dir, 'prometheus.yml'), [
    'global: { scrape_interval: 1s, evaluation_interval: 1s }',
    'scrape_configs:',
    `  - { job_name: node, static_configs: [ { targets: ["127.0.0.1:${nodePort}"] } ] }`,
    `  - { job_name: redis, static_configs: [ { targets: ["127.0.0.1:${redisExpPort}"] } ] }`,
    `  - { job_name: postgres, static_configs: [ { targets: ["127.0.0.1:${pgExpPort}"] } ] }`,
  ].join('\n'));
  const prometheus = run('prometheus', [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'prom')}`, `--web.listen-address=127.0.0.1:${promPort}`]);
  children.push(perfpilot, ...exporters, prometheus);
  await Promise.all([waitForPort(port, 30_000), waitForPort(promPort, 30_000), waitForPort(nodePort), waitForPort(redisExpPort), waitForPort(pgExpPort)]);
  const initialDbBytes = await dirBytes(join(dir, 'data'));
  const ppPids = [perfpilot.pid!];
  const promPids = [prometheus, ...exporters].map((c) => c.pid!);

  console.log(`perfpilot start vs Prometheus + 3 exporters, 1 s interval, ${SECONDS} s, sampled every ${EVERY_S} s`);
  console.log('t (s)  perfpilot RSS MiB  CPU %   |  prometheus+exporters RSS MiB  CPU %');
  const rows: { t: number; pp: Usage; prom: Usage }[] = [];
  const t0 = Date.now();
  let prev = { pp: await usage(ppPids), prom: await usage(promPids), t: 0 };
  rows.push(prev);
  while ((Date.now() - t0) / 1000 < SECONDS) {
    await new Promise((r) => setTimeout(r, EVERY_S * 1000));
    const t = (Date.now() - t0) / 1000;
    const now = { pp: await usage(ppPids), prom: await usage(promPids), t };
    const dt = now.t - prev.t;
    console.log(`${t.toFixed(0).padStart(5)}  ${mib(now.pp.rssBytes).padStart(17)}  ${((100 * (now.pp.cpuS - prev.pp.cpuS)) / dt).toFixed(2).padStart(5)}   |  ${mib(now.prom.rssBytes).padStart(28)}  ${((100 * (now.prom.cpuS - prev.prom.cpuS)) / dt).toFixed(2).padStart(5)}`);
    rows.push(now);
    prev = now;
  }
  const last = rows.at(-1)!;
  const atMinute = rows.find((r) => r.t >= 60) ?? rows[0]!;
  const share = (k: 'pp' | 'prom') => (100 * (last[k].cpuS - atMinute[k].cpuS)) / (last.t - atMinute.t);
  const stopStartedMs = Date.now();
  const exited = new Promise((r) => perfpilot.once('exit', r));
  perfpilot.kill('SIGTERM');
  await exited;
  const stopMs = Date.now() - stopStartedMs;
  // After a clean close the WAL is checkpointed into the file, so this is the data's size.
  const ppDbBytes = (await dirBytes(join(dir, 'data'))) - initialDbBytes;
  const promBytes = await dirBytes(join(dir, 'prom'));
  const perDay = (b: number) => (b * 86_400) / last.t;
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  const samples = (db.prepare('SELECT count(*) AS n FROM samples').get() as { n: number }).n;
  db.close();

  console.log('\n| | perfpilot start | Prometheus + node/redis/postgres exporters | ratio |');
  console.log('|---|---|---|---|');
  console.log(`| CPU, % of one core (after the first minute) | ${share('pp').toFixed(2)} | ${share('prom').toFixed(2)} | ${(share('pp') / share('prom')).toFixed(2)} |`);
  console.log(`| RSS at 1 min, MiB | ${mib(atMinute.pp.rssBytes)} | ${mib(atMinute.prom.rssBytes)} | ${(atMinute.pp.rssBytes / atMinute.prom.rssBytes).toFixed(2)} |`);
  console.log(`| RSS at the end, MiB | ${mib(last.pp.rssBytes)} | ${mib(last.prom.rssBytes)} | ${(last.pp.rssBytes / last.prom.rssBytes).toFixed(2)} |`);
  console.log(`| RSS growth after 1 min, MiB | ${mib(last.pp.rssBytes - atMinute.pp.rssBytes)} | ${mib(last.prom.rssBytes - atMinute.prom.rssBytes)} | |`);
  console.log(`| storage written, MiB per day (extrapolated) | ${mib(perDay(ppDbBytes))} | ${mib(perDay(promBytes))} (WAL + head, before compaction) | ${(ppDbBytes / promBytes).toFixed(2)} |`);
  console.log(`\nperfpilot stored ${samples} sample rows in ${last.t.toFixed(0)} s; SIGTERM to exit took ${stopMs} ms (exit code ${perfpilot.exitCode}).`);
} finally {
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 1500));
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await redis.stop();
  await rm(dir, { recursive: true, force: true });
}
