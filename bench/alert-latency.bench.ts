/**
 * Detection latency: how long after a latency step the on-call's webhook hears about it.
 *
 * One instrumented test service (bench/alert-latency-service.ts, `perfpilot/instrument`, a
 * steady open-loop load with ±25 % jitter and a 1-in-200 3× tail) is watched side by side by:
 * - perfpilot at its defaults (interval 10 s, window 5 m, alerts evaluated on the latest interval
 *   with at least 200 requests, built-in high_latency p99 > 1000 ms, group_wait 2 s), through its
 *   `app` source, alerting a webhook;
 * - perfpilot at its defaults watching a second, low-traffic copy of the service (BENCH_LOW_RPS,
 *   2 req/s: too few requests per interval, so its latency rules read the 5-minute window);
 * - Prometheus + Alertmanager at their defaults (scrape and evaluation every 1 m, group_wait
 *   30 s, group_interval 5 m) with `histogram_quantile(0.99, …rate(…[5m])) > 1` on the same
 *   service's /metrics, alerting the same webhook receiver.
 * Phases: warm-up (BENCH_WARMUP_S, 150), steady (BENCH_STEADY_S, 600: any alert there is a false
 * one), step to 1500 ms until every watcher alerted (at most BENCH_STEP_WAIT_S, 300), then recovery until every
 * watcher sent its resolved notification (at most BENCH_RECOVER_S, 900).
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dump } from 'js-yaml';
import { createApp, type App } from '../src/app.js';
import { loadConfig } from '../src/config/load.js';
import { createLogger } from '../src/log.js';
import { startAlertmanager } from '../test/support/alertmanager.js';
import { startReceiver, type Received } from '../test/support/http-receiver.js';
import { freePort, waitForPort } from '../test/support/ports.js';

const WARMUP_S = Number(process.env.BENCH_WARMUP_S ?? 150);
const STEADY_S = Number(process.env.BENCH_STEADY_S ?? 600);
const RECOVER_S = Number(process.env.BENCH_RECOVER_S ?? 900);
const STEP_WAIT_S = Number(process.env.BENCH_STEP_WAIT_S ?? 300);
const STEP_MS = 1500;
const here = fileURLToPath(new URL('.', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (msg: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${msg}`);

interface Arrival { readonly atMs: number; readonly path: string; readonly status: string; readonly names: readonly string[] }
const arrivals: Arrival[] = [];
const rx = await startReceiver((r: Received) => {
  const body = r.body as { status: string; alerts: { labels: Record<string, string> }[] };
  arrivals.push({ atMs: Date.now(), path: r.path, status: body.status, names: body.alerts.map((a) => `${a.labels.alertname}:${(a as unknown as { status: string }).status}`) });
  return { status: 200 };
});

const dir = await mkdtemp(join(tmpdir(), 'perfpilot-alert-bench-'));
async function startService(rps: string): Promise<{ child: ChildProcess; exporterUrl: string }> {
  const child = fork(join(here, 'alert-latency-service.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { ...process.env, BENCH_RPS: rps } });
  const exporterUrl = await new Promise<string>((resolve) => child.on('message', (m: { exporterUrl?: string }) => m.exporterUrl && resolve(m.exporterUrl)));
  return { child, exporterUrl };
}
const { child: service, exporterUrl } = await startService(process.env.BENCH_RPS ?? '40');
const { child: lowService, exporterUrl: lowExporterUrl } = await startService(process.env.BENCH_LOW_RPS ?? '2');
const setLatency = (latencyMs: number) => [service, lowService].forEach((s) => s.send({ latencyMs }));

async function startPerfpilot(name: string, targetUrl: string): Promise<App> {
  const d = join(dir, name);
  await (await import('node:fs/promises')).mkdir(d);
  await writeFile(join(d, 'perfpilot.yaml'), dump({
    environment: 'bench',
    store: { path: join(d, 'perfpilot.db') },
    sources: { host: false, app: { targets: [targetUrl] } },
    alerts: { channels: [{ name: 'hook', type: 'webhook', url: `${rx.url}/${name}` }] },
  }));
  const app = await createApp(await loadConfig({ cwd: d, probe: false }), createLogger({ level: 'silent' }), { port: 0 });
  await app.start();
  return app;
}
const perfpilot = await startPerfpilot('perfpilot', exporterUrl);
const perfpilotLow = await startPerfpilot('perfpilot-low', lowExporterUrl);

const am = await startAlertmanager(`
route: { receiver: hook }
receivers:
  - name: hook
    webhook_configs: [ { url: "${rx.url}/prometheus", send_resolved: true } ]
`);
const promPort = await freePort();
await writeFile(join(dir, 'rules.yml'), dump({ groups: [{ name: 'bench', rules: [{
  alert: 'HighLatency',
  expr: 'histogram_quantile(0.99, sum by (le) (rate(http_server_request_duration_seconds_bucket[5m]))) > 1',
  labels: { severity: 'critical' },
}] }] }));
await writeFile(join(dir, 'prometheus.yml'), dump({
  global: { scrape_interval: '1m', evaluation_interval: '1m' },
  rule_files: [join(dir, 'rules.yml')],
  alerting: { alertmanagers: [{ static_configs: [{ targets: [am.url.replace('http://', '')] }] }] },
  scrape_configs: [{ job_name: 'bench', static_configs: [{ targets: [exporterUrl.replace('http://', '')] }] }],
}));
const prometheus = spawn('prometheus', [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'prom')}`, `--web.listen-address=127.0.0.1:${promPort}`], { stdio: 'ignore' });
await waitForPort(promPort, 20_000);

const WATCHERS = [
  { path: '/perfpilot', label: 'perfpilot (defaults)', alert: 'high_latency' },
  { path: '/perfpilot-low', label: `perfpilot (defaults, low-traffic service at ${process.env.BENCH_LOW_RPS ?? 2} req/s)`, alert: 'high_latency' },
  { path: '/prometheus', label: 'Prometheus + Alertmanager (defaults)', alert: 'HighLatency' },
] as const;
const first = (path: string, alert: string, status: 'firing' | 'resolved', afterMs: number) =>
  arrivals.find((a) => a.path === path && a.atMs >= afterMs && a.names.includes(`${alert}:${status}`));

log(`warm-up ${WARMUP_S}s, steady ${STEADY_S}s at 20 ms ±25 %`);
await sleep(WARMUP_S * 1000);
const steadyStart = Date.now();
await sleep(STEADY_S * 1000);
const falseAlerts = WATCHERS.map((w) => arrivals.filter((a) => a.path === w.path && a.atMs >= steadyStart).length);
log(`step to ${STEP_MS} ms`);
const stepAt = Date.now();
setLatency(STEP_MS);
const stepDeadline = stepAt + STEP_WAIT_S * 1000;
while (Date.now() < stepDeadline && !WATCHERS.every((w) => first(w.path, w.alert, 'firing', stepAt))) await sleep(250);
await sleep(5_000);
log('recovery to 20 ms');
const recoverAt = Date.now();
setLatency(20);
const recoverDeadline = recoverAt + RECOVER_S * 1000;
while (Date.now() < recoverDeadline && !WATCHERS.every((w) => first(w.path, w.alert, 'resolved', recoverAt))) await sleep(250);

const seconds = (a: Arrival | undefined, from: number) => (a ? ((a.atMs - from) / 1000).toFixed(1) : `> ${Math.round((Date.now() - from) / 1000)}`);
const rows = WATCHERS.map((w, i) => [w.label, seconds(first(w.path, w.alert, 'firing', stepAt), stepAt), seconds(first(w.path, w.alert, 'resolved', recoverAt), recoverAt), String(falseAlerts[i])]);
const prom = rows[2]!;
const ratio = (i: number, col: number) => (Number(prom[col]) / Number(rows[i]![col])).toFixed(1);
console.log(`\nsteady run: ${STEADY_S}s at ~40 rps; step ${STEP_MS} ms\n`);
console.log('| watcher | alert after step (s) | resolved after recovery (s) | notifications during steady run |');
console.log('|---|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
console.log(`\nPrometheus+AM ÷ perfpilot: detection ${ratio(0, 1)}× (low traffic: ${ratio(1, 1)}×), resolution ${ratio(0, 2)}× (low traffic: ${ratio(1, 2)}×)`);

prometheus.kill('SIGTERM');
service.kill('SIGTERM');
lowService.kill('SIGTERM');
await Promise.allSettled([perfpilot.close(), perfpilotLow.close(), am.stop(), rx.close()]);
await rm(dir, { recursive: true, force: true });
process.exit(0);
