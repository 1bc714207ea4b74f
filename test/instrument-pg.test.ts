import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeSketch } from '../src/instrument/duration-sketch.js';
import { instrument } from '../src/instrument/index.js';
import { createScratchDatabase, type ScratchDatabase } from './support/postgres.js';
import { exactQuantile, relativeError } from './instrument-support.js';

let db: ScratchDatabase;
beforeAll(async () => {
  db = await createScratchDatabase('perfpilot_instrument');
});
afterAll(async () => {
  await db?.drop();
});

describe('instrument: perf.pg', () => {
  it('times every query of a Pool with pg_sleep: percentiles within 1 % of the measured durations', async () => {
    const perf = instrument({ service: 'test', environment: 'test' });
    const pool = perf.pg(new pg.Pool({ connectionString: db.url, max: 10 }));
    try {
      // Warm up first: compiling perfpilot's code on the first queries would delay the test's timestamps.
      await Promise.all(Array.from({ length: 20 }, () => pool.query('SELECT 1')));
      const { seq } = perf.sketch();
      // 60 × 20 ms, 30 × 50 ms, 10 × 200 ms, timed by the test around each pool client's query.
      const plan = [...Array(60).fill(0.02), ...Array(30).fill(0.05), ...Array(10).fill(0.2)] as number[];
      const measured: number[] = [];
      await Promise.all(plan.map(async (seconds) => {
        const client = await pool.connect();
        try {
          const startMs = performance.now();
          await client.query('SELECT pg_sleep($1)', [seconds]);
          measured.push(performance.now() - startMs);
        } finally {
          client.release();
        }
      }));
      const sleeps = perf.sketch(seq);
      const sketch = decodeSketch(sleeps.db.durationMs);
      expect({ queries: sleeps.db.queries, errors: sleeps.db.errors, count: sketch.count }).toEqual({ queries: 100, errors: 0, count: 100 });
      for (const q of [0.5, 0.9, 0.99]) {
        expect(relativeError(sketch.getValueAtQuantile(q), exactQuantile(measured, q)), `p${q * 100}`).toBeLessThanOrEqual(0.01);
      }
      expect(exactQuantile(measured, 0.99)).toBeGreaterThanOrEqual(200);

      // The callback form, a failing query and pool.query itself are timed too.
      await new Promise<void>((resolve) => void pool.query('SELECT pg_sleep(0.01)', () => resolve()));
      await pool.query('SELECT * FROM no_such_table').catch(() => null);
      await pool.query('SELECT 1');
      const more = perf.sketch(sleeps.seq);
      expect({ queries: more.db.queries, errors: more.db.errors }).toEqual({ queries: 3, errors: 1 });
      expect(decodeSketch(more.db.durationMs).max).toBeGreaterThanOrEqual(10);
      expect(perf.metrics()).toContain('db_client_query_duration_seconds_count 123');
    } finally {
      await pool.end();
      await perf.close();
    }
  });

  it('gives the query-time percentiles of pg_sleep queries through a Client', async () => {
    const perf = instrument({ service: 'test', environment: 'test' });
    const client = perf.pg(new pg.Client({ connectionString: db.url }));
    await client.connect();
    try {
      // Warm up: compiling perfpilot's code on the first queries would delay the test's timestamps.
      for (let i = 0; i < 20; i++) await client.query('SELECT 1');
      const { seq } = perf.sketch();
      const measured: number[] = [];
      for (const seconds of [...Array(12).fill(0.02), ...Array(6).fill(0.05), ...Array(2).fill(0.2)] as number[]) {
        const startMs = performance.now();
        await client.query('SELECT pg_sleep($1)', [seconds]);
        measured.push(performance.now() - startMs);
      }
      const sketch = decodeSketch(perf.sketch(seq).db.durationMs);
      expect(sketch.count).toBe(20);
      for (const q of [0.5, 0.9, 0.99]) {
        expect(relativeError(sketch.getValueAtQuantile(q), exactQuantile(measured, q)), `p${q * 100}`).toBeLessThanOrEqual(0.01);
      }
      expect(exactQuantile(measured, 0.5)).toBeGreaterThanOrEqual(20);
      expect(exactQuantile(measured, 0.99)).toBeGreaterThanOrEqual(200);
    } finally {
      await client.end();
      await perf.close();
    }
  });
});
