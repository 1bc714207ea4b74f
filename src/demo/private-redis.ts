import { spawn } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { PerfpilotError } from '../errors.js';

export interface PrivateRedis {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no free port'))));
    });
  });
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Starts the demo's own redis-server on a free port (diskless), never touching the shared
 * one. `settings` are redis.conf directives, e.g. `{ maxmemory: '64mb' }`.
 */
export async function startPrivateRedis(settings: Readonly<Record<string, string>>): Promise<PrivateRedis> {
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  for (const [k, v] of Object.entries(settings)) args.push(`--${k}`, v);
  const child = spawn('redis-server', args, { stdio: 'ignore' });
  const failed = new Promise<never>((_, reject) => child.once('error', (err) => reject(new PerfpilotError(`the demo needs redis-server on the PATH: ${err.message}`, { exitCode: 69 }))));
  const started = (async () => {
    for (let i = 0; i < 200 && !(await answers(port)); i++) await new Promise((r) => setTimeout(r, 25));
  })();
  await Promise.race([started, failed]);
  if (!(await answers(port))) throw new PerfpilotError(`redis-server did not start on port ${port}`, { exitCode: 69 });
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
