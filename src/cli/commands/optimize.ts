import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { openCore, type Core } from '../../app.js';
import { collectOnce } from '../../collect/collect-once.js';
import { loadConfig } from '../../config/load.js';
import { PerfpilotError } from '../../errors.js';
import { createLogger } from '../../log.js';
import { applyPlan, describeChanges, type ApplyResult } from '../../optimize/apply-plan.js';
import type { Optimizer } from '../../optimize/create-optimizer.js';
import type { WatchWindow } from '../../optimize/optimizer-deps.js';
import { planOptimizations } from '../../optimize/plan-optimizations.js';
import { PlanSchema } from '../../optimize/plan-schema.js';
import { renderTable } from '../table.js';
import type { Plan } from '../../optimize/proposal.js';
import { rollbackChange } from '../../optimize/rollback-change.js';
import { settleApplied } from '../../optimize/settle-applied.js';
import { verifyApplied } from '../../optimize/verify-applied.js';
import type { OptimizationRecord } from '../../store/audit-store.js';
import { formatDurationMs, parseDurationMs } from '../../util/duration.js';
import { startProgress } from '../progress.js';

interface Flags {
  readonly json?: boolean;
  readonly config?: string;
  readonly window?: string;
  readonly yes?: boolean;
  readonly limit?: string;
}

export function register(program: Command): void {
  const optimize = program.command('optimize').description('plan, apply, verify and roll back cache changes');
  const common = (c: Command) => c.option('--json', 'print JSON').option('--config <file>', 'configuration file (default: perfpilot.yaml if present)');
  common(optimize.command('plan').description('propose changes from the evidence; changes nothing')
    .option('--window <duration>', 'how long to watch the targets (default: the configuration\'s window)'))
    .action((flags: Flags) => run(flags, (o, core) => plan(o, core, flags)));
  common(optimize.command('apply [plan]').description('apply a plan (its id, a file from `plan --json`, or a fresh plan); a dry run without --yes')
    .option('--yes', 'really change the targets')
    .option('--window <duration>', 'the window of a fresh plan'))
    .action((file: string | undefined, flags: Flags) => run(flags, (o, core) => apply(o, core, file, flags)));
  common(optimize.command('rollback <id>').description('restore the values from before optimization ID'))
    .action((id: string, flags: Flags) => run(flags, (o) => rollback(o, id, flags)));
  common(optimize.command('history').description('list the changes, newest first').option('--limit <n>', 'how many', '50'))
    .action((flags: Flags) => run(flags, (o) => history(o, flags)));
}

async function run(flags: Flags, work: (optimizer: Optimizer, core: Core) => Promise<void>): Promise<void> {
  const { config } = await loadConfig({ file: flags.config });
  const core = openCore(config, createLogger({ level: process.env.PERFPILOT_LOG_LEVEL ?? 'warn' }));
  try {
    const progress = flags.json ? () => {} : (line: string) => void process.stderr.write(`${line}\n`);
    // Without `perfpilot start` filling the store, plan and verify sample the sources themselves, as `analyze` does.
    const watch: WatchWindow = (environment, durationMs) => collectOnce({ environment, sources: core.sources, notConfigured: core.notConfigured, durationMs, logger: core.logger });
    await work({ ...core.optimizer, progress, ...((await startIsCollecting(core)) ? {} : { watch }) }, core);
  } finally {
    await core.close();
  }
}

/** True when `perfpilot start` is saving snapshots of this environment into the store. */
async function startIsCollecting(core: Core): Promise<boolean> {
  const latest = await core.store.latestSnapshot(core.config.environment);
  return latest !== null && Date.now() - Date.parse(latest.window.end) < Math.max(3 * core.config.interval, 30_000);
}

function windowOf(flags: Flags, core: Core): number {
  if (flags.window === undefined) return core.config.window;
  const ms = parseDurationMs(flags.window);
  if (ms === null || ms <= 0) throw new PerfpilotError(`--window: got "${flags.window}"; expected a duration such as "30s" or "5m"`, { exitCode: 64 });
  return ms;
}

async function freshPlan(o: Optimizer, core: Core, flags: Flags): Promise<Plan> {
  if (o.targets.size === 0) throw new PerfpilotError('optimize.targets is empty: list the caches perfpilot may change in perfpilot.yaml', { exitCode: 78 });
  const windowMs = windowOf(flags, core);
  const stop = flags.json ? () => {} : startProgress('inspecting', windowMs);
  try {
    return await planOptimizations(o, { windowMs });
  } finally {
    stop();
  }
}

async function plan(o: Optimizer, core: Core, flags: Flags): Promise<void> {
  const p = await freshPlan(o, core, flags);
  process.stdout.write(flags.json ? `${JSON.stringify(p, null, 2)}\n` : formatPlan(p));
}

