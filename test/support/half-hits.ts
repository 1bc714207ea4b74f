import type { Redis } from 'ioredis';
import { sleep } from '../../src/util/sleep.js';

/**
 * Reads that hit exactly half the time (a GET of a stored key, then of a missing one), 100 per
 * batch with `pauseMs` between batches, until stopped.
 */
export function halfHits(client: Redis, pauseMs: number): { stop(): Promise<void> } {
  let running = true;
  const loop = (async () => {
    await client.set('present', 'x');
    while (running) {
      const batch = client.pipeline();
      for (let i = 0; i < 50; i++) batch.get('present').get('absent');
      await batch.exec();
      await sleep(pauseMs);
    }
  })();
  return { async stop() { running = false; await loop; } };
}
