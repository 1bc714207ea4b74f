import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SketchEnvelope } from './sketch-envelope.js';

/** The export server started by `serve`. */
export interface ExportServer {
  /** e.g. http://127.0.0.1:9465, the value for `sources.app.targets`. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export interface ExportHandlers {
  metrics(): string;
  sketch(since: number | null): SketchEnvelope;
}

/**
 * Where the sketch is served.
 * @example new URL(SKETCH_PATH, 'http://10.0.0.5:9465') // http://10.0.0.5:9465/perfpilot/v1/sketch
 */
export const SKETCH_PATH = '/perfpilot/v1/sketch';

/**
 * Serves `GET /metrics` (Prometheus text) and `GET /perfpilot/v1/sketch[?since=SEQ]` on its
 * own port, apart from the application's server, so that scrapes are never counted as traffic.
 * @example const exporter = await serveExport({ metrics, sketch }, { port: 0 }); exporter.url;
 */
export function serveExport(handlers: ExportHandlers, options: { readonly host?: string; readonly port?: number }): Promise<ExportServer> {
  const server = createServer((req, res) => answer(handlers, req, res));
  const host = options.host ?? '127.0.0.1';
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 9465, host, () => {
      server.off('error', reject);
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
        port,
        close: () => new Promise<void>((done) => {
          server.close(() => done());
          server.closeAllConnections();
        }),
      });
    });
  });
}

function answer(handlers: ExportHandlers, req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://export');
  if (req.method !== 'GET') return send(res, 405, 'text/plain; charset=utf-8', 'only GET\n');
  if (url.pathname === '/metrics') return send(res, 200, 'text/plain; version=0.0.4; charset=utf-8', handlers.metrics());
  if (url.pathname === SKETCH_PATH) {
    const raw = url.searchParams.get('since');
    const since = raw === null || !/^\d+$/.test(raw) ? null : Number(raw);
    return send(res, 200, 'application/json', JSON.stringify(handlers.sketch(since)));
  }
  send(res, 404, 'text/plain; charset=utf-8', 'not found: try /metrics or /perfpilot/v1/sketch\n');
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}
