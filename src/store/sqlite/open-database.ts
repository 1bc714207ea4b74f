import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { migrate } from './migrate.js';
import { MIGRATIONS } from './migrations/index.js';

/**
 * Opens (creating its folder if missing) and migrates the database.
 *
 * WAL with synchronous=NORMAL. A commit appends to the WAL file with write(2) before
 * `commit` returns, so it is in the kernel's page cache: a SIGKILL of this process (or any
 * crash of it) loses nothing committed, and the WAL is replayed on the next open. What NORMAL
 * gives up, against FULL, is an fsync per commit: a power cut or kernel crash may lose the
 * last commits since the previous checkpoint, but never corrupts the file. For monitoring
 * samples that trade is right: FULL would block the event loop on an fsync several times per
 * interval, for data that is re-collected a few seconds later anyway.
 */
export function openDatabase(path: string, busyTimeoutMs = 5_000): Database.Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma(`busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
  migrate(db, MIGRATIONS);
  return db;
}
