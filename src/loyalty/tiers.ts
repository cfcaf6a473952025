/**
 * Tiers (会员等级): ordered by a qualifying metric over a window. Upgrade at once when crossed;
 * at the end of the member's tier year (plus any grace days) a member below the threshold goes
 * down one step or to the earned level (a setting); otherwise the tier year renews.
 */
import type { Clock } from '../core/clock.js';
import { toUnits } from '../core/decimal.js';
import { big, isoTime, text, type OpQueries, type OpStore } from '../ops/index.js';
import type { Account } from './accounts.js';
import { loadProgramme, type ProgrammeConfig, type TierRules } from './programme.js';
import { addDays, anniversaries, localYearStart, shopZone } from './time.js';

/**
 * The instant just before the window: rolling 365 days as of now is (now - 365 days, now]; a
 * calendar year starts at 00:00 on 1 January; an anniversary window at the last anniversary of
 * the account's opening (`since`), all in shop time.
 */
function windowStart(rules: TierRules, now: Date, zone: string, since: string | null = null): string {
  if (rules.window === 'calendar_year') return new Date(localYearStart(now, zone).getTime() - 1).toISOString();
  if (rules.window === 'anniversary' && since !== null) return new Date(anniversaries(new Date(since), now, zone).last.getTime() - 1).toISOString();
  return addDays(now, -365).toISOString();
}

/** When a tier year that begins at `from` ends. */
function yearEnd(rules: TierRules, from: Date, zone: string, since: string | null): string {
  if (rules.window === 'calendar_year') return localYearStart(from, zone, 1).toISOString();
  if (rules.window === 'anniversary' && since !== null) return anniversaries(new Date(since), from, zone).next.toISOString();
  return addDays(from, 365).toISOString();
}

/** Each account's own window start (anniversary windows), or null when the window is the same for all. */
async function ownStarts(q: OpQueries, programmeId: string, rules: TierRules, now: Date, from: bigint, to: bigint, zone: string): Promise<Map<bigint, string> | null> {
  if (rules.window !== 'anniversary') return null;
  const rows = await q.all('SELECT account_id, created_at FROM loyalty_accounts WHERE programme_id = ? AND account_id BETWEEN ? AND ?', [programmeId, from, to]);
  return new Map(rows.map((r) => [big(r, 'account_id'), windowStart(rules, now, zone, text(r, 'created_at'))]));
}

/**
 * Qualifying values of the accounts with IDs in [from, to] at `now`: released, unreversed points
 * earned in the window; or spend (earning base minus returns); or orders (not cancelled); or growth
 * value (成长值: orders at a rate net of returns plus a flat amount, and activities).
 */
export async function qualifyingValues(q: OpQueries, config: ProgrammeConfig, rules: TierRules, now: Date, from: bigint, to: bigint, zone = 'UTC'): Promise<Map<bigint, bigint>> {
  const at = isoTime(now);
  // Anniversary windows differ per account: the query reads from the earliest start, by time,
  // and each row is kept when it falls in its own account's window.
  const starts = await ownStarts(q, config.programme_id, rules, now, from, to, zone);
  const start = starts === null ? windowStart(rules, now, zone) : [...starts.values()].reduce((a, b) => (b < a ? b : a), at);
  const keep = (id: bigint, t: string | null): boolean => starts === null || (t !== null && t > (starts.get(id) ?? at));
  const byTime = starts === null ? '' : ', l.earned_at';
  const out = new Map<bigint, bigint>();
  if (rules.metric === 'qualifying_points') {
    const rows = await q.all(
      `SELECT l.account_id${byTime}, SUM(l.points - COALESCE(o.reversed, 0)) AS v FROM loyalty_lots l
       JOIN loyalty_entries e ON e.entry_id = l.entry_id
       LEFT JOIN loyalty_orders o ON o.programme_id = l.programme_id AND o.order_id = l.order_id
       WHERE l.programme_id = ? AND l.account_id BETWEEN ? AND ? AND e.kind = 'earn' AND l.earned_at > ? AND l.earned_at <= ? AND l.pending_until <= ?
       GROUP BY l.account_id${byTime}`,
      [config.programme_id, from, to, start, at, at],
    );
    for (const r of rows) {
      const id = big(r, 'account_id');
      if (keep(id, text(r, 'earned_at'))) out.set(id, (out.get(id) ?? 0n) + big(r, 'v'));
    }
    for (const [id, v] of out) if (v < 0n) out.set(id, 0n);
    return out;
  }
  const released = addDays(now, -config.pending_days).toISOString();
  const rows = await q.all('SELECT account_id, base, returned, paid_at FROM loyalty_orders WHERE programme_id = ? AND account_id BETWEEN ? AND ? AND paid_at > ? AND paid_at <= ? AND cancelled = 0', [
    config.programme_id,
    from,
    to,
    start,
    released,
  ]);
  const growth = rules.metric === 'growth' ? rules.growth : undefined;
  const rate = growth === undefined ? 0n : toUnits(growth.rate, 4);
  for (const r of rows) {
    const id = big(r, 'account_id');
    if (!keep(id, text(r, 'paid_at'))) continue;
    const net = toUnits(text(r, 'base'), 4) - toUnits(text(r, 'returned'), 4);
    const add = rules.metric === 'orders' ? 1n : growth !== undefined ? (net > 0n ? (net * rate) / 100_000_000n : 0n) + BigInt(growth.per_order ?? 0) : net / 10_000n;
    out.set(id, (out.get(id) ?? 0n) + add);
  }
  if (growth?.activities !== undefined) await addActivityGrowth(q, config.programme_id, growth.activities, { start, at, from, to, byTime, keep }, out);
  return out;
}

