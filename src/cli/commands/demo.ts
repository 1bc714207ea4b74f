import type { Command } from 'commander';
import { startDemo } from '../../demo/run-demo.js';
import { PerfpilotError } from '../../errors.js';
import { parseDurationMs } from '../../util/duration.js';

interface DemoFlags {
  readonly port: string;
  readonly phase: string;
  readonly databaseUrl?: string;
  readonly json?: boolean;
}

export function register(program: Command): void {
  program
    .command('demo')
    .description('run an instrumented shop on a private Redis and a scratch database, degrade it, and watch perfpilot find and fix it')
    .option('--port <n>', 'port for the dashboard (0: any free port)', '0')
    .option('--phase <duration>', 'time between the scenario\'s steps', '20s')
    .option('--database-url <url>', 'PostgreSQL to create the demo database in (default: DATABASE_URL or postgres://postgres@127.0.0.1:5432/postgres)')
    .option('--json', 'print one JSON line per event, for scripts')
    .action((flags: DemoFlags) => demo(flags));
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

async function demo(flags: DemoFlags): Promise<void> {
  const port = Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new PerfpilotError(`--port: got "${flags.port}"; expected a port number 0–65535`, { exitCode: 64 });
  const phaseMs = parseDurationMs(flags.phase);
  if (phaseMs === null || phaseMs <= 0) throw new PerfpilotError(`--phase: got "${flags.phase}"; expected a duration such as "20s"`, { exitCode: 64 });
  const signal = untilSignal();
  const began = Date.now();
  const at = () => `${String(Math.round((Date.now() - began) / 1000)).padStart(4)}s`;
  const say = (event: Record<string, unknown>, text: string) => console.log(flags.json ? JSON.stringify(event) : text);
  const running = await startDemo({
    adminDatabaseUrl: flags.databaseUrl ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    port,
    phaseMs,
    onStep: (step) => say({ event: 'step', name: step.name, description: step.description }, `${at()}  ${step.name}: ${step.description}`),
    onAlert: (summary) => say({ event: 'alert', summary }, `${at()}  alert delivered to the log channel: ${summary}`),
  });
  say({ event: 'ready', dashboard: running.dashboardUrl, token: running.token, shop: running.shopUrl, log: running.logFile, database: running.databaseName, redis: running.redisUrl }, [
    'perfpilot demo is running',
    `  dashboard  ${running.dashboardUrl}`,
    `  API token  ${running.token}   (the dashboard asks for it on Apply and Roll back)`,
    `  shop       ${running.shopUrl}`,
    `  log        ${running.logFile}`,
    `  its own    database ${running.databaseName}, Redis ${running.redisUrl}`,
    'Press Ctrl-C to stop; the demo drops its database and stops its Redis.',
  ].join('\n'));
  await signal;
  say({ event: 'stopping' }, 'stopping and cleaning up…');
  await running.stop();
  say({ event: 'stopped' }, 'done.');
  setTimeout(() => process.exit(0), 200).unref();
}
