/**
 * Orders and returns as they arrive in the member base (file imports, the inbox loader): a
 * hand-off of idempotent steps from the analytical store to the ledger. Paid orders earn (key
 * `order:<channel>:<order>`), cancelled orders reverse everything (key `cancel:...`), returns
 * reverse cumulatively (key `return:<channel>:<return>`); a watermark per programme and source
 * (the last import taken) makes each run pick up only what is new, and a crash between steps
 * only repeats keys already used, which change nothing.
 */
import type { Clock } from '../core/clock.js';
import { str, type Db } from '../core/db/index.js';
import { big, type OpStore } from '../ops/index.js';
import { earnOrder } from './earn.js';
import { reverseOrder } from './reverse.js';

async function watermark(store: OpStore, programmeId: string, source: string): Promise<bigint> {
  const r = await store.one('SELECT import_id FROM loyalty_watermarks WHERE programme_id = ? AND source = ?', [programmeId, source]);
  return r === undefined ? 0n : big(r, 'import_id');
}

async function advance(store: OpStore, programmeId: string, source: string, importId: bigint): Promise<void> {
  await store.run('INSERT INTO loyalty_watermarks (programme_id, source, import_id) VALUES (?, ?, ?) ON CONFLICT (programme_id, source) DO UPDATE SET import_id = excluded.import_id', [
    programmeId,
    source,
    importId,
  ]);
}

export interface ArrivalsReport {
  orders: number;
  earned: number;
  cancelled: number;
  returns: number;
  reversed: number;
  /** Refusals by type (orders before the programme start, orders that never earned, ...). */
  skipped: Record<string, number>;
  through_import: string;
}

/** Earns new paid orders and reverses new cancellations and returns of the member base. */
export async function takeArrivals(db: Db, store: OpStore, clock: Clock, programmeId: string): Promise<ArrivalsReport> {
  const report: ArrivalsReport = { orders: 0, earned: 0, cancelled: 0, returns: 0, reversed: 0, skipped: {}, through_import: '0' };
  const skip = (t: string): void => {
    report.skipped[t] = (report.skipped[t] ?? 0) + 1;
  };
  const top = BigInt(str(await db.one('SELECT coalesce(max(import_id), 0) AS m FROM imports'), 'm') ?? '0');
  const fromOrders = await watermark(store, programmeId, 'orders');
  const orders = await db.all(
    `SELECT o.channel_id || ':' || o.order_id AS order_id, i.member_id, o.channel_id AS channel, o.status,
            strftime(o.paid_at, '%Y-%m-%dT%H:%M:%S.000Z') AS paid_at,
            CAST(coalesce(o.item_total, 0) AS VARCHAR) AS item_total, CAST(abs(coalesce(o.discount, 0)) AS VARCHAR) AS discount
     FROM orders o JOIN identities i ON i.identity_id = o.buyer_id
     WHERE o.import_id > $1 AND o.import_id <= $2 AND o.paid_at IS NOT NULL AND i.member_id IS NOT NULL
     ORDER BY o.paid_at, o.channel_id, o.order_id`,
    [fromOrders.toString(), top.toString()],
  );
  for (const o of orders) {
    const id = str(o, 'order_id') ?? '';
    report.orders++;
    if (str(o, 'status') === 'cancelled' || str(o, 'status') === 'closed') {
      const r = await reverseOrder(store, clock, programmeId, { order_id: id, cancel: true, key: `cancel:${id}` });
      if (r.ok) report.cancelled++;
      else skip(r.error.type);
      continue;
    }
    const r = await earnOrder(store, clock, programmeId, {
      who: { member_id: str(o, 'member_id') ?? '' },
      order: { order_id: id, paid_at: str(o, 'paid_at') ?? '', channel: str(o, 'channel') ?? '', lines: [{ amount: str(o, 'item_total') ?? '0' }], coupon_discount: str(o, 'discount') ?? '0' },
      key: `order:${id}`,
    });
    if (r.ok) report.earned++;
    else skip(r.error.type);
  }
  await advance(store, programmeId, 'orders', top);
  const fromReturns = await watermark(store, programmeId, 'returns');
  const returns = await db.all(
    `SELECT channel_id || ':' || order_id AS order_id, channel_id || ':' || return_id AS return_id, CAST(sum(amount) AS VARCHAR) AS value
     FROM returns WHERE import_id > $1 AND import_id <= $2 AND order_id IS NOT NULL AND line_type = 'product'
     GROUP BY channel_id, order_id, return_id ORDER BY min(returned_at), return_id`,
    [fromReturns.toString(), top.toString()],
  );
  for (const r of returns) {
    report.returns++;
    const id = str(r, 'return_id') ?? '';
    const done = await reverseOrder(store, clock, programmeId, { order_id: str(r, 'order_id') ?? '', value: str(r, 'value') ?? '0', return_id: id, key: `return:${id}` });
    if (done.ok) report.reversed++;
    else skip(done.error.type);
  }
  await advance(store, programmeId, 'returns', top);
  report.through_import = top.toString();
  return report;
}
