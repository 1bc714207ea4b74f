import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { PerfpilotError } from '../../errors.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
/** uPlot's own files, wherever npm put the package. */
const UPLOT_DIST = join(dirname(createRequire(import.meta.url).resolve('uplot/package.json')), 'dist');
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};
/** Folders served, by URL prefix. uPlot comes straight from its package: no build step. */
const MOUNTS: Readonly<Record<string, string>> = {
  '/vendor/uplot/': UPLOT_DIST,
  '/': join(ROOT, 'web'),
};

/** Serves the static dashboard at `/`. Paths cannot leave their folder. */
export function registerDashboard(app: FastifyInstance): void {
  app.get('/*', async (request, reply) => {
    const path = decodeURIComponent(request.url.split('?')[0]!);
    if (path.startsWith('/api/')) throw new PerfpilotError(`no such API route: ${request.method} ${path}`, { httpStatus: 404 });
    const prefix = Object.keys(MOUNTS).find((p) => path.startsWith(p))!;
    const folder = MOUNTS[prefix]!;
    const rel = path.slice(prefix.length) || 'index.html';
    const file = normalize(join(folder, rel));
    if (!file.startsWith(folder + '/') || !TYPES[extname(file)]) return reply.code(404).type('text/plain').send('not found');
    try {
      const body = await readFile(file);
      return reply
        .type(TYPES[extname(file)]!)
        .header('cache-control', 'no-cache')
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:")
        .send(body);
    } catch {
      return reply.code(404).type('text/plain').send('not found');
    }
  });
}
