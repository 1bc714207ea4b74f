import pg from 'pg';
import { redactSecrets } from '../util/redact.js';
import { PerfpilotError } from '../errors.js';

export interface DemoDatabase {
  readonly name: string;
  readonly url: string;
  drop(): Promise<void>;
}

/** How many products the shop sells, and how long each description is (bytes). */
export const PRODUCTS = 2000;
const DESCRIPTION_BYTES = 1200;

async function admin<T>(adminUrl: string, work: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  try {
    await client.connect();
  } catch (err) {
    throw new PerfpilotError(`the demo needs PostgreSQL at ${redactSecrets(adminUrl)}: ${(err as Error).message}`, { exitCode: 69 });
  }
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Creates the demo's own database (`perfpilot_demo_<pid>_<time>`) with the shop's tables and
 * products; `drop` removes it, closing any session still in it.
 */
export async function createDemoDatabase(adminUrl: string): Promise<DemoDatabase> {
  const name = `perfpilot_demo_${process.pid}_${Date.now().toString(36)}`;
  await admin(adminUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const database: DemoDatabase = {
    name,
    url: url.toString(),
    drop: () => admin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
  try {
    await admin(database.url, async (c) => {
      await c.query(`
        CREATE TABLE products (id integer PRIMARY KEY, name text NOT NULL, price_cents integer NOT NULL, description text NOT NULL);
        CREATE TABLE carts (user_id text NOT NULL, product_id integer NOT NULL, added_at timestamptz NOT NULL DEFAULT now());
      `);
      await c.query(
        `INSERT INTO products SELECT i, 'product ' || i, 100 + (i * 37) % 9900, repeat(md5(i::text), $1) FROM generate_series(1, $2) AS i`,
        [Math.ceil(DESCRIPTION_BYTES / 32), PRODUCTS],
      );
      await c.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements').catch(() => undefined);
    });
  } catch (err) {
    await database.drop().catch(() => undefined);
    throw err;
  }
  return database;
}
