import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { migrate } from './migrate.js';
import { MIGRATIONS } from './migrations/index.js';

/**
 * SQLite's page cache per connection, in KiB. better-sqlite3 builds SQLite with 16 MB, and the
 * cache keeps every page it touches up to that size, so `start` grew with its file: 1.5 MiB
 * of malloc per 10 minutes at a 1 s interval, for about 2 hours (bench/RESULTS.md, start).
 * What a cycle touches again is a few dozen 4 KiB pages: the right edge of each table and
 * index it appends to, and the small alert tables. Anything else (history the API reads,
 * retention at the old end) comes from the OS's file cache.
 */
export const PAGE_CACHE_KIB = 256;

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
  db.pragma(`cache_size = ${-PAGE_CACHE_KIB}`);
  db.pragma(`busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
  migrate(db, MIGRATIONS);
  return db;
}
