import { connect, createServer as createNetServer } from 'node:net';
import { createServer, ServerResponse, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { instrument, type Instrumentation } from '../src/instrument/index.js';
import { responseClassOf as responseClass } from '../src/instrument/node-http-hooks.js';
import { closeServer, listen } from './support/listen.js';
import { runLoad } from './instrument-support.js';

const nodeDetachSocket = ServerResponse.prototype.detachSocket;

const servers: Server[] = [];
const instrumentations: Instrumentation[] = [];
afterEach(async () => {
  await Promise.all(instrumentations.splice(0).map((p) => p.close()));
  await Promise.all(servers.splice(0).filter((s) => s.listening).map(closeServer));
});

function newServer(): Server {
  const server = createServer((_req, res) => res.end('ok'));
  servers.push(server);
  return server;
}

async function served(perf: Instrumentation): Promise<string> {
  const server = newServer();
  perf.attach(server);
  return listen(server);
}

describe('instrument: attaching and detaching', () => {
  it('gives each server back its own response class when detached, so its requests then cost what they cost without perfpilot', async () => {
    const first = instrument({ service: 'a', environment: 'test' });
    const second = instrument({ service: 'b', environment: 'test' });
    instrumentations.push(first, second);
    const firstUrl = await served(first);
    const secondUrl = await served(second);
    first.sketch();
    const { seq } = second.sketch();

    await first.close();
    expect(responseClass(servers[0]!)).toBe(ServerResponse);
    await runLoad(firstUrl, Array(5).fill('/'));
    await runLoad(secondUrl, Array(7).fill('/'));
    expect(first.sketch().http.requests).toBe(0);
    expect(second.sketch(seq).http.requests).toBe(7);

    await second.close();
    expect(responseClass(servers[1]!)).toBe(ServerResponse);
    await runLoad(secondUrl, Array(3).fill('/'));
    expect(second.sketch().http.requests).toBe(0);

    // Attached again, it hooks again and counts again.
    const again = await served(second);
    await runLoad(again, Array(4).fill('/'));
    expect(second.sketch().http.requests).toBe(4);
  });

  it('hooks once however often the same server is attached, and leaves with its one detach', async () => {
    const perf = instrument({ service: 'a', environment: 'test' });
    instrumentations.push(perf);
    const server = newServer();
    perf.attach(server);
    const timed = responseClass(server);
    perf.attach(server);
    expect(responseClass(server)).toBe(timed);
    expect(timed).not.toBe(ServerResponse);
    await perf.close();
    expect(responseClass(server)).toBe(ServerResponse);
  });

  it('counts a request in flight when its server is detached, and leaves Node\'s prototype alone throughout', async () => {
    const perf = instrument({ service: 'a', environment: 'test' });
    instrumentations.push(perf);
    let release = () => {};
    const server = createServer((_req, res) => { release = () => res.end('late'); });
    servers.push(server);
    perf.attach(server);
    const url = await listen(server);
    const answer = fetch(url).then((r) => r.text());
    await expect.poll(() => perf.sketch().inFlight).toBe(1);
    await perf.close();
    release();
    expect(await answer).toBe('late');
    const window = perf.sketch();
    expect(window.inFlight).toBe(0);
    expect(window.http.requests).toBe(1);
    expect(ServerResponse.prototype.detachSocket).toBe(nodeDetachSocket);
  });

  it('keeps a response class of the service\'s own, and times its responses', async () => {
    class Tagged extends ServerResponse {
      constructor(req: ConstructorParameters<typeof ServerResponse>[0]) {
        super(req);
        this.setHeader('x-tagged', 'yes');
      }
    }
    const server = createServer({ ServerResponse: Tagged }, (_req, res) => res.end('ok'));
    servers.push(server);
    const perf = instrument({ service: 'a', environment: 'test' });
    instrumentations.push(perf);
    perf.attach(server);
    const url = await listen(server);
    const res = await fetch(url);
    expect(res.headers.get('x-tagged')).toBe('yes');
    expect(await res.text()).toBe('ok');
    expect(perf.sketch().http.requests).toBe(1);
    await perf.close();
    expect(responseClass(server)).toBe(Tagged);
  });

  it('refuses a server another instrumentation has attached, naming the way out', async () => {
    const first = instrument({ service: 'a', environment: 'test' });
    const second = instrument({ service: 'b', environment: 'test' });
    instrumentations.push(first, second);
    const server = newServer();
    first.attach(server);
    expect(() => second.attach(server)).toThrow(/already attached to another perfpilot instrumentation: close\(\) that one first/);
    await first.close();
    second.attach(server);
    const url = await listen(server);
    await runLoad(url, Array(3).fill('/'));
    expect(second.sketch().http.requests).toBe(3);
    expect(first.sketch().http.requests).toBe(0);
  });

  describe('a keep-alive connection that moves to the next instrumentation with a request in flight', () => {
    type Step = { readonly under: 'first' | 'second'; readonly path: '/hold' | '/quick' };
    /**
     * One client connection, requests pipelined on it in `steps`: before each, the server is
     * attached to the instrumentation the step names (the one attached before is closed first).
     * Answers to /hold wait for `release()`, so every request after the first starts while those
     * before it are in flight, under whichever instrumentation they started.
     */
    async function pipelined(steps: readonly Step[]) {
      const perfs = { first: instrument({ service: 'a', environment: 'test' }), second: instrument({ service: 'b', environment: 'test' }) };
      instrumentations.push(perfs.first, perfs.second);
      const held: (() => void)[] = [];
      const server = createServer((req, res) => {
        if (req.url === '/hold') held.push(() => res.end('held'));
        else res.end('quick');
      });
      servers.push(server);
      const url = new URL(await listen(server));
      const cursors = { first: perfs.first.sketch().seq, second: perfs.second.sketch().seq };
      const socket = connect(Number(url.port), url.hostname);
      let received = '';
      socket.on('data', (chunk: Buffer) => { received += chunk.toString('latin1'); });
      const started = { first: 0, second: 0 };
      let attached: Step['under'] | null = null;
      for (const { under, path } of steps) {
        if (attached !== under) {
          if (attached !== null) await perfs[attached].close();
          perfs[under].attach(server);
          attached = under;
        }
        socket.write(`GET ${path} HTTP/1.1\r\nHost: test\r\n\r\n`);
        started[under]++;
        await expect.poll(() => perfs[under].sketch().inFlight).toBe(started[under]);
      }
      const since = (under: Step['under']) => {
        const { inFlight, http } = perfs[under].sketch(cursors[under]);
        return { requests: http.requests, aborted: http.aborted, inFlight };
      };
      return {
        socket,
        release: () => held.forEach((answer) => answer()),
        /** The bodies answered so far, in order. */
        bodies: () => received.match(/held|quick/g) ?? [],
        first: () => since('first'),
        second: () => since('second'),
      };
    }

    it('counts the request in flight in the one it started under, and the next in the new one', async () => {
      const run = await pipelined([{ under: 'first', path: '/hold' }, { under: 'second', path: '/quick' }]);
      run.release();
      await expect.poll(run.bodies).toEqual(['held', 'quick']);
      expect(run.first()).toEqual({ requests: 1, aborted: 0, inFlight: 0 });
      expect(run.second()).toEqual({ requests: 1, aborted: 0, inFlight: 0 });
      run.socket.destroy();
    });

    it('counts each one\'s request aborted when the client hangs up on both', async () => {
      const run = await pipelined([{ under: 'first', path: '/hold' }, { under: 'second', path: '/quick' }]);
      run.socket.destroy();
      await expect.poll(() => run.second().aborted).toBe(1);
      expect(run.first()).toEqual({ requests: 0, aborted: 1, inFlight: 0 });
      expect(run.second()).toEqual({ requests: 0, aborted: 1, inFlight: 0 });
    });

    it('keeps count when the connection comes back to the first while its old request is still in flight', async () => {
      const run = await pipelined([{ under: 'first', path: '/hold' }, { under: 'second', path: '/hold' }, { under: 'first', path: '/quick' }]);
      run.release();
      await expect.poll(run.bodies).toEqual(['held', 'held', 'quick']);
      expect(run.first()).toEqual({ requests: 2, aborted: 0, inFlight: 0 });
      expect(run.second()).toEqual({ requests: 1, aborted: 0, inFlight: 0 });
      run.socket.destroy();
    });
  });

  it('refuses what is not a node:http or node:https server', () => {
    const perf = instrument({ service: 'a', environment: 'test' });
    instrumentations.push(perf);
    expect(() => perf.attach(createNetServer() as unknown as Server)).toThrow(/node:http and node:https servers only/);
  });
});
