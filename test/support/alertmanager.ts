import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';
import { startProgram } from './program.js';

export interface RunningAlertmanager {
  readonly url: string;
  /** GET /api/v2/alerts as JSON. */
  alerts(): Promise<{ labels: Record<string, string>; status: { state: string }; endsAt: string }[]>;
  stop(): Promise<void>;
}

/**
 * Starts the Debian `prometheus-alertmanager` on a free port with a temp config and storage,
 * no clustering. `config` is the YAML of its configuration file.
 */
export async function startAlertmanager(config: string): Promise<RunningAlertmanager> {
  const dir = mkdtempSync(join(tmpdir(), 'perfpilot-am-'));
  writeFileSync(join(dir, 'alertmanager.yml'), config);
  const port = await freePort();
  const child = await startProgram('prometheus-alertmanager', [
    `--config.file=${join(dir, 'alertmanager.yml')}`,
    `--storage.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--cluster.listen-address=',
  ], port);
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    async alerts() {
      const res = await fetch(`${url}/api/v2/alerts`);
      return res.json() as never;
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
