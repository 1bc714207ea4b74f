import { Redis } from 'ioredis';
import { freePort } from './ports.js';
import { startProgram } from './program.js';

export interface PrivateRedis {
  readonly port: number;
  readonly url: string;
  /** A client for the test's own traffic. */
  readonly client: Redis;
  stop(): Promise<void>;
}

/** Starts a private, diskless redis-server on a free port, with extra `--name value` args. */
export async function startRedis(args: Record<string, string> = {}): Promise<PrivateRedis> {
  const port = await freePort();
  const argv = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  for (const [k, v] of Object.entries(args)) argv.push(`--${k}`, v);
  const child = await startProgram('redis-server', argv, port, { timeoutMs: 10_000 });
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect: false, maxRetriesPerRequest: 1 });
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    client,
    async stop() {
      client.disconnect();
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    },
  };
}
