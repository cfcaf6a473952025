/**
 * What the console reads: a programme's summary (members per tier, points outstanding and
 * expiring soon, earned, spent and expired in a period) and one member's account (balance, tier
 * and the points to keep it, expiring lots, the latest ledger entries).
 */
import type { LoyaltySummary, MemberLoyalty } from '../contracts/index.js';
import { big, isoTime, text, type OpQueries } from '../ops/index.js';
import { findAccount } from './accounts.js';
import { balanceOf, historyOf, lotsOf } from './balance.js';
import { toJson, type Json } from './json.js';
import type { ProgrammeConfig } from './programme.js';
import { pointsReport } from './report.js';
import { tierStatus } from './tiers.js';

/** Points as the contracts carry them: a JSON number (text beyond 2^53). */
const points = (v: bigint): number | string => {
  const j: Json = toJson(v);
  return typeof j === 'number' || typeof j === 'string' ? j : String(v);
};
const DAY_MS = 86_400_000;
const addDays = (day: string, n: number): string => new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);

/** The summary of a programme at `now`; the period is [from, to] in UTC days (default: the 30 days to `now`). */
export async function programmeSummary(q: OpQueries, config: ProgrammeConfig, now: Date, period: { from?: string; to?: string } = {}, expiringDays = 30): Promise<LoyaltySummary> {
  const id = config.programme_id;
  const report = await pointsReport(q, id, now);
  const to = period.to ?? isoTime(now).slice(0, 10);
  const from = period.from ?? addDays(to, -29);
  const at = isoTime(now);
  const soon = isoTime(new Date(now.getTime() + expiringDays * DAY_MS));
  const expiring = await q.one("SELECT COALESCE(SUM(remaining), 0) AS n FROM loyalty_lots WHERE programme_id = ? AND state = 'open' AND remaining > 0 AND expires_at > ? AND expires_at <= ?", [
    id,
    at,
    soon,
  ]);
  const schedule = await q.all(
    "SELECT substr(expires_at, 1, 7) AS month, SUM(remaining) AS n FROM loyalty_lots WHERE programme_id = ? AND state = 'open' AND remaining > 0 AND expires_at > ? GROUP BY substr(expires_at, 1, 7) ORDER BY month",
    [id, at],
  );
  const moved = await q.one(
    `SELECT COALESCE(SUM(CASE WHEN kind = 'earn' THEN points ELSE 0 END), 0) AS earned,
       COALESCE(SUM(CASE WHEN kind IN ('spend', 'restore') THEN -points ELSE 0 END), 0) AS spent,
       COALESCE(SUM(CASE WHEN kind = 'expire' THEN -points ELSE 0 END), 0) AS expired,
       COALESCE(SUM(CASE WHEN kind = 'reverse' THEN -points ELSE 0 END), 0) AS reversed
     FROM loyalty_entries WHERE programme_id = ? AND at >= ? AND at < ?`,
    [id, `${from}T00:00:00.000Z`, `${addDays(to, 1)}T00:00:00.000Z`],
  );
  // Tiers in the programme's order (lowest first), then members without a tier.
  const levels = config.tiers?.levels ?? [];
  const counted = new Map(report.tiers.map((t) => [t.tier, t.accounts]));
  const tiers = [
    ...levels.map((l) => ({ tier: l.code, name: l.name, members: counted.get(l.code) ?? 0 })),
    ...report.tiers.filter((t) => !levels.some((l) => l.code === t.tier)).map((t) => ({ tier: t.tier === '(none)' ? null : t.tier, name: null, members: t.accounts })),
  ];
  return {
    programme_id: id,
    name: config.name,
    at,
    members: report.accounts,
    tiers,
    outstanding: points(report.liability),
    pending: points(report.pending),
    debt: points(report.debt),
    expiring_days: expiringDays,
    expiring: points(big(expiring, 'n')),
    expiry_schedule: schedule.map((r) => ({ month: text(r, 'month') ?? '', points: points(big(r, 'n')) })),
    period: { from, to },
    earned: points(big(moved, 'earned')),
    spent: points(big(moved, 'spent')),
    expired: points(big(moved, 'expired')),
    reversed: points(big(moved, 'reversed')),
    months: report.months.map((m) => ({ month: m.month, earned: points(m.issued), spent: points(m.spent), expired: points(m.expired), reversed: points(m.reversed) })),
  };
}

/** A member's account in a programme at `now` (account null: not enrolled), with the latest `limit` ledger entries. */
export async function memberLoyalty(q: OpQueries, config: ProgrammeConfig, memberId: string, now: Date, limit = 20): Promise<MemberLoyalty> {
  const found = await findAccount(q, config.programme_id, { member_id: memberId }, config.phone_country);
  if (!found.ok) return { programme_id: config.programme_id, member_id: memberId, account: null };
  const account = found.account;
  const [balance, tier, lots, entries] = await Promise.all([balanceOf(q, account, now), tierStatus(q, config, account, now), lotsOf(q, account.account_id), historyOf(q, account.account_id, limit)]);
  const at = isoTime(now);
  const live = lots.filter((l) => l.expires_at > at);
  const byDate = new Map<string, bigint>();
  for (const l of live) byDate.set(l.expires_at, (byDate.get(l.expires_at) ?? 0n) + l.remaining);
  return {
    programme_id: config.programme_id,
    member_id: memberId,
    account: {
      account_id: points(account.account_id),
      tier: account.tier,
      tier_name: tier?.name ?? null,
      balance: points(balance.balance),
      available: points(balance.available),
      pending: points(balance.pending),
      debt: points(balance.debt),
      qualifying: tier === null ? null : points(tier.qualifying),
      to_keep: tier === null ? null : points(tier.to_keep),
      tier_year_ends: tier?.year_ends ?? null,
      next_tier: tier?.next ?? null,
      next_tier_name: config.tiers?.levels.find((l) => l.code === tier?.next)?.name ?? null,
      to_next: tier === null || tier.to_next === null ? null : points(tier.to_next),
      expiring: [...byDate].map(([expires_at, n]) => ({ expires_at, points: points(n) })),
      lots: live.map((l) => ({ ...l, lot_id: points(l.lot_id), points: points(l.points), remaining: points(l.remaining) })),
      entries: entries.map((e) => ({ entry_id: points(e.entry_id), at: e.at, kind: e.kind, points: points(e.points), cause: e.cause, cause_ref: e.cause_ref, reason: e.reason })),
    },
  };
}

/** Every programme with its name. */
export async function programmeNames(q: OpQueries): Promise<Array<{ programme_id: string; name: string }>> {
  const rows = await q.all('SELECT programme_id, config FROM loyalty_programmes ORDER BY programme_id');
  return rows.map((r) => {
    const config: unknown = JSON.parse(text(r, 'config') ?? '{}');
    const name = typeof config === 'object' && config !== null && 'name' in config && typeof config.name === 'string' ? config.name : '';
    return { programme_id: text(r, 'programme_id') ?? '', name };
  });
}
