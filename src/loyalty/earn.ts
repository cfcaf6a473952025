/**
 * Earning: an order (from a till, the web shop, an import or the inbox), an activity, a manual
 * adjustment, and the dry run. Each earn is a lot: pending until the return window has passed,
 * expiring by the programme's model; caps per member and programme per day, week and month.
 */
import { Value } from '@sinclair/typebox/value';
import type { Clock } from '../core/clock.js';
import { audit, big, int, isoTime, text, type OpQueries, type OpStore } from '../ops/index.js';
import { earnedBy, findAccount, type Account, type Who } from './accounts.js';
import { fail, type LoyaltyError, type LoyaltyResult } from './errors.js';
import { addEntry, addLot, moveDebt, moveLot, spendable, takeLots, type Cause } from './lots.js';
import { loadProgramme, type Cap, type ProgrammeConfig, type TierLevel } from './programme.js';
import { evaluateOrder, OrderInput, type OrderEarning } from './rules.js';
import { refuse, targetAccount, write, type WriteContext } from './run.js';
import { addDays, expiresAt, localDay, periodKey, shopZone } from './time.js';
import { evaluateAccountTier } from './tiers.js';

/** What an earn wrote. */
export interface EarnResult {
  entry_id: bigint;
  account_id: bigint;
  order_id: string | null;
  points: bigint;
  lot_id: bigint | null;
  pending_until: string | null;
  expires_at: string | null;
}

/** Rebuilds an earn's result from its entry (a replayed key). */
export async function readEarn(q: OpQueries, entryId: bigint): Promise<EarnResult> {
  const e = await q.one('SELECT entry_id, account_id, points, cause_ref, cause FROM loyalty_entries WHERE entry_id = ?', [entryId]);
  const lot = await q.one('SELECT lot_id, pending_until, expires_at FROM loyalty_lots WHERE entry_id = ?', [entryId]);
  const cause = text(e, 'cause');
  return {
    entry_id: big(e, 'entry_id'),
    account_id: big(e, 'account_id'),
    order_id: cause === 'order' || cause === 'backfill' ? text(e, 'cause_ref') : null,
    points: big(e, 'points'),
    lot_id: lot === undefined ? null : big(lot, 'lot_id'),
    pending_until: text(lot, 'pending_until'),
    expires_at: text(lot, 'expires_at'),
  };
}

/**
 * Whether an order would be the account's first; only asked when the programme has a first-purchase
 * bonus (otherwise the answer changes nothing, and a till's earn saves the count).
 */
async function firstPurchase(q: OpQueries, config: ProgrammeConfig, accountId: bigint): Promise<boolean> {
  if (BigInt(config.first_purchase_bonus) === 0n) return false;
  return int(await q.one('SELECT count(*) AS n FROM loyalty_orders WHERE account_id = ?', [accountId]), 'n') === 0;
}

function tierLevel(config: ProgrammeConfig, tier: string | null): TierLevel | null {
  return config.tiers?.levels.find((l) => l.code === tier) ?? null;
}

function capKey(cap: Cap, account: bigint): string {
  return cap.per === 'member' ? `member:${account}:${cap.period}` : `programme:${cap.period}`;
}

/** Points still allowed under every cap at `at` (reads only). */
async function capRoom(q: OpQueries, config: ProgrammeConfig, account: bigint | null, at: Date, zone: string): Promise<bigint | null> {
  let room: bigint | null = null;
  for (const cap of config.caps) {
    const used =
      account === null && cap.per === 'member'
        ? 0n
        : big(
            await q.one('SELECT COALESCE(SUM(points), 0) AS p FROM loyalty_cap_usage WHERE programme_id = ? AND cap_key = ? AND period = ?', [
              config.programme_id,
              capKey(cap, account ?? 0n),
              periodKey(cap.period, at, zone),
            ]),
            'p',
          );
    const left = BigInt(cap.points) - used;
    const l = left > 0n ? left : 0n;
    room = room === null || l < room ? l : room;
  }
  return room;
}

/** Applies the caps to `points` and counts what is granted (the usage rows are locked). */
async function applyCaps(c: WriteContext, account: bigint, points: bigint, at: Date): Promise<bigint> {
  let grant = points;
  const rows: { key: string; period: string }[] = [];
  for (const cap of c.config.caps) {
    const key = capKey(cap, account);
    const period = periodKey(cap.period, at, c.zone);
    await c.tx.run('INSERT INTO loyalty_cap_usage (programme_id, cap_key, period, points) VALUES (?, ?, ?, 0) ON CONFLICT (programme_id, cap_key, period) DO NOTHING', [
      c.config.programme_id,
      key,
      period,
    ]);
    const used = big(
      await c.tx.one(`SELECT points FROM loyalty_cap_usage WHERE programme_id = ? AND cap_key = ? AND period = ?${c.store.dialect.forUpdate}`, [c.config.programme_id, key, period]),
      'points',
    );
    const left = BigInt(cap.points) - used;
    if (left < grant) grant = left > 0n ? left : 0n;
    rows.push({ key, period });
  }
  for (const r of rows) await c.tx.run('UPDATE loyalty_cap_usage SET points = points + ? WHERE programme_id = ? AND cap_key = ? AND period = ?', [grant, c.config.programme_id, r.key, r.period]);
  return grant;
}

