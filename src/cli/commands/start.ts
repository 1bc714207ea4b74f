import type { Command } from 'commander';
import { createApp } from '../../app.js';
import { loadConfig } from '../../config/load.js';
import { PerfpilotError } from '../../errors.js';
import { createLogger, type Logger } from '../../log.js';
import { accessNotices } from '../../server/access-notices.js';

interface StartFlags {
  readonly config?: string;
  readonly port?: string;
}

/** How long a SIGINT/SIGTERM may take before the process gives up on a clean close. */
const SHUTDOWN_LIMIT_MS = 9_000;

export function register(program: Command): void {
  program
    .command('start')
    .description('collect every interval, analyze the last window, and serve the API and dashboard')
    .option('--config <file>', 'configuration file (default: perfpilot.yaml if present)')
    .option('--port <n>', 'port to serve on (default: server.port, 7070)')
    .action((flags: StartFlags) => start(flags));
}

function parsePort(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const port = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(port >= 0 && port <= 65535)) throw new PerfpilotError(`--port: got "${text}"; expected a port number 0–65535`, { exitCode: 64 });
  return port;
}

function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
}

async function start(flags: StartFlags): Promise<void> {
  const port = parsePort(flags.port);
  const signal = untilSignal();
  const loaded = await loadConfig({ file: flags.config });
  const logger = createLogger();
  const { config } = loaded;
  for (const d of loaded.decisions) logger.info({ source: d.source, on: d.on, why: d.why }, d.on ? `Source ${d.source} on` : `Source ${d.source} off`);
  const app = await createApp(loaded, logger, { port });
  const url = await app.start().catch(async (err: unknown) => {
    await app.close();
    throw listenError(err, config.server.host, port ?? config.server.port);
  });
  const access = accessNotices(app.tokens, config.server.host);
  for (const line of access.print) console.log(line);
  for (const warning of access.warnings) logger.warn({ host: config.server.host }, warning);
  logger.info({
    environment: config.environment,
    url,
    intervalMs: config.interval,
    windowMs: config.window,
    retentionMs: config.store.retention,
    tokenFile: app.tokens.path,
  }, 'perfpilot started');
  const received = await signal;
  logger.info({ signal: received }, 'Stopping: finishing the cycle in flight');
  const watchdog = setTimeout(() => {
    logger.error({ limitMs: SHUTDOWN_LIMIT_MS }, 'Shutdown took too long; exiting');
    process.exit(1);
  }, SHUTDOWN_LIMIT_MS);
  watchdog.unref();
  await app.close();
  logger.info({ environment: config.environment }, 'perfpilot stopped');
  await flush(logger);
  // Everything is closed; a client library's stray handle must not keep the process alive.
  setTimeout(() => process.exit(0), 200).unref();
}

/** A port in use or not ours to bind is the user's to fix: say which, and how. */
function listenError(err: unknown, host: string, port: number): unknown {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code !== 'EADDRINUSE' && code !== 'EACCES' && code !== 'EADDRNOTAVAIL') return err;
  const why = code === 'EADDRINUSE' ? 'the address is in use' : code === 'EACCES' ? 'permission denied' : 'no such local address';
  return new PerfpilotError(`cannot listen on ${host}:${port}: ${why}; choose another with --port, PERFPILOT_PORT or server.port`, { exitCode: 69, cause: err });
}

function flush(logger: Logger): Promise<void> {
  return new Promise((resolve) => logger.flush(() => resolve()));
}
