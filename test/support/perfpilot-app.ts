import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { createApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/log.js';

export interface TestApp {
  readonly app: App;
  /** http://127.0.0.1:PORT */
  readonly url: string;
  readonly dir: string;
  /** The write token. */
  readonly token: string;
  stop(): Promise<void>;
}

/**
 * Starts a real perfpilot (`createApp`, as `start` does) on a free port with `config` written to
 * a temp perfpilot.yaml; its store and token live in that temp dir. No local probing.
 */
export async function startTestApp(config: Record<string, unknown>, env: NodeJS.ProcessEnv = {}): Promise<TestApp> {
  const dir = await mkdtemp(join(tmpdir(), 'perfpilot-app-'));
  await writeFile(join(dir, 'perfpilot.yaml'), dump({ store: { path: join(dir, 'perfpilot.db') }, ...config }));
  const loaded = await loadConfig({ cwd: dir, env, probe: false });
  const app = await createApp(loaded, createLogger({ level: 'silent' }), { port: 0 });
  const url = (await app.start()).replace('localhost', '127.0.0.1');
  return {
    app,
    url,
    dir,
    token: app.tokens.tokens.write,
    async stop() {
      await app.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
