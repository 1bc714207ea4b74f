import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { freePort } from './ports.js';

export interface Received {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: unknown;
}

export type Responder = (req: Received) => { status: number; body?: string; contentType?: string; delayMs?: number };

/** A local HTTP receiver that records every request; it can go down and come back on its port. */
export interface HttpReceiver {
  readonly port: number;
  readonly url: string;
  readonly received: Received[];
  respond(responder: Responder): void;
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function startReceiver(responder: Responder = () => ({ status: 200, body: 'ok' })): Promise<HttpReceiver> {
  const port = await freePort();
  const received: Received[] = [];
  let current = responder;
  let server: Server | null = null;
  const up = () => new Promise<void>((resolve, reject) => {
    server = createServer((req, res) => {
      let data = '';
      req.on('data', (c) => (data += c));
      req.on('end', () => {
        let body: unknown = data;
        try { body = JSON.parse(data); } catch { /* not JSON */ }
        const r: Received = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body };
        received.push(r);
        const answer = current(r);
        setTimeout(() => {
          res.writeHead(answer.status, { 'content-type': answer.contentType ?? 'text/plain' });
          res.end(answer.body ?? '');
        }, answer.delayMs ?? 0);
      });
    });
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const down = () => new Promise<void>((resolve) => {
    if (!server) return resolve();
    server.closeAllConnections();
    server.close(() => resolve());
    server = null;
  });
  await up();
  return { port, url: `http://127.0.0.1:${port}`, received, respond: (r) => (current = r), down, up, close: down };
}
