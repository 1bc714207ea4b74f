import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { addSilence, expireSilence } from '../../alert/silences.js';
import { formatMatcher } from '../../alert/silence.js';
import { storePathOf } from '../../config/store-path.js';
import { loadConfig } from '../../config/load.js';
import { PerfpilotError } from '../../errors.js';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Store } from '../../store/store.js';
import { parseDurationMs } from '../../util/duration.js';
import { renderTable } from '../table.js';

interface CommonFlags {
  readonly config?: string;
}

export function register(program: Command): void {
  const silence = program.command('silence').description('mute alerts that match labels, for a while');
  silence
    .command('add')
    .description('add a silence; prints its id')
    .requiredOption('--matcher <k=v>', 'label matcher: k=v, k!=v, k=~regex, k!~regex (repeat for more)', (v: string, all: string[]) => [...all, v], [])
    .option('--for <duration>', 'how long (default: alerts.silences.defaultDuration, 2h)')
    .option('--comment <text>', 'why', '')
    .option('--author <name>', 'who (default: the OS user)')
    .option('--json', 'print the silence as JSON')
    .option('--config <file>', 'configuration file')
    .action((flags: CommonFlags & { matcher: string[]; for?: string; comment: string; author?: string; json?: boolean }) => withStore(flags, async (store, config) => {
      const durationMs = flags.for === undefined ? config.alerts.silences.defaultDuration : parseDurationMs(flags.for);
      if (durationMs === null || durationMs <= 0) throw new PerfpilotError(`--for: got "${flags.for}"; expected a duration such as "30m" or "2h"`, { exitCode: 64 });
      const s = await addSilence(store, { matchers: flags.matcher, durationMs, createdBy: flags.author ?? userInfo().username, comment: flags.comment }, Date.now());
      process.stdout.write(flags.json ? `${JSON.stringify(s, null, 2)}\n` : `${s.id}\n`);
    }));
  silence
    .command('list')
    .description('list active silences')
    .option('--all', 'include expired ones')
    .option('--json', 'print as JSON')
    .option('--config <file>', 'configuration file')
    .action((flags: CommonFlags & { all?: boolean; json?: boolean }) => withStore(flags, async (store) => {
      const nowMs = Date.now();
      const list = await store.silences(flags.all ? {} : { activeAtMs: nowMs });
      if (flags.json) return void process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
      if (list.length === 0) return void process.stdout.write('no silences\n');
      process.stdout.write(`${renderTable([
        ['ID', 'MATCHERS', 'ENDS', 'BY', 'COMMENT'],
        ...list.map((s) => [s.id, s.matchers.map(formatMatcher).join(','), `${new Date(s.endsMs).toISOString().replace(/\.\d{3}Z$/, 'Z')}${s.endsMs <= nowMs ? ' (expired)' : ''}`, s.createdBy, s.comment]),
      ])}\n`);
    }));
  silence
    .command('expire <id>')
    .description('end a silence now')
    .option('--config <file>', 'configuration file')
    .action((id: string, flags: CommonFlags) => withStore(flags, async (store) => {
      await expireSilence(store, id, Date.now());
      process.stdout.write(`expired ${id}\n`);
    }));
}

async function withStore(flags: CommonFlags, work: (store: Store, config: Awaited<ReturnType<typeof loadConfig>>['config']) => Promise<void>): Promise<void> {
  const { config } = await loadConfig({ file: flags.config, probe: false });
  const store = openSqliteStore(storePathOf(config));
  try {
    await work(store, config);
  } finally {
    await store.close();
  }
}
