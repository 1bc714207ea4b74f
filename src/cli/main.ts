import { Command, CommanderError } from 'commander';
import { PerfpilotError } from '../errors.js';
import { redactSecrets } from '../util/redact.js';

/**
 * The command table. Each command lives in `commands/<name>.ts`, exports
 * `register(program)`, and is imported only when the CLI starts.
 */
const COMMANDS: readonly (() => Promise<{ register(program: Command): void }>)[] = [
  () => import('./commands/collect.js'),
  () => import('./commands/demo.js'),
  () => import('./commands/start.js'),
  () => import('./commands/analyze.js'),
  () => import('./commands/alerts.js'),
  () => import('./commands/silence.js'),
  () => import('./commands/optimize.js'),
  () => import('./commands/sources.js'),
];

export async function main(argv: readonly string[]): Promise<void> {
  const program = new Command('perfpilot')
    .description('Performance monitoring and safe cache optimization for web stacks')
    .showHelpAfterError()
    .exitOverride();
  for (const load of COMMANDS) (await load()).register(program);
  try {
    await program.parseAsync(argv as string[]);
  } catch (err) {
    process.exitCode = exitCodeFor(err);
  }
}

/** The one place an error becomes output and an exit code. */
function exitCodeFor(err: unknown): number {
  if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 64;
  if (err instanceof PerfpilotError) {
    console.error(`perfpilot: ${redactSecrets(err.message)}`);
    return err.exitCode;
  }
  console.error(`perfpilot: internal error: ${redactSecrets(err instanceof Error ? (err.stack ?? err.message) : String(err))}`);
  return 70;
}
