import { connect } from 'node:net';

/** Resolves true when something accepts a TCP connection on host:port within `timeoutMs`. */
export function tcpAnswers(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** The local services perfpilot turns on by itself when they answer (DESIGN.md §4). */
export const LOCAL_SERVICES = {
  redis: { host: '127.0.0.1', port: 6379, config: { url: 'redis://127.0.0.1:6379' } },
  postgres: { host: '127.0.0.1', port: 5432, config: { url: 'postgres://postgres@127.0.0.1:5432/postgres' } },
} as const;