/** Writes an earn entry and its lot; the debt of an account that deducts from next earns is paid first. */
export async function creditLot(
  c: WriteContext,
  account: Account,
  e: {
    points: bigint;
    cause: Cause;
    cause_ref: string | null;
    order_id: string | null;
    earned_by: string;
    earned_at: Date;
    pending_until: Date;
    key: string | null;
    operator?: string;
    reason?: string;
    kind?: 'earn' | 'adjust';
  },
): Promise<bigint> {
  const entryId = await addEntry(c.tx, {
    programme_id: c.config.programme_id,
    account_id: account.account_id,
    kind: e.kind ?? 'earn',
    points: e.points,
    cause: e.cause,
    cause_ref: e.cause_ref,
    idem_key: e.key,
    operator: e.operator ?? null,
    reason: e.reason ?? null,
    at: c.now,
  });
  if (e.points <= 0n) return entryId;
  const lotId = await addLot(c.tx, {
    programme_id: c.config.programme_id,
    account_id: account.account_id,
    entry_id: entryId,
    order_id: e.order_id,
    earned_by: e.earned_by,
    points: e.points,
    earned_at: e.earned_at,
    pending_until: isoTime(e.pending_until),
    expires_at: expiresAt(c.config.expiry, e.earned_at, c.zone),
  });
  if (c.config.shortfall === 'deduct_next_earns' && account.debt > 0n) {
    const pay = account.debt < e.points ? account.debt : e.points;
    await moveLot(c.tx, entryId, lotId, -pay);
    await moveDebt(c.tx, entryId, account.account_id, -pay);
  }
  return entryId;
}

/** An order as the earn call takes it: who, the order, and the caller's idempotency key. */
export interface EarnOrderRequest {
  who: Who;
  order: unknown;
  key: string;
  /** A backfill may earn orders paid before the programme started (audited by the caller). */
  backfill?: boolean;
}

function parseOrder(order: unknown): { ok: true; order: OrderInput } | { ok: false; error: LoyaltyError } {
  if (Value.Check(OrderInput, order)) return { ok: true, order };
  return fail({ type: 'invalid_request', message: 'invalid order', errors: [...Value.Errors(OrderInput, order)].slice(0, 10).map((e) => `${e.path || '/'}: ${e.message}`) });
}

/** Earns an order's points (one lot), applying rules, tier multiplier, bonuses and caps. */
export async function earnOrder(store: OpStore, clock: Clock, programmeId: string, req: EarnOrderRequest): Promise<LoyaltyResult<EarnResult>> {
  const parsed = parseOrder(req.order);
  if (!parsed.ok) return { ...parsed, replayed: false };
  const order = parsed.order;
  return write(
    store,
    clock,
    programmeId,
    { key: req.key, content: { op: 'earn_order', who: req.who, order, backfill: req.backfill === true } },
    async (c) => {
      if (localDay(order.paid_at, c.zone) < c.config.starts_on && req.backfill !== true) {
        refuse({
          type: 'before_programme_start',
          message: `order ${order.order_id} was paid before the programme started on ${c.config.starts_on}; run a backfill to earn it`,
          starts_on: c.config.starts_on,
        });
      }
      const exists = await c.tx.one('SELECT order_id FROM loyalty_orders WHERE programme_id = ? AND order_id = ?', [programmeId, order.order_id]);
      if (exists !== undefined) refuse({ type: 'order_already_earned', message: `order ${order.order_id} has already earned points (under another idempotency key)`, order_id: order.order_id });
      const { account, key } = await targetAccount(c, req.who, true);
      const first = await firstPurchase(c.tx, c.config, account.account_id);
      const paid = new Date(order.paid_at);
      const earning = evaluateOrder(c.config, order, { tier: tierLevel(c.config, account.tier), firstPurchase: first, zone: c.zone });
      const points = await applyCaps(c, account.account_id, earning.points, paid);
      const entryId = await creditLot(c, account, {
        points,
        cause: req.backfill === true ? 'backfill' : 'order',
        cause_ref: order.order_id,
        order_id: order.order_id,
        earned_by: earnedBy(req.who, key, account),
        earned_at: paid,
        pending_until: addDays(paid, c.config.pending_days),
        key: req.key,
      });
      await c.tx.run('INSERT INTO loyalty_orders (programme_id, order_id, account_id, base, points, returned, reversed, cancelled, paid_at) VALUES (?, ?, ?, ?, ?, ?, 0, 0, ?)', [
        programmeId,
        order.order_id,
        account.account_id,
        earning.base,
        points,
        '0',
        isoTime(paid),
      ]);
      await evaluateAccountTier(c, account);
      return { value: await readEarn(c.tx, entryId), ref: entryId.toString() };
    },
    (tx, ref) => readEarn(tx, BigInt(ref)),
  );
}

