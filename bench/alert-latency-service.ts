/**
 * The instrumented test service of bench/alert-latency.bench.ts, in its own process so its
 * latency is its own: a node:http server timed by `perfpilot/instrument`, exporting /metrics
 * (Prometheus histogram) and the sketch endpoint, and a steady open-loop load on itself.
 * The parent sets the base latency over IPC ({ latencyMs }); each request takes it ±25 %
 * jitter, and 1 in 200 takes 3× (a realistic tail that must not alert).
 */
import { Agent, createServer, request } from 'node:http';
import { instrument } from '../src/instrument/index.js';

const RPS = Number(process.env.BENCH_RPS ?? 40);
let latencyMs = 20;
process.on('message', (m: { latencyMs?: number }) => {
  if (typeof m.latencyMs === 'number') latencyMs = m.latencyMs;
});

const perf = instrument({ service: 'bench', environment: 'bench' });
const server = createServer((_req, res) => {
  const jitter = 0.75 + Math.random() * 0.5;
  const tail = Math.random() < 1 / 200 ? 3 : 1;
  setTimeout(() => res.end('ok'), latencyMs * jitter * tail);
});
perf.attach(server);
await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
const appPort = (server.address() as { port: number }).port;
const exporter = await perf.serve({ host: '127.0.0.1', port: 0 });

const agent = new Agent({ keepAlive: true, maxSockets: 512 });
setInterval(() => {
  const req = request({ host: '127.0.0.1', port: appPort, path: '/work', agent }, (res) => res.resume());
  req.on('error', () => undefined);
  req.end();
}, 1000 / RPS);

process.send!({ ready: true, exporterUrl: exporter.url });