/** Growth value of activities in the window: each activity that earned (a lot, which moves with merges) adds its amount. */
async function addActivityGrowth(
  q: OpQueries,
  programmeId: string,
  amounts: Readonly<Record<string, number>>,
  w: { start: string; at: string; from: bigint; to: bigint; byTime: string; keep: (id: bigint, t: string | null) => boolean },
  out: Map<bigint, bigint>,
): Promise<void> {
  const rows = await q.all(
    `SELECT l.account_id${w.byTime}, COALESCE(e.reason, e.cause_ref) AS activity, COUNT(*) AS n FROM loyalty_lots l JOIN loyalty_entries e ON e.entry_id = l.entry_id
     WHERE l.programme_id = ? AND l.account_id BETWEEN ? AND ? AND e.cause = 'activity' AND l.earned_at > ? AND l.earned_at <= ?
     GROUP BY l.account_id${w.byTime}, COALESCE(e.reason, e.cause_ref)`,
    [programmeId, w.from, w.to, w.start, w.at],
  );
  for (const r of rows) {
    const amount = amounts[text(r, 'activity') ?? ''];
    const id = big(r, 'account_id');
    if (amount === undefined || !w.keep(id, text(r, 'earned_at'))) continue;
    out.set(id, (out.get(id) ?? 0n) + BigInt(amount) * big(r, 'n'));
  }
}

/** A tier change the rules call for, or null. */
export interface TierDecision {
  tier: string | null;
  year_ends: string;
  reason: 'upgrade' | 'downgrade' | 'renew';
}

/** What the rules decide for one account (pure). */
export function decideTier(rules: TierRules, current: string | null, yearEnds: string | null, value: bigint, now: Date, zone = 'UTC', since: string | null = null): TierDecision | null {
  const levels = rules.levels;
  let earned = -1;
  levels.forEach((l, i) => {
    if (BigInt(l.threshold) <= value) earned = i;
  });
  const cur = levels.findIndex((l) => l.code === current);
  if (earned > cur) return { tier: levels[earned]?.code ?? null, year_ends: yearEnd(rules, now, zone, since), reason: 'upgrade' };
  if (yearEnds === null || isoTime(now) < yearEnds) return null;
  if (earned >= cur) return { tier: current, year_ends: yearEnd(rules, new Date(yearEnds), zone, since), reason: 'renew' };
  if (isoTime(now) < addDays(new Date(yearEnds), rules.grace_days).toISOString()) return null; // in grace
  const to = rules.downgrade === 'one_step' ? Math.max(cur - 1, earned) : earned;
  return { tier: to < 0 ? null : (levels[to]?.code ?? null), year_ends: yearEnd(rules, now, zone, since), reason: 'downgrade' };
}

async function applyDecision(q: OpQueries, accountId: bigint, from: string | null, d: TierDecision, value: bigint, now: Date): Promise<void> {
  await q.run('UPDATE loyalty_accounts SET tier = ?, tier_year_ends = ?, tier_since = CASE WHEN ? = 1 THEN tier_since ELSE ? END, updated_at = ? WHERE account_id = ?', [
    d.tier,
    d.year_ends,
    d.reason === 'renew' ? 1 : 0,
    isoTime(now),
    isoTime(now),
    accountId,
  ]);
  await q.run('INSERT INTO loyalty_tier_history (account_id, at, from_tier, to_tier, reason, qualifying) VALUES (?, ?, ?, ?, ?, ?)', [accountId, isoTime(now), from, d.tier, d.reason, value]);
}

/** Re-evaluates one account's tier inside a write (upgrades happen at once). */
export async function evaluateAccountTier(c: { tx: OpQueries; config: ProgrammeConfig; now: Date; zone: string }, account: Account): Promise<TierDecision | null> {
  const rules = c.config.tiers;
  if (rules === undefined) return null;
  const value = (await qualifyingValues(c.tx, c.config, rules, c.now, account.account_id, account.account_id, c.zone)).get(account.account_id) ?? 0n;
  const d = decideTier(rules, account.tier, account.tier_year_ends, value, c.now, c.zone, account.created_at);
  if (d !== null) await applyDecision(c.tx, account.account_id, account.tier, d, value, c.now);
  return d;
}

