/**
 * The one place the environment is read: every REGULARS_* variable and the server's PORT and
 * HOST, validated once at start-up. Secrets (the PostgreSQL password) are masked when printed.
 */

/** What a process is configured with. */
export interface Config {
  /** The DuckDB file (REGULARS_DB, default ./regulars.duckdb). */
  db: string;
  /** A PostgreSQL URL for the operational store (REGULARS_PG_URL), or null for the SQLite file beside the DuckDB file. */
  pgUrl: string | null;
  port: number;
  host: string;
  /** Seconds between scheduler runs in `serve` (0: off). */
  schedulerSeconds: number;
  /** Seconds between inbox loader runs in `serve` (0: off). */
  loaderSeconds: number;
  /** Largest request body in bytes. */
  bodyLimit: number;
  /** Seconds an analytical read may run before it is answered with 503. */
  readTimeoutSeconds: number;
  debug: boolean;
  /** The loyalty programme commands act on unless told (REGULARS_PROGRAMME, default main). */
  programme: string;
  /** The locale the CLI's labels follow (LC_ALL, else LC_MESSAGES, else LANG). */
  locale: string;
}

/** Raised when a variable holds something unusable; its message names the variable. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

function whole(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min) throw new ConfigError(`${name} must be a whole number of at least ${min}, got '${raw}'`);
  return Number(raw);
}

/** Reads and validates the configuration from the environment. */
export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const pg = env['REGULARS_PG_URL']?.trim() ?? '';
  if (pg !== '' && !/^postgres(ql)?:\/\//.test(pg)) throw new ConfigError(`REGULARS_PG_URL must start with postgres:// or postgresql://, got '${maskSecret(pg)}'`);
  return {
    db: env['REGULARS_DB']?.trim() || 'regulars.duckdb',
    pgUrl: pg === '' ? null : pg,
    port: whole(env, 'PORT', 3000, 0),
    host: env['HOST']?.trim() || '127.0.0.1',
    schedulerSeconds: whole(env, 'REGULARS_SCHEDULER_SECONDS', 60, 0),
    loaderSeconds: whole(env, 'REGULARS_LOADER_SECONDS', 2, 0),
    bodyLimit: whole(env, 'REGULARS_API_BODY_LIMIT', 10 * 1024 * 1024, 1),
    readTimeoutSeconds: whole(env, 'REGULARS_READ_TIMEOUT_SECONDS', 120, 1),
    debug: (env['REGULARS_DEBUG'] ?? '') !== '',
    programme: env['REGULARS_PROGRAMME']?.trim() || 'main',
    locale: env['LC_ALL'] || env['LC_MESSAGES'] || env['LANG'] || '',
  };
}

/** A URL with its password replaced by ***. */
export function maskSecret(url: string): string {
  return url.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@');
}

/** The configuration as printable lines, secrets masked. */
export function describeConfig(c: Config): Record<string, string | number | boolean> {
  return { ...c, pgUrl: c.pgUrl === null ? '(none: SQLite beside the DuckDB file)' : maskSecret(c.pgUrl) };
}

let cached: Config | undefined;
/** The process's configuration, read once. */
export function config(): Config {
  cached ??= readConfig();
  return cached;
}
