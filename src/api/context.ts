/** What every group of routes shares: the database, the clock, the one queue, scopes and errors. */
import type { FastifyRequest } from 'fastify';
import type { Db } from '../core/db/index.js';
import type { Clock } from '../core/clock.js';
import type { OpStore } from '../ops/index.js';
import type { Scope } from './keys.js';

declare module 'fastify' {
  interface FastifyRequest {
    key?: { key_id: string; name: string; scope: Scope };
  }
}

/** Who may call what (docs/api.md). */
export const READ: readonly Scope[] = ['admin', 'operator', 'analyst'];
export const OPERATE: readonly Scope[] = ['admin', 'operator'];
export const INGEST: readonly Scope[] = ['admin', 'operator', 'integrator', 'pos'];
/** Tills and shops: loyalty, coupons and lookups of members by identifier. */
export const POS: readonly Scope[] = ['admin', 'operator', 'pos'];
export const ADMIN: readonly Scope[] = ['admin'];

/** An expected failure with its HTTP status and a stable code; the error handler renders it. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export type Serial = <T>(fn: () => Promise<T>) => Promise<T>;

/**
 * One queue for the one connection: DuckDB allows one writer, and an import is a sequence of
 * statements on the connection (temporary tables, one transaction) that must not interleave.
 */
export function queue(): Serial {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const run = tail.then(fn, fn);
    tail = run.catch(() => undefined);
    return run;
  };
}

/** The analytical store of a server that has one (the default role), with its one queue. */
export interface Analytical {
  db: Db;
  serial: Serial;
}

/** What operational routes need: the operational store, and the analytical store when this server has it. */
export interface OpCtx {
  ops: OpStore;
  clock: Clock;
  /** Null on a server started with --role api. */
  analytical: Analytical | null;
  need: (scopes: readonly Scope[]) => (req: FastifyRequest) => Promise<void>;
  rejectsDir: string;
  bodyLimit: number;
  uploadLimit: number;
}

/** What analytical routes need (registered only on a server with the analytical store). */
export interface Ctx {
  db: Db;
  ops: OpStore;
  clock: Clock;
  serial: Serial;
  /** A preHandler that lets only these scopes through (403 otherwise). */
  need: (scopes: readonly Scope[]) => (req: FastifyRequest) => Promise<void>;
  /** Where reject reports of API imports go. */
  rejectsDir: string;
  bodyLimit: number;
  uploadLimit: number;
}

export function need(scopes: readonly Scope[]): (req: FastifyRequest) => Promise<void> {
  return async (req) => {
    if (req.key === undefined || !scopes.includes(req.key.scope)) {
      throw new HttpError(403, 'forbidden', `This needs a key with scope ${scopes.join(' or ')}; yours is ${req.key?.scope ?? 'none'}.`);
    }
  };
}

/** Analysts see phones and emails masked. */
export const masked = (req: FastifyRequest): boolean => req.key?.scope === 'analyst';

export const errorSchema = {
  type: 'object',
  properties: { error: { type: 'string' }, message: { type: 'string' }, detail: { type: 'string', description: 'the English original when the message is translated (Accept-Language)' } },
  required: ['error', 'message'],
} as const;
export const anyObject = { type: 'object', additionalProperties: true } as const;

/** A 400 that names each bad JSON path (segment rules, campaigns, channels). */
/** Schemas several route files share: a date, an `as_of` query, an `{id}` path parameter. */
export const dateSchema = { type: 'string', format: 'date' } as const;
export const asOfQuery = { type: 'object', properties: { as_of: dateSchema } } as const;
export const idParams = { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] } as const;

export const fieldErrorsSchema = {
  type: 'object',
  properties: {
    error: { type: 'string' },
    message: { type: 'string' },
    detail: { type: 'string' },
    errors: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, reason: { type: 'string' } } } },
  },
} as const;
/** The error answers every authenticated route can give. */
export const authErrors = { 401: errorSchema, 403: errorSchema } as const;
