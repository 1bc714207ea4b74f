import { zipfSampler } from './zipf-sampler.js';

export interface LoadOptions {
  readonly baseUrl: string;
  readonly products: number;
  /** Requests per second across all workers. */
  readonly rps?: number;
  readonly users?: number;
}

export interface Load {
  /** Requests answered so far, by status. */
  readonly answered: ReadonlyMap<number, number>;
  stop(): Promise<void>;
}

/**
 * Shoppers: 80 % product views (Zipf-distributed), 10 % searches, 10 % cart additions, from a
 * pool of users, paced to `rps` by a few concurrent workers.
 */
export function startLoad(options: LoadOptions): Load {
  const rps = options.rps ?? 40;
  const workers = 6;
  const rankProduct = zipfSampler(options.products, 1.05);
  const pickProduct = () => 1 + rankProduct(); // product ids start at 1
  const users = options.users ?? 150;
  const answered = new Map<number, number>();
  let running = true;
  const request = async () => {
    const user = `user-${1 + Math.floor(Math.random() * users)}`;
    const dice = Math.random();
    const [method, path] = dice < 0.8 ? ['GET', `/products/${pickProduct()}`]
      : dice < 0.9 ? ['GET', `/search?q=${1 + Math.floor(Math.random() * 99)}`]
      : ['POST', `/cart/${pickProduct()}`];
    try {
      const res = await fetch(`${options.baseUrl}${path}`, { method, headers: { 'x-user-id': user }, signal: AbortSignal.timeout(10_000) });
      await res.arrayBuffer();
      answered.set(res.status, (answered.get(res.status) ?? 0) + 1);
    } catch {
      answered.set(0, (answered.get(0) ?? 0) + 1);
    }
  };
  const gapMs = (1000 * workers) / rps;
  const loops = Array.from({ length: workers }, async (_, i) => {
    await new Promise((r) => setTimeout(r, (i * gapMs) / workers));
    while (running) {
      const started = Date.now();
      await request();
      await new Promise((r) => setTimeout(r, Math.max(0, gapMs - (Date.now() - started))));
    }
  });
  return {
    answered,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}
