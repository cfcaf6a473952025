/** The HTTP API and the console's server: buildApp() for in-process use (tests), serve() to listen. */
import type { Db } from '../core/db/index.js';
import type { Clock } from '../core/clock.js';
import { buildApp, type AppOptions } from './app.js';
import { config } from '../core/config.js';
import type { OpStore } from '../ops/index.js';

export { buildApp, type AppOptions } from './app.js';
export { createKey, listKeys, revokeKey, verifyKey, SCOPES, isScope, maskEmail, maskPhone, type Scope } from './keys.js';
export { unsafeNumber } from './json-body.js';

/**
 * Listens on PORT (default 3000) and HOST (default 127.0.0.1) until the process is stopped. With
 * the analytical store (the default role) it also runs the campaign scheduler every
 * REGULARS_SCHEDULER_SECONDS (default 60) and the inbox loader every REGULARS_LOADER_SECONDS
 * (default 2); 0 switches either off. Without it (role api) it serves the operational routes only.
 */
export async function serve(ops: OpStore, db: Db | undefined, clock: Clock, opts: Partial<AppOptions> & { port?: number; host?: string } = {}): Promise<{ url: string; close: () => Promise<void> }> {
  const c = config();
  const app = await buildApp({ ops, ...(db !== undefined ? { db } : {}), clock, workers: { schedulerSeconds: c.schedulerSeconds, loaderSeconds: c.loaderSeconds }, ...opts });
  const port = opts.port ?? c.port;
  const host = opts.host ?? c.host;
  await app.listen({ port, host });
  const addr = app.server.address();
  const actual = typeof addr === 'object' && addr !== null ? addr.port : port;
  return { url: `http://${host === '0.0.0.0' ? 'localhost' : host}:${actual}`, close: () => app.close() };
}
