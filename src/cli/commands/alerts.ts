import type { Command } from 'commander';
import { alertsView, type AlertsView } from '../../alert/alert-view.js';
import { storePathOf } from '../../config/store-path.js';
import { loadConfig } from '../../config/load.js';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import { renderTable } from '../table.js';

interface AlertsFlags {
  readonly json?: boolean;
  readonly all?: boolean;
  readonly env?: string;
  readonly config?: string;
}

export function register(program: Command): void {
  program
    .command('alerts')
    .description('list pending and firing alerts with their delivery status per channel')
    .option('--all', 'also list resolved and inactive alerts')
    .option('--env <name>', 'only this environment')
    .option('--json', 'print as JSON')
    .option('--config <file>', 'configuration file (default: perfpilot.yaml if present)')
    .action((flags: AlertsFlags) => alerts(flags));
}

async function alerts(flags: AlertsFlags): Promise<void> {
  const { config } = await loadConfig({ file: flags.config, probe: false });
  const store = openSqliteStore(storePathOf(config));
  try {
    const view = await alertsView(store, {
      ...(flags.env ? { environment: flags.env } : {}),
      all: flags.all ?? false,
      channels: config.alerts.channels.map((c) => c.name),
    });
    process.stdout.write(flags.json ? `${JSON.stringify(view, null, 2)}\n` : formatAlerts(view));
  } finally {
    await store.close();
  }
}

function formatAlerts(view: AlertsView): string {
  const out: string[] = [];
  if (view.alerts.length === 0) out.push('no alerts');
  else {
    out.push(renderTable([
      ['STATE', 'SEVERITY', 'ALERT', 'ENV', 'SINCE', 'VALUE', 'DELIVERY'],
      ...view.alerts.map((a) => [
        a.phase,
        a.severity,
        a.labels.source ? `${a.rule} (${a.labels.source})` : a.rule,
        a.environment,
        (a.startsAt ?? a.activeSince ?? '-').replace(/\.\d{3}Z$/, 'Z'),
        a.value === null ? '-' : String(Math.round(a.value * 1000) / 1000),
        a.deliveries.map((d) => `${d.channel}: ${d.status}${d.reason ? ` (${d.reason})` : ''}`).join(', ') || '-',
      ]),
    ]));
  }
  if (view.channels.length > 0) {
    out.push('', renderTable([
      ['CHANNEL', 'PENDING', 'FAILED', 'LAST PROBLEM'],
      ...view.channels.map((c) => [c.channel, String(c.pending), String(c.failed), c.lastReason ? `${c.lastReason}: ${c.lastError ?? ''}` : '-']),
    ]));
  }
  return `${out.join('\n')}\n`;
}
