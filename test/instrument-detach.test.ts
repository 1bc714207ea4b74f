import { channel } from 'node:diagnostics_channel';
import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { instrument, type Instrumentation } from '../src/instrument/index.js';
import { closeServer, listen } from './support/listen.js';
import { runLoad } from './instrument-support.js';

// Its own file (its own process): nothing else here subscribes to Node's HTTP channels.
const requestStart = channel('http.server.request.start');
const responseFinish = channel('http.server.response.finish');
const subscribed = () => [requestStart.hasSubscribers, responseFinish.hasSubscribers];

const servers: Server[] = [];
const instrumentations: Instrumentation[] = [];
afterEach(async () => {
  await Promise.all(instrumentations.splice(0).map((p) => p.close()));
  await Promise.all(servers.splice(0).filter((s) => s.listening).map(closeServer));
});

async function served(perf: Instrumentation): Promise<string> {
  const server = createServer((_req, res) => res.end('ok'));
  servers.push(server);
  perf.attach(server);
  return listen(server);
}

describe('instrument: detaching', () => {
  it('leaves Node\'s HTTP channels once its last server is detached, so requests then cost what they cost without it', async () => {
    expect(subscribed()).toEqual([false, false]);
    const first = instrument({ service: 'a', environment: 'test' });
    const second = instrument({ service: 'b', environment: 'test' });
    instrumentations.push(first, second);
    const firstUrl = await served(first);
    const secondUrl = await served(second);
    expect(subscribed()).toEqual([true, true]);
    first.sketch();
    const { seq } = second.sketch();

    await first.close();
    expect(subscribed()).toEqual([true, true]);
    await runLoad(firstUrl, Array(5).fill('/'));
    await runLoad(secondUrl, Array(7).fill('/'));
    expect(first.sketch().http.requests).toBe(0);
    expect(second.sketch(seq).http.requests).toBe(7);

    await second.close();
    expect(subscribed()).toEqual([false, false]);
    await runLoad(secondUrl, Array(3).fill('/'));
    expect(second.sketch().http.requests).toBe(0);

    // Attached again, it subscribes again and counts again.
    const again = await served(second);
    expect(subscribed()).toEqual([true, true]);
    await runLoad(again, Array(4).fill('/'));
    expect(second.sketch().http.requests).toBe(4);
  });

  it('subscribes once however often the same server is attached, and leaves with its one detach', async () => {
    const perf = instrument({ service: 'a', environment: 'test' });
    instrumentations.push(perf);
    const server = createServer((_req, res) => res.end('ok'));
    servers.push(server);
    perf.attach(server);
    perf.attach(server);
    expect(subscribed()).toEqual([true, true]);
    await perf.close();
    expect(subscribed()).toEqual([false, false]);
  });
});
