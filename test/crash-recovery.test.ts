import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, cliArgs } from './support/cli.js';
import { freePort } from './support/ports.js';
import { startProgram } from './support/program.js';
import { startRedis, type PrivateRedis } from './support/redis-server.js';
import { missingProgram } from './support/require.js';
import { sleep } from '../src/util/sleep.js';

interface Row { id: number; source: string; at_ms: number; ok: number; data: string | null }

describe.skipIf(missingProgram('redis-server') !== null)('crash recovery', () => {
  let dir: string;
  let dbPath: string;
  let config: string;
  let redis: PrivateRedis;
  let child: ChildProcess | null = null;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'perfpilot-crash-'));
    dbPath = join(dir, 'data', 'perfpilot.db');
    redis = await startRedis();
    config = join(dir, 'perfpilot.yaml');
    await writeFile(config, ['interval: 1s', `store: { path: ${dbPath} }`, `sources: { redis: { url: "${redis.url}" } }`].join('\n'));
  });
  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await redis.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function startPerfpilot(): Promise<ChildProcess> {
    const port = await freePort();
    return startProgram(process.execPath, cliArgs(['start', '--config', config, '--port', String(port)]), port, { cwd: ROOT, timeoutMs: 30_000 });
  }

  /** Every committed sample, as a reader sees it right now. */
  function committedRows(): Row[] {
    const db = new Database(dbPath, { readonly: true, fileMustExist: true });
    try {
      return db.prepare('SELECT id, source, at_ms, ok, data FROM samples ORDER BY id').all() as Row[];
    } finally {
      db.close();
    }
  }

  it('keeps every sample committed before a SIGKILL, across repeated kills mid-collection, and the file stays intact', async () => {
    let seen: Row[] = [];
    for (let round = 0; round < 3; round++) {
      child = await startPerfpilot();
      await sleep(2_000 + Math.floor(Math.random() * 1_000));
      // Keep the redis source busy so a cycle is likely in flight at the kill.
      void Promise.all(Array.from({ length: 200 }, (_, i) => redis.client.get(`k${i}`))).catch(() => undefined);
      seen = committedRows();
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGKILL');
      await exited;
      expect(seen.length).toBeGreaterThan(0);
      const after = committedRows();
      const byId = new Map(after.map((r) => [r.id, r]));
      for (const row of seen) expect(byId.get(row.id)).toEqual(row);
    }
    // A clean restart on the crashed file: it opens, keeps collecting, and exits 0.
    child = await startPerfpilot();
    await sleep(2_000);
    const exited = new Promise<number | null>((r) => child!.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const final = committedRows();
    const ids = new Set(final.map((r) => r.id));
    for (const row of seen) expect(ids.has(row.id)).toBe(true);
    expect(final.length).toBeGreaterThan(seen.length);
    const db = new Database(dbPath, { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(db.pragma('user_version', { simple: true })).toBeGreaterThanOrEqual(1);
    } finally {
      db.close();
    }
  });
});
