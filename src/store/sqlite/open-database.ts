import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { migrate } from './migrate.js';
import { MIGRATIONS } from './migrations/index.js';

/**
 * Opens (creating its folder if missing) and migrates the database.
 *
 * WAL with synchronous=FULL: a transaction is on disk (WAL fsynced) when `commit` returns.
 * For a SIGKILL alone NORMAL would do, since the WAL write reaches the OS before commit
 * returns; FULL also keeps the last commits through a power cut or kernel crash, and costs
 * one fsync per commit, which at a few commits per interval is nothing.
 */
export function openDatabase(path: string, busyTimeoutMs = 5_000): Database.Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma(`busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
  migrate(db, MIGRATIONS);
  return db;
}
