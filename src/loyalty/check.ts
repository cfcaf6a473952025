/**
 * The consistency check: the balance is the sum of open lots, equal to the ledger at every moment.
 * Proves, for a programme: each entry = the sum of its moves; each lot's remaining = the sum of
 * its moves and never negative; each account's ledger sum = its lots' remaining minus its debt.
 */
import { big, int, type OpQueries } from '../ops/index.js';

export interface CheckReport {
  ok: boolean;
  accounts: number;
  entries: number;
  lots: number;
  /** Ledger total = lots' remaining - debt, over the programme. */
  ledger_total: bigint;
  problems: string[];
}

/** Runs the consistency check of one programme (read-only). */
export async function checkLedger(q: OpQueries, programmeId: string): Promise<CheckReport> {
  const problems: string[] = [];
  const entries = await q.all(
    `SELECT e.entry_id, e.points, COALESCE(SUM(m.points), 0) AS moved FROM loyalty_entries e LEFT JOIN loyalty_lot_moves m ON m.entry_id = e.entry_id
     WHERE e.programme_id = ? GROUP BY e.entry_id, e.points HAVING e.points <> COALESCE(SUM(m.points), 0) LIMIT 20`,
    [programmeId],
  );
  for (const r of entries) problems.push(`entry ${big(r, 'entry_id')}: points ${big(r, 'points')} but its lot moves sum to ${big(r, 'moved')}`);
  const lots = await q.all(
    `SELECT l.lot_id, l.remaining, COALESCE(SUM(m.points), 0) AS moved FROM loyalty_lots l LEFT JOIN loyalty_lot_moves m ON m.lot_id = l.lot_id
     WHERE l.programme_id = ? GROUP BY l.lot_id, l.remaining HAVING l.remaining <> COALESCE(SUM(m.points), 0) OR l.remaining < 0 LIMIT 20`,
    [programmeId],
  );
  for (const r of lots) problems.push(`lot ${big(r, 'lot_id')}: remaining ${big(r, 'remaining')}, moves sum to ${big(r, 'moved')}`);
  const accounts = await q.all(
    `SELECT a.account_id, a.debt, COALESCE(le.s, 0) AS ledger, COALESCE(ll.s, 0) AS lots FROM loyalty_accounts a
     LEFT JOIN (SELECT account_id, SUM(points) AS s FROM loyalty_entries WHERE programme_id = ? GROUP BY account_id) le ON le.account_id = a.account_id
     LEFT JOIN (SELECT account_id, SUM(remaining) AS s FROM loyalty_lots WHERE programme_id = ? GROUP BY account_id) ll ON ll.account_id = a.account_id
     WHERE a.programme_id = ? AND (COALESCE(le.s, 0) <> COALESCE(ll.s, 0) - a.debt OR a.debt < 0) LIMIT 20`,
    [programmeId, programmeId, programmeId],
  );
  for (const r of accounts) problems.push(`account ${big(r, 'account_id')}: ledger ${big(r, 'ledger')}, lots ${big(r, 'lots')}, debt ${big(r, 'debt')}`);
  const totals = await q.one(
    `SELECT (SELECT count(*) FROM loyalty_accounts WHERE programme_id = ?) AS a, (SELECT COALESCE(SUM(points), 0) FROM loyalty_entries WHERE programme_id = ?) AS ledger,
       (SELECT COALESCE(SUM(remaining), 0) FROM loyalty_lots WHERE programme_id = ?) AS lots, (SELECT COALESCE(SUM(debt), 0) FROM loyalty_accounts WHERE programme_id = ?) AS debt`,
    [programmeId, programmeId, programmeId, programmeId],
  );
  const total = big(totals, 'ledger');
  if (total !== big(totals, 'lots') - big(totals, 'debt')) problems.push(`programme: ledger ${total}, lots ${big(totals, 'lots')}, debt ${big(totals, 'debt')}`);
  const counts = await q.one('SELECT (SELECT count(*) FROM loyalty_entries WHERE programme_id = ?) AS e, (SELECT count(*) FROM loyalty_lots WHERE programme_id = ?) AS l', [programmeId, programmeId]);
  return { ok: problems.length === 0, accounts: int(totals, 'a'), entries: int(counts, 'e'), lots: int(counts, 'l'), ledger_total: total, problems };
}
