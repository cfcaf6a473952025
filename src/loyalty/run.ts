/** How every ledger write runs: one transaction, the programme loaded, the idempotency key claimed, refusals rolled back. */
import type { Clock } from '../core/clock.js';
import { isoTime, type OpQueries, type OpStore } from '../ops/index.js';
import { accountById, findAccount, openAccount, type Account, type Who } from './accounts.js';
import { fail, type LoyaltyError, type LoyaltyResult } from './errors.js';
import { idempotent } from './idempotency.js';
import { loadProgramme, type ProgrammeConfig } from './programme.js';
import { shopZone } from './time.js';

/** Thrown inside a transaction to roll back a refused write; caught by `write`. */
class Refusal extends Error {
  constructor(readonly error: LoyaltyError) {
    super(error.type);
  }
}

/** Refuses the write in progress (everything it did is rolled back). */
export function refuse(error: LoyaltyError): never {
  throw new Refusal(error);
}

export interface WriteContext {
  tx: OpQueries;
  store: OpStore;
  config: ProgrammeConfig;
  now: Date;
  /** The shop's time zone, for calendar arithmetic. */
  zone: string;
}

/** The body of one idempotent write inside a transaction; a refusal is thrown (as `Refusal`). */
async function writeBody<T>(
  tx: OpQueries,
  store: OpStore,
  now: Date,
  programmeId: string,
  req: { key: string; content: unknown },
  body: (c: WriteContext) => Promise<{ value: T; ref: string }>,
  replay: (tx: OpQueries, ref: string) => Promise<T>,
): Promise<LoyaltyResult<T>> {
  const config = await loadProgramme(tx, programmeId);
  if (config === undefined) refuse({ type: 'programme_not_found', message: `no programme ${programmeId}` });
  const zone = await shopZone(tx);
  const r = await idempotent<T, LoyaltyError>(
    tx,
    { scope: `loyalty:${programmeId}`, key: req.key, content: req.content },
    async () => ({ ok: true, ...(await body({ tx, store, config, now, zone })) }),
    (ref) => replay(tx, ref),
    isoTime(now),
  );
  if (!r.ok) refuse(r.error);
  return r;
}

/** Runs one idempotent write of a programme. */
export async function write<T>(
  store: OpStore,
  clock: Clock,
  programmeId: string,
  req: { key: string; content: unknown },
  body: (c: WriteContext) => Promise<{ value: T; ref: string }>,
  replay: (tx: OpQueries, ref: string) => Promise<T>,
): Promise<LoyaltyResult<T>> {
  const now = clock.now();
  return refusalAsResult(() => store.transaction((tx) => writeBody(tx, store, now, programmeId, req, body, replay)));
}

/**
 * Runs one idempotent write of a programme inside the caller's transaction (a use case that spans
 * domains, such as points exchanged for a coupon). When it is refused, what it wrote is still in
 * the transaction: the caller must roll the transaction back.
 */
export async function writeIn<T>(
  tx: OpQueries,
  store: OpStore,
  now: Date,
  programmeId: string,
  req: { key: string; content: unknown },
  body: (c: WriteContext) => Promise<{ value: T; ref: string }>,
  replay: (tx: OpQueries, ref: string) => Promise<T>,
): Promise<LoyaltyResult<T>> {
  return refusalAsResult(() => writeBody(tx, store, now, programmeId, req, body, replay));
}

/** A write's refusal (thrown to leave its transaction) as the failed result callers get. */
async function refusalAsResult<T>(run: () => Promise<LoyaltyResult<T>>): Promise<LoyaltyResult<T>> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof Refusal) return { ...fail(e.error), replayed: false };
    throw e;
  }
}

/** The account a write goes to (opened when new; a merged account's survivor), locked until commit. */
export async function targetAccount(c: WriteContext, who: Who, open: boolean): Promise<{ account: Account; key: { kind: string; scope: string; value: string } | null }> {
  let found: { account: Account; key: { kind: string; scope: string; value: string } | null };
  if (open) {
    const r = await openAccount(c.tx, c.config.programme_id, who, c.config.phone_country, c.now);
    if (!r.ok) refuse(r.error);
    found = { account: r.account, key: r.key };
  } else {
    const r = await findAccount(c.tx, c.config.programme_id, who, c.config.phone_country);
    if (!r.ok) refuse(r.error);
    found = { account: r.account, key: null };
  }
  let account: Account | undefined = found.account;
  for (let hops = 0; account !== undefined && account.merged_into !== null && hops < 100; hops++) account = await accountById(c.tx, c.config.programme_id, account.merged_into);
  if (account === undefined) throw new Error('merged account chain is broken');
  // PostgreSQL: the row is read again under FOR UPDATE, so concurrent writes to one account take
  // turns. SQLite has no row locks: the transaction holds the database's write lock from its
  // BEGIN IMMEDIATE, so the row read above is already the one this write changes.
  const locked = c.store.dialect.forUpdate === '' ? account : await accountById(c.tx, c.config.programme_id, account.account_id, c.store.dialect.forUpdate);
  if (locked === undefined) throw new Error(`account ${account.account_id} vanished`);
  return { account: locked, key: found.key };
}
