/**
 * The loyalty hand-off to the analytical store: after the loyalty jobs, each member's figures
 * per programme (current tier, points balance, points expiring within 30 days, lifetime earned)
 * are copied into DuckDB's `member_loyalty`, where segment rules read them. Figures are computed
 * on the operational store, then written to DuckDB: two steps, never a statement across stores.
 * Each programme's rows are replaced in one DuckDB transaction, so readers see the old or the new.
 */
import { sqlTimestamp, type Clock } from '../core/clock.js';
import { namedStatements, sqlFile, type Db } from '../core/db/index.js';
import { big, isoTime, recordHandoff, text, type OpStore } from '../ops/index.js';
import { listProgrammes } from './programme.js';
import { addDays } from './time.js';

const SQL = namedStatements(sqlFile(import.meta.url, 'publish.sql'));
export const PUBLISH_NAME = 'loyalty -> analytical';
/** Accounts read from the operational store per query, and rows per DuckDB insert. */
const BATCH = 20_000;
/** The window of `expiring_30d`. */
export const EXPIRING_DAYS = 30;

interface Figures {
  member_id: string;
  tier: string | null;
  balance: string;
  expiring: string;
  earned: string;
}

async function figures(ops: OpStore, programmeId: string, now: Date, lo: bigint, hi: bigint): Promise<Figures[]> {
  const at = isoTime(now);
  const rows = await ops.all(SQL('figures'), [at, at, at, isoTime(addDays(now, EXPIRING_DAYS)), programmeId, lo, hi]);
  return rows.map((r) => ({
    member_id: text(r, 'member_id') ?? '',
    tier: text(r, 'tier'),
    balance: (big(r, 'available') - big(r, 'debt')).toString(),
    expiring: big(r, 'expiring').toString(),
    earned: big(r, 'earned').toString(),
  }));
}

/** Publishes every programme's member figures as of the clock's now; returns rows per programme. */
export async function publishLoyalty(ops: OpStore, db: Db, clock: Clock): Promise<Record<string, number>> {
  const now = clock.now();
  const out: Record<string, number> = {};
  for (const p of await listProgrammes(ops)) {
    // Read everything first: the DuckDB transaction then holds no wait on the operational store.
    const range = await ops.one('SELECT MIN(account_id) AS lo, MAX(account_id) AS hi FROM loyalty_accounts WHERE programme_id = ?', [p]);
    const parts: Figures[][] = [];
    if (range !== undefined && range['lo'] !== null && range['lo'] !== undefined) {
      for (let lo = big(range, 'lo'); lo <= big(range, 'hi'); lo += BigInt(BATCH)) parts.push(await figures(ops, p, now, lo, lo + BigInt(BATCH) - 1n));
    }
    await db.transaction(async () => {
      await db.run(SQL('clear'), [p]);
      for (const part of parts) if (part.length > 0) await db.run(SQL('insert'), [p, sqlTimestamp(now), JSON.stringify(part)]);
    });
    out[p] = parts.reduce((n, part) => n + part.length, 0);
  }
  await recordHandoff(ops, PUBLISH_NAME, now, 'ok', { members: out });
  return out;
}