/** The tier job: every account of the programme, in batches of `batch` account IDs. */
export async function runTierJob(store: OpStore, clock: Clock, programmeId: string, batch = 20_000): Promise<{ accounts: number; upgrades: number; downgrades: number; renewals: number } | undefined> {
  const config = await loadProgramme(store, programmeId);
  const rules = config?.tiers;
  if (config === undefined || rules === undefined) return undefined;
  const now = clock.now();
  const zone = await shopZone(store);
  const range = await store.one('SELECT MIN(account_id) AS lo, MAX(account_id) AS hi FROM loyalty_accounts WHERE programme_id = ?', [programmeId]);
  const result = { accounts: 0, upgrades: 0, downgrades: 0, renewals: 0 };
  if (range === undefined || range['lo'] === null) return result;
  const hi = big(range, 'hi');
  for (let lo = big(range, 'lo'); lo <= hi; lo += BigInt(batch)) {
    const to = lo + BigInt(batch) - 1n;
    await store.transaction(async (tx) => {
      const accounts = await tx.all(
        `SELECT account_id, tier, tier_year_ends, created_at FROM loyalty_accounts WHERE programme_id = ? AND merged_into IS NULL AND account_id BETWEEN ? AND ?${store.dialect.forUpdate}`,
        [programmeId, lo, to],
      );
      const values = await qualifyingValues(tx, config, rules, now, lo, to, zone);
      for (const a of accounts) {
        const id = big(a, 'account_id');
        const value = values.get(id) ?? 0n;
        const d = decideTier(rules, text(a, 'tier'), text(a, 'tier_year_ends'), value, now, zone, text(a, 'created_at'));
        result.accounts++;
        if (d === null) continue;
        await applyDecision(tx, id, text(a, 'tier'), d, value, now);
        if (d.reason === 'upgrade') result.upgrades++;
        else if (d.reason === 'downgrade') result.downgrades++;
        else result.renewals++;
      }
    });
  }
  return result;
}

/** A member's tier as a till or profile shows it: the tier, the value, and the points to keep it and to reach the next. */
export async function tierStatus(
  q: OpQueries,
  config: ProgrammeConfig,
  account: Account,
  now: Date,
): Promise<{ tier: string | null; name: string | null; qualifying: bigint; year_ends: string | null; to_keep: bigint; next: string | null; to_next: bigint | null } | null> {
  const rules = config.tiers;
  if (rules === undefined) return null;
  const value = (await qualifyingValues(q, config, rules, now, account.account_id, account.account_id, await shopZone(q))).get(account.account_id) ?? 0n;
  const idx = rules.levels.findIndex((l) => l.code === account.tier);
  const cur = rules.levels[idx];
  const next = rules.levels[idx + 1];
  const keep = cur === undefined ? 0n : BigInt(cur.threshold) - value;
  return {
    tier: account.tier,
    name: cur?.name ?? null,
    qualifying: value,
    year_ends: account.tier_year_ends,
    to_keep: keep > 0n ? keep : 0n,
    next: next?.code ?? null,
    to_next: next === undefined ? null : BigInt(next.threshold) - value,
  };
}

/** An account's tier history, oldest first. */
export async function tierHistory(q: OpQueries, accountId: bigint): Promise<{ at: string; from: string | null; to: string | null; reason: string; qualifying: bigint }[]> {
  const rows = await q.all('SELECT at, from_tier, to_tier, reason, qualifying FROM loyalty_tier_history WHERE account_id = ? ORDER BY at', [accountId]);
  return rows.map((r) => ({ at: text(r, 'at') ?? '', from: text(r, 'from_tier'), to: text(r, 'to_tier'), reason: text(r, 'reason') ?? '', qualifying: big(r, 'qualifying') }));
}

/** Members (with a member ID, not merged away) whose account in the programme holds one of the tiers, by member ID. */
export async function membersInTiers(q: OpQueries, programmeId: string, tiers: readonly string[]): Promise<Array<{ member_id: string; tier: string }>> {
  if (tiers.length === 0) return [];
  const rows = await q.all(
    `SELECT member_id, tier FROM loyalty_accounts WHERE programme_id = ? AND merged_into IS NULL AND member_id IS NOT NULL AND tier IN (${tiers.map(() => '?').join(', ')}) ORDER BY member_id`,
    [programmeId, ...tiers],
  );
  return rows.map((r) => ({ member_id: text(r, 'member_id') ?? '', tier: text(r, 'tier') ?? '' }));
}
