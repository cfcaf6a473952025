/** The console's files: dist/web at /, index.html for every other non-API path, ECharts from its npm package. */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname, join, resolve, sep } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { HttpError } from './context.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
  '.map': 'application/json',
};

const NOT_BUILT =
  '<!doctype html><meta charset="utf-8"><title>Regulars</title>' + '<p>The console is not built: run <code>npm run build</code>. The API is served at <a href="/api/docs">/api/docs</a>.</p>';

function decoded(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

export function staticRoutes(app: FastifyInstance, webDir: string): void {
  const root = resolve(webDir);
  const echarts = createRequire(import.meta.url).resolve('echarts/dist/echarts.min.js');
  app.get('/vendor/echarts.min.js', { schema: { hide: true } }, async (_req, reply) =>
    reply.header('content-type', TYPES['.js']).header('cache-control', 'public, max-age=86400').send(readFileSync(echarts)),
  );
  app.get('/*', { schema: { hide: true } }, async (req, reply) => {
    const path = decoded(req.url.split('?')[0] ?? '/').replace(/^\/+/, '');
    if (path === 'api' || path.startsWith('api/')) throw new HttpError(404, 'not_found', `There is no route ${req.method} ${req.url.split('?')[0] ?? ''}.`);
    const target = resolve(root, path);
    // A file of the console (never outside it), else the single page for client-side routes.
    const file = target.startsWith(root + sep) && extname(target) !== '' && existsSync(target) ? target : join(root, 'index.html');
    if (!existsSync(file)) return reply.header('content-type', TYPES['.html']).send(NOT_BUILT);
    return reply.header('content-type', TYPES[extname(file)] ?? 'application/octet-stream').send(readFileSync(file));
  });
}