async function apply(o: Optimizer, core: Core, file: string | undefined, flags: Flags): Promise<void> {
  const p = file === undefined ? await freshPlan(o, core, flags) : await findPlan(o, file);
  const result = await applyPlan(o, p, { confirm: flags.yes === true, by: `cli:${userInfo().username}` });
  let verified: OptimizationRecord[] = [];
  if (!flags.json) process.stdout.write(formatApply(result));
  if (result.records.length && result.failure === null) {
    // A CloudFront change is followed to Deployed first, each state printed as progress.
    const settled = await settleApplied(o, result.records);
    const stop = flags.json ? () => {} : startProgress('verifying', o.config.verifyWindow);
    try {
      verified = await verifyApplied(o, settled);
    } finally {
      stop();
    }
    if (!flags.json) process.stdout.write(formatHistory(verified));
  }
  if (flags.json) process.stdout.write(`${JSON.stringify({ ...result, verified }, null, 2)}\n`);
  if (result.failure || verified.some((r) => r.status === 'rolled_back')) process.exitCode = 1;
}

/** A plan by the id `plan`, the API or the dashboard showed (kept in the store), or from a file. */
async function findPlan(o: Optimizer, idOrFile: string): Promise<Plan> {
  if (/^plan-[A-Za-z0-9]+$/.test(idOrFile) && !existsSync(idOrFile)) {
    const stored = await o.audit.getPlan(idOrFile);
    if (!stored) throw new PerfpilotError(`no plan ${idOrFile} in the store (only the newest plans are kept); make one with \`perfpilot optimize plan\``, { exitCode: 66 });
    return stored;
  }
  return readPlan(idOrFile);
}

async function readPlan(file: string): Promise<Plan> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new PerfpilotError(`${file}: cannot read the plan (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); give a plan id or the file \`perfpilot optimize plan --json\` wrote`, { exitCode: 66 });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new PerfpilotError(`${file}: not JSON; expected the output of \`perfpilot optimize plan --json\``, { exitCode: 65 });
  }
  const parsed = PlanSchema.safeParse(json);
  if (!parsed.success) throw new PerfpilotError(`${file}: not a plan: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, { exitCode: 65 });
  return parsed.data;
}

async function rollback(o: Optimizer, id: string, flags: Flags): Promise<void> {
  if (!/^\d+$/.test(id)) throw new PerfpilotError(`rollback: expected a numeric ID from \`perfpilot optimize history\`, got "${id}"`, { exitCode: 64 });
  const row = (await settleApplied(o, [await rollbackChange(o, Number(id), { by: `cli:${userInfo().username}`, reason: 'rolled back by hand' })]))[0]!;
  process.stdout.write(flags.json ? `${JSON.stringify(row, null, 2)}\n` : `rolled back ${id} on ${row.target}: ${describeChanges(row.changes)} (rollback ${row.id})\n`);
}

async function history(o: Optimizer, flags: Flags): Promise<void> {
  const rows = await o.audit.listOptimizations(Number(flags.limit ?? 50), o.environment);
  process.stdout.write(flags.json ? `${JSON.stringify(rows, null, 2)}\n` : formatHistory(rows));
}

function formatPlan(p: Plan): string {
  const lines = [`plan ${p.id} for ${p.environment} (watched ${formatDurationMs(p.windowMs)})`, ''];
  if (p.proposals.length === 0) lines.push('no changes proposed');
  for (const [i, x] of p.proposals.entries()) {
    lines.push(`${i + 1}. ${x.target}${x.resource ? ` ${x.resource}` : ''}  ${x.parameter}: ${x.current} → ${x.proposed}`);
    lines.push(`   evidence: ${Object.entries(x.evidence).filter(([, v]) => v !== null).map(([k, v]) => `${k}=${v}`).join(', ')}`);
    lines.push(`   effect:   ${x.expectedEffect}`, `   risk:     ${x.risk}`);
  }
  for (const n of p.notes) lines.push(`note: ${n.target}: ${n.message}`);
  if (p.proposals.length) lines.push('', `apply with: perfpilot optimize apply --yes ${p.id}`);
  return `${lines.join('\n')}\n`;
}

function formatApply(r: ApplyResult): string {
  const lines: string[] = [];
  for (const c of r.changes) lines.push(`${r.dryRun ? 'would change' : 'changing'} ${c.target}: ${describeChanges(c.changes)}`);
  for (const x of r.refused) lines.push(`refused ${x.target}: ${x.reason}`);
  if (r.failure) lines.push(`FAILED on ${r.failure.target}: ${r.failure.message}; everything already changed was restored`);
  if (r.dryRun) lines.push(r.changes.length ? 'dry run: nothing changed; add --yes to apply' : 'dry run: nothing to apply');
  return `${lines.join('\n')}\n`;
}

function formatHistory(rows: readonly OptimizationRecord[]): string {
  if (rows.length === 0) return 'no optimizations yet\n';
  const table = rows.map((r) => [String(r.id), new Date(r.atMs).toISOString(), r.kind === 'rollback' ? `rollback of ${r.rollbackOf}` : 'apply', r.status, r.target, describeChanges(r.changes), r.by, r.reason ?? '']);
  const head = ['ID', 'AT', 'KIND', 'STATUS', 'TARGET', 'CHANGES', 'BY', 'REASON'];
  return `${renderTable([head, ...table])}\n`;
}
