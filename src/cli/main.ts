import { Command, CommanderError } from 'commander';
import { PerfpilotError } from '../errors.js';
import { redactSecrets } from '../util/redact.js';

type CommandModule = { register(program: Command): void };

/**
 * The command table. Each command lives in `commands/<name>.ts` and exports
 * `register(program)`. Only the command being run is imported (so `start` does not carry the
 * demo's or optimizer's modules); help and unknown names load them all.
 */
const COMMANDS: Readonly<Record<string, () => Promise<CommandModule>>> = {
  collect: () => import('./commands/collect.js'),
  demo: () => import('./commands/demo.js'),
  start: () => import('./commands/start.js'),
  analyze: () => import('./commands/analyze.js'),
  alerts: () => import('./commands/alerts.js'),
  silence: () => import('./commands/silence.js'),
  optimize: () => import('./commands/optimize.js'),
  sources: () => import('./commands/sources.js'),
};

export async function main(argv: readonly string[]): Promise<void> {
  const program = new Command('perfpilot')
    .description('Performance monitoring and safe cache optimization for web stacks')
    .showHelpAfterError()
    .exitOverride();
  const named = argv[2];
  const loaders = named !== undefined && Object.hasOwn(COMMANDS, named) ? [COMMANDS[named]!] : Object.values(COMMANDS);
  for (const load of loaders) (await load()).register(program);
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
