import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import express from 'express';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_BUCKETS_SECONDS, Histogram, HttpSeries } from '../src/instrument/histogram.js';
import { instrument } from '../src/instrument/index.js';
import { renderPrometheus } from '../src/instrument/prometheus-text.js';
import { missingProgram } from './support/require.js';
import { createScratchDatabase, type ScratchDatabase } from './support/postgres.js';
import { closeServer, listen } from './support/listen.js';
import { runLoad } from './instrument-support.js';

function promtoolCheck(text: string): { status: number | null; output: string } {
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}`.trim() };
}

describe('instrument: /metrics', () => {
  it('puts a value on a bucket bound into that bucket (le is inclusive) and renders cumulative buckets', () => {
    const series = new HttpSeries(DEFAULT_BUCKETS_SECONDS);
    for (const ms of [1, 5, 5.5, 10, 30, 20_000]) series.observe(series.idOf('/a', 'GET'), 2, ms);
    const text = renderPrometheus({ http: series, inFlight: 0, abortedTotal: 0, db: new Histogram(DEFAULT_BUCKETS_SECONDS) });
    const bucket = (le: string) => new RegExp(`http_server_request_duration_seconds_bucket\\{route="/a",method="GET",status_class="2xx",le="${le}"\\} (\\d+)`).exec(text)?.[1];
    expect(['0.005', '0.01', '0.025', '0.05', '10', '\\+Inf'].map(bucket)).toEqual(['2', '4', '4', '5', '5', '6']);
    expect(text).toContain('http_server_request_duration_seconds_sum{route="/a",method="GET",status_class="2xx"} 20.0515');
    expect(text).toContain('http_server_errors_total{route="/a",method="GET"} 0');
  });

  it('escapes label values', () => {
    const series = new HttpSeries([0.1]);
    series.observe(series.idOf('/say/"hi"\\\n', 'GET'), 5, 1);
    const text = renderPrometheus({ http: series, inFlight: 0, abortedTotal: 0, db: new Histogram([0.1]) });
    expect(text).toContain('http_server_errors_total{route="/say/\\"hi\\"\\\\\\n",method="GET"} 1');
  });
});

describe.skipIf(missingProgram('promtool') !== null)('instrument: /metrics under promtool', () => {
  let db: ScratchDatabase | undefined;
  afterAll(async () => {
    await db?.drop();
  });

  it('passes `promtool check metrics` with routes, status classes, aborts, in-flight and queries', async () => {
    db = await createScratchDatabase('perfpilot_promtool');
    const perf = instrument({ service: 'test', environment: 'test' });
    const pool = perf.pg(new pg.Pool({ connectionString: db.url }));
    const app = express();
    app.get('/users/:id', (_req, res) => void res.send('ok'));
    app.get('/boom', (_req, res) => void res.status(502).send('bad gateway'));
    app.post('/users', (_req, res) => void res.status(201).send('created'));
    const server = createServer(app);
    perf.attach(server);
    const base = await listen(server);
    const exporter = await perf.serve({ host: '127.0.0.1', port: 0 });
    try {
      await runLoad(base, ['/users/1', '/users/2', '/boom', '/missing'], 2);
      await fetch(`${base}/users`, { method: 'POST' }).then((r) => r.text());
      await pool.query('SELECT 1');
      const res = await fetch(`${exporter.url}/metrics`);
      expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
      const text = await res.text();
      expect(text).toContain('http_server_requests_total{route="/users/:id",method="GET",status_class="2xx"} 2');
      expect(text).toContain('http_server_requests_total{route="/users",method="POST",status_class="2xx"} 1');
      expect(text).toContain('http_server_errors_total{route="/boom",method="GET"} 1');
      expect(text).toContain('db_client_query_duration_seconds_count 1');
      expect(promtoolCheck(text)).toEqual({ status: 0, output: '' });
      expect((await fetch(`${exporter.url}/nope`)).status).toBe(404);
    } finally {
      await exporter.close();
      await perf.close();
      await pool.end();
      await closeServer(server);
    }
  });
});
