/** The HTTP API and the console's server: buildApp() for in-process use (tests), serve() to listen. */
import type { Db } from '../core/db/index.js';
import type { Clock } from '../core/clock.js';
import { buildApp, type AppOptions } from './app.js';

export { buildApp, type AppOptions } from './app.js';
export { createKey, listKeys, revokeKey, verifyKey, SCOPES, isScope, maskEmail, maskPhone, type Scope } from './keys.js';

/**
 * Listens on PORT (default 3000) and HOST (default 127.0.0.1) until the process is stopped, and
 * runs the campaign scheduler every REGULARS_SCHEDULER_SECONDS (default 60; 0 switches it off).
 */
export async function serve(db: Db, clock: Clock, opts: Partial<AppOptions> & { port?: number; host?: string } = {}): Promise<{ url: string; close: () => Promise<void> }> {
  const envEvery = Number(process.env['REGULARS_SCHEDULER_SECONDS'] ?? 60);
  const app = await buildApp({ db, clock, schedulerSeconds: Number.isFinite(envEvery) ? envEvery : 60, ...opts });
  const port = opts.port ?? Number(process.env['PORT'] ?? 3000);
  const host = opts.host ?? process.env['HOST'] ?? '127.0.0.1';
  await app.listen({ port, host });
  const addr = app.server.address();
  const actual = typeof addr === 'object' && addr !== null ? addr.port : port;
  return { url: `http://${host === '0.0.0.0' ? 'localhost' : host}:${actual}`, close: () => app.close() };
}
