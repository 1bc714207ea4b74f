import { createServer as createNetServer } from 'node:net';
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

  it('refuses what is not a node:http or node:https server', () => {
    const perf = instrument({ service: 'a', environment: 'test' });
    instrumentations.push(perf);
    expect(() => perf.attach(createNetServer() as unknown as Server)).toThrow(/node:http and node:https servers only/);
  });
});
