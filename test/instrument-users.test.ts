import { Agent, createServer, request, type IncomingMessage, type Server } from 'node:http';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { HyperLogLog } from '../src/instrument/hyperloglog.js';
import { instrument, type Instrumentation } from '../src/instrument/index.js';
import { closeServer, listen } from './support/listen.js';

/** GETs `url` from the local address `from` (any of 127.0.0.0/8 on Linux), with `headers`. */
function getFrom(url: string, from: string, headers: Record<string, string> = {}, agent: Agent | false = false): Promise<number> {
  return new Promise((resolve, reject) => {
    request(url, { localAddress: from, headers, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    }).on('error', reject).end();
  });
}

/** The HLL a window's users should equal: exactly these identities were added. */
function hllOf(identities: readonly string[]): HyperLogLog {
  const hll = new HyperLogLog();
  for (const id of identities) hll.add(id);
  return hll;
}

const usersOf = (base64: string) => HyperLogLog.fromBytes(Buffer.from(base64, 'base64'));

type AuthedRequest = IncomingMessage & { user?: { id: string } };

let perf: Instrumentation;
let server: Server;
afterEach(async () => {
  await perf?.close();
  if (server?.listening) await closeServer(server);
});

describe('instrument: who a user is', () => {
  it('takes an authenticated id set by middleware, else a cookie, else the client address', async () => {
    perf = instrument({
      service: 'test',
      environment: 'test',
      // Called when the response finishes, so what authentication middleware set on req is there.
      userId: (req) => (req as AuthedRequest).user?.id ?? /(?:^|;\s*)sid=([^;]+)/.exec(req.headers.cookie ?? '')?.[1],
    });
    const app = express();
    app.use((req, _res, next) => {
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (token !== undefined) (req as AuthedRequest).user = { id: `account-${token}` };
      next();
    });
    app.get('/', (_req, res) => void res.send('ok'));
    server = createServer(app);
    perf.attach(server);
    const base = await listen(server);
    const first = perf.sketch();
    await Promise.all([
      // Anonymous: one user per address, however many requests.
      getFrom(base, '127.0.0.1'), getFrom(base, '127.0.0.1'),
      getFrom(base, '127.0.0.2'), getFrom(base, '127.0.0.2'), getFrom(base, '127.0.0.2'),
      getFrom(base, '127.0.0.3'),
      // Two sessions behind one address are two users.
      getFrom(base, '127.0.0.4', { cookie: 'theme=dark; sid=alpha' }), getFrom(base, '127.0.0.4', { cookie: 'sid=beta' }),
      // One account from two addresses is one user; the account wins over a cookie.
      getFrom(base, '127.0.0.5', { authorization: 'Bearer 7' }), getFrom(base, '127.0.0.6', { authorization: 'Bearer 7', cookie: 'sid=gamma' }),
      getFrom(base, '127.0.0.5', { authorization: 'Bearer 8' }),
    ]);
    const { http } = perf.sketch(first.seq);
    expect(http.requests).toBe(11);
    const expected = ['127.0.0.1', '127.0.0.2', '127.0.0.3', 'alpha', 'beta', 'account-7', 'account-8'];
    expect(usersOf(http.users).registers).toEqual(hllOf(expected).registers);
    expect(usersOf(http.users).estimate()).toBe(7);
  });

  it('counts each user of a shared keep-alive connection (a proxy\'s) once per window, in every window', async () => {
    perf = instrument({ service: 'test', environment: 'test', userId: (req) => req.headers['x-user'] as string | undefined });
    server = createServer((_req, res) => res.end('ok'));
    perf.attach(server);
    const base = await listen(server);
    const proxy = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = perf.sketch();
      for (const user of ['ann', 'bob', 'ann', 'cy', 'bob']) await getFrom(base, '127.0.0.9', { 'x-user': user }, proxy);
      const one = perf.sketch(first.seq);
      for (const user of ['bob', 'bob']) await getFrom(base, '127.0.0.9', { 'x-user': user }, proxy);
      await getFrom(base, '127.0.0.9', {}, proxy);
      const two = perf.sketch(one.seq);
      expect([one.http.requests, two.http.requests]).toEqual([5, 3]);
      expect(usersOf(one.http.users).registers).toEqual(hllOf(['ann', 'bob', 'cy']).registers);
      expect(usersOf(two.http.users).registers).toEqual(hllOf(['bob', '127.0.0.9']).registers);
    } finally {
      proxy.destroy();
    }
  });

  it('without a userId function, one user per client address, again in each window', async () => {
    perf = instrument({ service: 'test', environment: 'test' });
    server = createServer((_req, res) => res.end('ok'));
    perf.attach(server);
    const base = await listen(server);
    const keepAlive = new Agent({ keepAlive: true, maxSockets: 2 });
    try {
      const first = perf.sketch();
      for (const from of ['127.0.0.11', '127.0.0.12', '127.0.0.11', '127.0.0.13']) await getFrom(base, from);
      for (let i = 0; i < 4; i++) await getFrom(base, '127.0.0.14', {}, keepAlive);
      const one = perf.sketch(first.seq);
      await getFrom(base, '127.0.0.14', {}, keepAlive);
      const two = perf.sketch(one.seq);
      expect(usersOf(one.http.users).registers).toEqual(hllOf(['127.0.0.11', '127.0.0.12', '127.0.0.13', '127.0.0.14']).registers);
      expect(usersOf(two.http.users).registers).toEqual(hllOf(['127.0.0.14']).registers);
    } finally {
      keepAlive.destroy();
    }
  });
});