/** Earns an activity's points (review, sign-in, referral, community ...): released at once. */
export async function earnActivity(store: OpStore, clock: Clock, programmeId: string, req: { who: Who; activity: string; ref?: string; key: string }): Promise<LoyaltyResult<EarnResult>> {
  return write(
    store,
    clock,
    programmeId,
    { key: req.key, content: { op: 'earn_activity', who: req.who, activity: req.activity, ref: req.ref ?? null } },
    async (c) => {
      const rule = c.config.activities[req.activity];
      if (rule === undefined) refuse({ type: 'unknown_activity', message: `programme ${programmeId} has no activity '${req.activity}'`, activity: req.activity });
      const { account, key } = await targetAccount(c, req.who, true);
      const points = await applyCaps(c, account.account_id, BigInt(rule), c.now);
      const entryId = await creditLot(c, account, {
        points,
        cause: 'activity',
        cause_ref: req.ref ?? req.activity,
        order_id: null,
        earned_by: earnedBy(req.who, key, account),
        earned_at: c.now,
        pending_until: c.now,
        key: req.key,
        // The activity's name, which growth value (成长值) rules are keyed by.
        reason: req.activity,
      });
      await evaluateAccountTier(c, account);
      return { value: await readEarn(c.tx, entryId), ref: entryId.toString() };
    },
    (tx, ref) => readEarn(tx, BigInt(ref)),
  );
}

/**
 * A manual adjustment with an operator and a reason (also written to the audit log): positive adds a lot (released at once),
 * negative takes released lots oldest-expiry-first and is refused beyond the spendable balance.
 */
export async function adjust(store: OpStore, clock: Clock, programmeId: string, req: { who: Who; points: bigint; operator: string; reason: string; key: string }): Promise<LoyaltyResult<EarnResult>> {
  return write(
    store,
    clock,
    programmeId,
    { key: req.key, content: { op: 'adjust', who: req.who, points: req.points, operator: req.operator, reason: req.reason } },
    async (c) => {
      if (req.reason.trim() === '' || req.operator.trim() === '') refuse({ type: 'invalid_request', message: 'an adjustment needs an operator and a reason', errors: ['operator', 'reason'] });
      const { account, key } = await targetAccount(c, req.who, true);
      let entryId: bigint;
      if (req.points >= 0n) {
        entryId = await creditLot(c, account, {
          kind: 'adjust',
          points: req.points,
          cause: 'manual',
          cause_ref: null,
          order_id: null,
          earned_by: earnedBy(req.who, key, account),
          earned_at: c.now,
          pending_until: c.now,
          key: req.key,
          operator: req.operator,
          reason: req.reason,
        });
      } else {
        const available = await spendable(c.tx, account.account_id, account.debt, c.now);
        if (available < -req.points) refuse({ type: 'insufficient_points', message: `cannot take ${-req.points} points: ${available} spendable`, available, requested: -req.points });
        entryId = await addEntry(c.tx, {
          programme_id: programmeId,
          account_id: account.account_id,
          kind: 'adjust',
          points: req.points,
          cause: 'manual',
          operator: req.operator,
          reason: req.reason,
          idem_key: req.key,
          at: c.now,
        });
        await takeLots(c.tx, c.store.dialect, entryId, account.account_id, -req.points, c.now, { releasedOnly: true });
      }
      await audit(c.tx, c.now, req.operator, 'loyalty.adjust', programmeId, {
        account_id: account.account_id.toString(),
        points: req.points.toString(),
        reason: req.reason,
        entry_id: entryId.toString(),
      });
      return { value: await readEarn(c.tx, entryId), ref: entryId.toString() };
    },
    (tx, ref) => readEarn(tx, BigInt(ref)),
  );
}

/** What an order would earn now, without writing: the rules' result and the points after caps. */
export async function dryRun(
  store: OpStore,
  programmeId: string,
  who: Who | null,
  order: unknown,
): Promise<{ ok: true; value: OrderEarning & { after_caps: bigint; account_id: bigint | null } } | { ok: false; error: LoyaltyError }> {
  const parsed = parseOrder(order);
  if (!parsed.ok) return parsed;
  const config = await loadProgramme(store, programmeId);
  if (config === undefined) return fail({ type: 'programme_not_found', message: `no programme ${programmeId}` });
  let account: Account | null = null;
  if (who !== null) {
    const found = await findAccount(store, programmeId, who, config.phone_country);
    if (found.ok) account = found.account;
    else if (found.error.type !== 'account_not_found') return found;
  }
  const first = account === null || (await firstPurchase(store, config, account.account_id));
  const zone = await shopZone(store);
  const earning = evaluateOrder(config, parsed.order, { tier: tierLevel(config, account?.tier ?? null), firstPurchase: first, zone });
  const before = localDay(parsed.order.paid_at, zone) < config.starts_on;
  const room = await capRoom(store, config, account?.account_id ?? null, new Date(parsed.order.paid_at), zone);
  const afterCaps = before ? 0n : room !== null && room < earning.points ? room : earning.points;
  return { ok: true, value: { ...earning, after_caps: afterCaps, account_id: account?.account_id ?? null } };
}
