import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, createServer, get, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeSketch } from '../src/instrument/duration-sketch.js';
import { instrument } from '../src/instrument/index.js';
import { sleep } from '../src/util/sleep.js';
import { missingProgram } from './support/require.js';
import { closeServer } from './support/listen.js';
import { DELAY_PLAN, exactQuantile, measureServer, planPaths, relativeError } from './instrument-support.js';

/** GETs every path over TLS (trusting only `ca`), `concurrency` at a time on keep-alive connections. */
async function runTlsLoad(port: number, ca: Buffer, paths: readonly string[], concurrency: number): Promise<number[]> {
  const agent = new Agent({ ca, keepAlive: true, maxSockets: concurrency });
  const statuses: number[] = new Array(paths.length);
  let next = 0;
  try {
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (next < paths.length) {
        const i = next++;
        statuses[i] = await new Promise<number>((resolve, reject) => {
          get({ host: '127.0.0.1', port, path: paths[i], agent }, (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode!));
          }).on('error', reject);
        });
      }
    }));
  } finally {
    agent.destroy();
  }
  return statuses;
}

describe.skipIf(missingProgram('openssl') !== null)('instrument: node:https', () => {
  let dir: string;
  let tls: { key: Buffer; cert: Buffer };
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'perfpilot-tls-'));
    // A throwaway self-signed certificate for 127.0.0.1, so the test needs no fixture secrets.
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    tls = { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('times an Express app on an https server: route patterns, 5xx, percentiles within 1 % of 600×20 ms, 350×100 ms, 50×400 ms', async () => {
    const perf = instrument({ service: 'test', environment: 'test' });
    const app = express();
    app.get('/api/items/:ms/:i', async (req, res) => {
      await sleep(Number(req.params.ms));
      res.send('ok');
    });
    app.get('/api/fail', (_req, res) => void res.status(503).send('no'));
    const server: Server = createServer(tls, app);
    perf.attach(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      // Warm up (TLS handshakes, compiling perfpilot's code) before the test's own clock starts.
      await runTlsLoad(port, tls.cert, Array(20).fill('/api/items/1/0'), 4);
      // Over TLS a response's 'finish' (the encrypted write's callback) can come after the client
      // has read it all: windows are cut once the server has finished every response.
      const allFinished = () => expect.poll(() => perf.metrics()).toContain('http_server_requests_in_flight 0');
      await allFinished();
      const exact = measureServer(server);
      const { seq } = perf.sketch();
      const statuses = await runTlsLoad(port, tls.cert, [...planPaths(DELAY_PLAN, (ms, i) => `/api/items/${ms}/${i}`), '/api/fail', '/api/fail'], 50);
      expect(statuses.filter((s) => s === 200)).toHaveLength(1000);
      await allFinished();
      expect(exact).toHaveLength(1002);
      const envelope = perf.sketch(seq);
      expect({ requests: envelope.http.requests, errors: envelope.http.errors, aborted: envelope.http.aborted }).toEqual({ requests: 1002, errors: 2, aborted: 0 });
      const sketch = decodeSketch(envelope.http.durationMs);
      for (const q of [0.5, 0.9, 0.99]) {
        expect(relativeError(sketch.getValueAtQuantile(q), exactQuantile(exact, q)), `p${q * 100}`).toBeLessThanOrEqual(0.01);
      }
      // The load is what the plan says: the exact percentiles sit at the 20, 100 and 400 ms waits.
      expect(exactQuantile(exact, 0.5)).toBeGreaterThanOrEqual(20);
      expect(exactQuantile(exact, 0.9)).toBeGreaterThanOrEqual(100);
      expect(exactQuantile(exact, 0.99)).toBeGreaterThanOrEqual(400);
      const text = perf.metrics();
      expect(text).toContain('http_server_requests_total{route="/api/items/:ms/:i",method="GET",status_class="2xx"} 1020');
      expect(text).toContain('http_server_errors_total{route="/api/fail",method="GET"} 2');
    } finally {
      await perf.close();
      await closeServer(server);
    }
  });
});
