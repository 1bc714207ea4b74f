import type { Command } from 'commander';
import { collectOnce } from '../../collect/collect-once.js';
import { loadConfig } from '../../config/load.js';
import { PerfpilotError } from '../../errors.js';
import { createLogger } from '../../log.js';
import { createSources } from '../../sources/create-sources.js';
import { parseDurationMs } from '../../util/duration.js';
import { startProgress } from '../progress.js';
import { formatSnapshotTable } from '../snapshot-table.js';

interface CollectFlags {
  readonly duration: string;
  readonly env?: string;
  readonly json?: boolean;
  readonly config?: string;
}

export function register(program: Command): void {
  program
    .command('collect')
    .description('sample every source, wait, sample again, and print the snapshot of that window')
    .option('--duration <duration>', 'how long to wait between the two samples', '5s')
    .option('--env <name>', 'environment name (default: the configuration\'s)')
    .option('--json', 'print the snapshot as JSON (DESIGN.md §2)')
    .option('--config <file>', 'configuration file (default: perfpilot.yaml if present)')
    .action((flags: CollectFlags) => collect(flags));
}

async function collect(flags: CollectFlags): Promise<void> {
  const durationMs = parseDurationMs(flags.duration);
  if (durationMs === null || durationMs <= 0) {
    throw new PerfpilotError(`--duration: got "${flags.duration}"; expected a duration such as "500ms", "5s" or "1m"`, { exitCode: 64 });
  }
  const env = flags.env ? { ...process.env, PERFPILOT_ENV: flags.env } : process.env;
  const { config, decisions } = await loadConfig({ file: flags.config, env });
  const logger = createLogger({ level: process.env.PERFPILOT_LOG_LEVEL ?? 'warn' });
  const { sources, notConfigured } = createSources(config, { logger });
  const stopProgress = startProgress('collecting', durationMs);
  try {
    const snapshot = await collectOnce({ environment: config.environment, sources, notConfigured, durationMs, logger });
    stopProgress();
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(snapshot, null, 2)}\n`);
    } else {
      process.stdout.write(formatSnapshotTable(snapshot, Object.fromEntries(decisions.map((d) => [d.source, d.why]))));
    }
  } finally {
    stopProgress();
    await Promise.all(sources.map((s) => s.close?.()));
  }
}
