/** Programme reports: points issued, spent, expired and reversed per month, outstanding liability, tier distribution. */
import { big, isoTime, text, type OpQueries } from '../ops/index.js';

export interface PointsReport {
  months: { month: string; issued: bigint; spent: bigint; expired: bigint; reversed: bigint; adjusted: bigint }[];
  /** Points members hold now: open, unexpired lots (pending included) minus debt. */
  liability: bigint;
  pending: bigint;
  debt: bigint;
  accounts: number;
  tiers: { tier: string; accounts: number }[];
  /** The five accounts holding the most points. */
  top: { account_id: bigint; member_id: string | null; tier: string | null; points: bigint }[];
}

/** The points report of a programme at `now`. */
export async function pointsReport(q: OpQueries, programmeId: string, now: Date): Promise<PointsReport> {
  const rows = await q.all(
    `SELECT substr(at, 1, 7) AS month,
       SUM(CASE WHEN kind = 'earn' THEN points ELSE 0 END) AS issued,
       SUM(CASE WHEN kind = 'spend' THEN -points WHEN kind = 'restore' THEN -points ELSE 0 END) AS spent,
       SUM(CASE WHEN kind = 'expire' THEN -points ELSE 0 END) AS expired,
       SUM(CASE WHEN kind = 'reverse' THEN -points ELSE 0 END) AS reversed,
       SUM(CASE WHEN kind = 'adjust' THEN points ELSE 0 END) AS adjusted
     FROM loyalty_entries WHERE programme_id = ? GROUP BY substr(at, 1, 7) ORDER BY month`,
    [programmeId],
  );
  const at = isoTime(now);
  const held = await q.one(
    `SELECT COALESCE(SUM(remaining), 0) AS held, COALESCE(SUM(CASE WHEN pending_until > ? THEN remaining ELSE 0 END), 0) AS pending
     FROM loyalty_lots WHERE programme_id = ? AND state = 'open' AND expires_at > ?`,
    [at, programmeId, at],
  );
  const acc = await q.one('SELECT count(*) AS n, COALESCE(SUM(debt), 0) AS debt FROM loyalty_accounts WHERE programme_id = ? AND merged_into IS NULL', [programmeId]);
  const tiers = await q.all(
    "SELECT COALESCE(tier, '') AS tier, count(*) AS n FROM loyalty_accounts WHERE programme_id = ? AND merged_into IS NULL GROUP BY COALESCE(tier, '') ORDER BY count(*) DESC",
    [programmeId],
  );
  const top = await q.all(
    `SELECT l.account_id, a.member_id, a.tier, SUM(l.remaining) AS points FROM loyalty_lots l JOIN loyalty_accounts a ON a.account_id = l.account_id
     WHERE l.programme_id = ? AND l.state = 'open' AND l.expires_at > ? GROUP BY l.account_id, a.member_id, a.tier ORDER BY SUM(l.remaining) DESC, l.account_id LIMIT 5`,
    [programmeId, at],
  );
  return {
    top: top.map((r) => ({ account_id: big(r, 'account_id'), member_id: text(r, 'member_id'), tier: text(r, 'tier'), points: big(r, 'points') })),
    months: rows.map((r) => ({
      month: text(r, 'month') ?? '',
      issued: big(r, 'issued'),
      spent: big(r, 'spent'),
      expired: big(r, 'expired'),
      reversed: big(r, 'reversed'),
      adjusted: big(r, 'adjusted'),
    })),
    liability: big(held, 'held') - big(acc, 'debt'),
    pending: big(held, 'pending'),
    debt: big(acc, 'debt'),
    accounts: Number(big(acc, 'n')),
    tiers: tiers.map((r) => ({ tier: text(r, 'tier') || '(none)', accounts: Number(big(r, 'n')) })),
  };
}
