import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { openCore, type Core } from '../../app.js';
import { storePathOf } from '../../config/store-path.js';
import { EVIDENCE_SOURCES, latestSampleData } from '../../analyze/evidence.js';
import { collectOnce } from '../../collect/collect-once.js';
import { sampleAll } from '../../collect/sample-all.js';
import { loadConfig } from '../../config/load.js';
import { PerfpilotError } from '../../errors.js';
import { createLogger } from '../../log.js';
import type { Snapshot } from '../../model/snapshot.js';
import { parseDurationMs } from '../../util/duration.js';
import { EXIT_FOR_STATUS, formatAnalysis } from '../analysis-table.js';
import { startProgress } from '../progress.js';

/** How long the evidence sample may take per source (as collectOnce's samples). */
const EVIDENCE_TIMEOUT_MS = 5_000;

interface AnalyzeFlags {
  readonly window?: string;
  readonly json?: boolean;
  readonly config?: string;
}

export function register(program: Command): void {
  program
    .command('analyze')
    .description('analyze the last window; exit 0 healthy, 1 warning, 2 critical')
    .option('--window <duration>', 'the window to analyze (default: the configuration\'s window, 5m)')
    .option('--json', 'print the analysis as JSON')
    .option('--config <file>', 'configuration file (default: perfpilot.yaml if present)')
    .action((flags: AnalyzeFlags) => analyze(flags));
}

/**
 * True when `start` has been collecting: every local source has stored samples from before
 * the window's start up to within a few intervals of now.
 */
async function storeCovers(core: Core, windowMs: number, nowMs: number): Promise<boolean> {
  if (core.sampledSources.length === 0) return false;
  const freshMs = Math.max(3 * core.config.interval, 30_000);
  for (const source of core.sampledSources) {
    const span = await core.store.sampleSpan(core.config.environment, source.name);
    if (!span || span.firstMs > nowMs - windowMs || span.lastMs < nowMs - freshMs) return false;
  }
  return true;
}

async function analyze(flags: AnalyzeFlags): Promise<void> {
  const windowMs = flags.window === undefined ? undefined : parseDurationMs(flags.window);
  if (windowMs === null || (windowMs !== undefined && windowMs <= 0)) {
    throw new PerfpilotError(`--window: got "${flags.window}"; expected a duration such as "30s", "5m" or "1h"`, { exitCode: 64 });
  }
  const { config } = await loadConfig({ file: flags.config });
  const window = windowMs ?? config.window;
  const logger = createLogger({ level: process.env.PERFPILOT_LOG_LEVEL ?? 'warn' });
  const storePath = storePathOf(config);
  const core = openCore(config, logger, { storePath: existsSync(storePath) ? storePath : ':memory:' });
  try {
    const nowMs = Date.now();
    let snapshot: Snapshot;
    let from: string;
    if (await storeCovers(core, window, nowMs)) {
      snapshot = await core.collectPerformanceMetrics(config.environment, new Date(nowMs - window), new Date(nowMs));
      const rows = await core.store.samplesForWindow(config.environment, EVIDENCE_SOURCES, { startMs: nowMs - window, endMs: nowMs });
      core.analysisContext.setEvidence(latestSampleData([...rows.values()].flat()));
      from = `from the samples \`perfpilot start\` stored in ${storePath}`;
    } else {
      const stopProgress = startProgress('collecting', window);
      try {
        snapshot = await collectOnce({ environment: config.environment, sources: core.sources, notConfigured: core.notConfigured, durationMs: window, logger });
      } finally {
        stopProgress();
      }
      // The evidence behind the recommendations (maxmemory-policy, keys without TTL, max_connections): one more sample.
      const evidenceSources = core.sampledSources.filter((s) => EVIDENCE_SOURCES.includes(s.name));
      core.analysisContext.setEvidence(latestSampleData(await sampleAll(evidenceSources, EVIDENCE_TIMEOUT_MS)));
      from = 'collected now (no recent samples from `perfpilot start`)';
    }
    const analysis = core.analyze(snapshot);
    process.stdout.write(flags.json ? `${JSON.stringify(analysis, null, 2)}\n` : formatAnalysis(analysis, from));
    process.exitCode = EXIT_FOR_STATUS[analysis.status];
  } finally {
    await core.close();
  }
}
