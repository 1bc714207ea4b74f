import type { Command } from 'commander';
import { loadConfig, type LoadedConfigValues } from '../../config/load.js';
import { createLogger } from '../../log.js';
import { createSources } from '../../sources/create-sources.js';
import { checkSources, type SourceCheck } from '../../sources/check-sources.js';
import { startProgress } from '../progress.js';
import { renderTable } from '../table.js';

interface TestFlags {
  readonly config?: string;
  readonly json?: boolean;
}

export function register(program: Command): void {
  const sources = program.command('sources').description('the sources perfpilot reads from');
  sources
    .command('test')
    .description('check each configured source once and say what is wrong; exits 1 if any fails')
    .option('--config <file>', 'configuration file (default: perfpilot.yaml if present)')
    .option('--json', 'print the checks as JSON')
    .action((flags: TestFlags) => test(flags));
}

async function test(flags: TestFlags): Promise<void> {
  const { config } = await loadConfig({ file: flags.config });
  const logger = createLogger({ level: process.env.PERFPILOT_LOG_LEVEL ?? 'warn' });
  const { sources, notConfigured } = createSources(config, { logger });
  const queryTimeoutMs = remoteBudgetMs(config.sources);
  const stopProgress = startProgress('checking sources', queryTimeoutMs);
  try {
    const checks = await checkSources(sources, notConfigured, { windowMs: config.window, sampleTimeoutMs: 5_000, queryTimeoutMs });
    stopProgress();
    process.stdout.write(flags.json ? `${JSON.stringify(checks, null, 2)}\n` : `${formatChecks(checks)}\n`);
    if (checks.some((c) => c.status === 'error')) process.exitCode = 1;
  } finally {
    stopProgress();
    await Promise.all(sources.map((s) => s.close?.()));
  }
}

/** The longest a remote source may take: every attempt timing out, plus the waits between them. */
function remoteBudgetMs(s: LoadedConfigValues['sources']): number {
  const remotes = [s.cloudwatch, s.datadog, s.prometheus].filter((r) => r !== undefined);
  return Math.max(5_000, ...remotes.map((r) => (r.retries + 1) * r.timeout + r.retries * 5_000));
}

function formatChecks(checks: readonly SourceCheck[]): string {
  const rows = checks.map((c) => {
    if (c.status === 'ok') return [c.source, 'ok', c.detail ?? ''];
    if (c.status === 'error') return [c.source, `failed (${c.reason ?? 'error'})`, c.message];
    return [c.source, 'not configured', ''];
  });
  return renderTable([['SOURCE', 'STATUS', 'WHAT'], ...rows]);
}
