/**
 * The audited backfill: orders paid before the programme started (or before it was set up) earn
 * their points once, each under the key `backfill:<order>` so a re-run changes nothing.
 * Orders come from the member base (paid, not cancelled or closed, of a resolved member).
 */
import type { Clock } from '../core/clock.js';
import { str, type Db } from '../core/db/index.js';
import { audit, type OpStore } from '../ops/index.js';
import { earnOrder } from './earn.js';

export interface BackfillOrder {
  order_id: string;
  member_id: string;
  channel: string;
  paid_at: string;
  item_total: string;
  discount: string;
}

/** Paid orders of resolved members in [from, to) (shop-local days, read as UTC), oldest first. */
export async function readBackfillOrders(db: Db, from: string, to: string): Promise<BackfillOrder[]> {
  const rows = await db.all(
    `SELECT o.channel_id || ':' || o.order_id AS order_id, i.member_id, o.channel_id AS channel,
            strftime(o.paid_at, '%Y-%m-%dT%H:%M:%S.000Z') AS paid_at,
            CAST(coalesce(o.item_total, 0) AS VARCHAR) AS item_total, CAST(coalesce(o.discount, 0) AS VARCHAR) AS discount
     FROM orders o JOIN identities i ON i.identity_id = o.buyer_id
     WHERE o.paid_at IS NOT NULL AND o.status NOT IN ('cancelled', 'closed') AND i.member_id IS NOT NULL
       AND o.paid_at >= CAST($1 AS TIMESTAMP) AND o.paid_at < CAST($2 AS TIMESTAMP)
     ORDER BY o.paid_at, o.channel_id, o.order_id`,
    [from, to],
  );
  return rows.map((r) => ({
    order_id: str(r, 'order_id') ?? '',
    member_id: str(r, 'member_id') ?? '',
    channel: str(r, 'channel') ?? '',
    paid_at: str(r, 'paid_at') ?? '',
    item_total: str(r, 'item_total') ?? '0',
    discount: str(r, 'discount') ?? '0',
  }));
}

export interface BackfillReport {
  orders: number;
  earned: number;
  replayed: number;
  refused: Record<string, number>;
  points: bigint;
}

/** Earns the given orders as a backfill by `operator`, recorded in the audit log. */
export async function backfill(store: OpStore, clock: Clock, programmeId: string, orders: readonly BackfillOrder[], operator: string, onProgress?: (done: number) => void): Promise<BackfillReport> {
  const report: BackfillReport = { orders: orders.length, earned: 0, replayed: 0, refused: {}, points: 0n };
  for (const [i, o] of orders.entries()) {
    const discount = o.discount.replace(/^-/, '');
    const r = await earnOrder(store, clock, programmeId, {
      who: { member_id: o.member_id },
      order: { order_id: o.order_id, paid_at: o.paid_at, channel: o.channel, lines: [{ amount: o.item_total }], coupon_discount: discount },
      key: `backfill:${o.order_id}`,
      backfill: true,
    });
    if (!r.ok) report.refused[r.error.type] = (report.refused[r.error.type] ?? 0) + 1;
    else if (r.replayed) report.replayed++;
    else {
      report.earned++;
      report.points += r.value.points;
    }
    if (onProgress !== undefined && i % 500 === 499) onProgress(i + 1);
  }
  await audit(store, clock.now(), operator, 'loyalty.backfill', programmeId, {
    orders: report.orders,
    earned: report.earned,
    replayed: report.replayed,
    refused: report.refused,
    points: report.points.toString(),
  });
  return report;
}
