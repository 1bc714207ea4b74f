import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import pg from 'pg';
import { instrument } from '../instrument/index.js';

export interface Shop {
  readonly url: string;
  /** The instrumentation's export, for `sources.app.targets`. */
  readonly metricsUrl: string;
  /** While on, product search runs its unindexed, slow plan (600 ms). */
  slowSearch: boolean;
  close(): Promise<void>;
}

const SLOW_SEARCH_S = 0.6;

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/**
 * The demo's sample service: a small shop API that reads PostgreSQL and caches products in
 * Redis (cache-aside, and, as many real caches do, without TTLs), instrumented with
 * `perfpilot/instrument` like any service would be.
 *
 * - GET /products/:id: from the cache, else from PostgreSQL and then cached
 * - GET /search?q=: a query on product names
 * - POST /cart/:id: keeps the user's cart in Redis; a rejected write is a 500
 */
export async function startShop(options: { databaseUrl: string; redisUrl: string; environment: string }): Promise<Shop> {
  const perf = instrument({ service: 'shop', environment: options.environment, userId: (req) => req.headers['x-user-id'] as string | undefined });
  const pool = perf.pg(new pg.Pool({ connectionString: options.databaseUrl, max: 8 }));
  const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 1 });
  // A request that needs Redis fails on its own (a 500); the client just reconnects.
  redis.on('error', () => undefined);
  const state = { slowSearch: false };
  // The story starts from a shop that has been up a while: its cache holds the catalogue, so
  // the baseline's hit rate is the steady state, not a cold start's misses.
  const catalogue = await pool.query('SELECT id, name, price_cents, description FROM products');
  await redis.mset(Object.fromEntries(catalogue.rows.map((row: { id: number }) => [`product:${row.id}`, JSON.stringify(row)])));

  async function product(res: ServerResponse, id: number): Promise<void> {
    const cached = await redis.get(`product:${id}`);
    if (cached) return send(res, 200, JSON.parse(cached));
    const { rows } = await pool.query('SELECT id, name, price_cents, description FROM products WHERE id = $1', [id]);
    if (!rows[0]) return send(res, 404, { error: 'no such product' });
    // A full cache may refuse the write (OOM under a volatile-* policy): serve anyway.
    await redis.set(`product:${id}`, JSON.stringify(rows[0])).catch(() => undefined);
    send(res, 200, rows[0]);
  }

  async function search(res: ServerResponse, q: string): Promise<void> {
    const pause = state.slowSearch ? SLOW_SEARCH_S : 0;
    const { rows } = await pool.query(
      'WITH plan AS (SELECT pg_sleep($2)) SELECT id, name FROM products, plan WHERE name LIKE $1 ORDER BY id LIMIT 20',
      [`%${q}%`, pause],
    );
    send(res, 200, rows);
  }

  async function addToCart(req: IncomingMessage, res: ServerResponse, id: number): Promise<void> {
    const user = String(req.headers['x-user-id'] ?? 'anonymous');
    await redis.rpush(`cart:${user}`, String(id));
    send(res, 201, { user, product: id });
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://shop');
    const m = /^\/(products|cart)\/(\d+)$/.exec(url.pathname);
    const work = m?.[1] === 'products' && req.method === 'GET' ? product(res, Number(m[2]))
      : m?.[1] === 'cart' && req.method === 'POST' ? addToCart(req, res, Number(m[2]))
      : url.pathname === '/search' && req.method === 'GET' ? search(res, url.searchParams.get('q') ?? '')
      : Promise.resolve(send(res, 404, { error: 'not found' }));
    work.catch((err: Error) => send(res, 500, { error: err.message }));
  });
  perf.attach(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const exporter = await perf.serve({ host: '127.0.0.1', port: 0 });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    metricsUrl: exporter.url,
    get slowSearch() { return state.slowSearch; },
    set slowSearch(on: boolean) { state.slowSearch = on; },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await perf.close();
      redis.disconnect();
      await pool.end();
    },
  };
}
