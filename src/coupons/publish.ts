/**
 * The coupon hand-off to the analytical store: every coupon's member, template, batch, campaign,
 * state, dates and discount, read from the operational store page by page and written to the
 * analytical `coupon_facts` in one transaction that replaces the previous publish. Reports by
 * segment and lifecycle stage and the segment node `coupon` read what was published last.
 */
import type { Clock } from '../core/clock.js';
import type { Db } from '../core/db/index.js';
import { fromUnits } from '../core/decimal.js';
import { big, handoffDetail, int, isoTime, listHandoffs, recordHandoff, text, type OpStore } from '../ops/index.js';
import { localDay, shopZone } from '../loyalty/index.js';

const PAGE = 5000;
const SHAPE = JSON.stringify([
  {
    coupon_id: 'BIGINT',
    member_id: 'VARCHAR',
    template_id: 'VARCHAR',
    batch_id: 'VARCHAR',
    campaign_id: 'VARCHAR',
    state: 'VARCHAR',
    issued_at: 'TIMESTAMP',
    valid_until: 'TIMESTAMP',
    redeemed_at: 'TIMESTAMP',
    discount: 'DECIMAL(18,4)',
  },
]);
/** ISO text (UTC, with Z) as a DuckDB timestamp literal. */
const ts = (v: string | null): string | null => (v === null ? null : v.replace('T', ' ').replace('Z', ''));

/** Publishes every coupon to the analytical store (replacing the last publish); how many. */
export async function publishCoupons(db: Db, ops: OpStore, clock: Clock): Promise<{ coupons: number }> {
  const at = clock.now();
  let n = 0;
  await db.transaction(async () => {
    await db.run('DELETE FROM coupon_facts');
    let after = 0n;
    for (;;) {
      const rows = await ops.all(
        `SELECT c.coupon_id, c.member_id, c.template_id, c.batch_id, b.campaign_id, c.state, c.issued_at, c.valid_until, c.redeemed_at, c.discount
         FROM coupons c JOIN coupon_batches b ON b.batch_id = c.batch_id WHERE c.coupon_id > ? ORDER BY c.coupon_id LIMIT ?`,
        [after, PAGE],
      );
      if (rows.length === 0) break;
      const json = rows.map((r) => ({
        coupon_id: int(r, 'coupon_id'),
        member_id: text(r, 'member_id'),
        template_id: text(r, 'template_id'),
        batch_id: text(r, 'batch_id'),
        campaign_id: text(r, 'campaign_id'),
        state: text(r, 'state'),
        issued_at: ts(text(r, 'issued_at')),
        valid_until: ts(text(r, 'valid_until')),
        redeemed_at: ts(text(r, 'redeemed_at')),
        discount: r['discount'] === null || r['discount'] === undefined ? null : fromUnits(big(r, 'discount')),
      }));
      await db.run(`INSERT INTO coupon_facts SELECT unnest(from_json($1, '${SHAPE}'), recursive := true), $2::TIMESTAMP`, [JSON.stringify(json), ts(isoTime(at))]);
      n += rows.length;
      after = big(rows[rows.length - 1], 'coupon_id');
      if (rows.length < PAGE) break;
    }
  });
  await recordHandoff(ops, PUBLISH_NAME, at, 'done', { coupons: n, day: localDay(at, await shopZone(ops)) });
  return { coupons: n };
}

/** The hand-off of the coupon publication. */
export const PUBLISH_NAME = 'coupons.publish';

/**
 * The server's daily publication: publishes when the last one was made on an earlier day of the
 * shop's time zone (or never); null when today's is done. Keyed by the recorded day, so a restart
 * or a shop without loyalty jobs still gets one a day.
 */
export async function dailyCouponPublish(db: Db, ops: OpStore, clock: Clock): Promise<{ coupons: number } | null> {
  const day = localDay(clock.now(), await shopZone(ops));
  if (handoffDetail(await listHandoffs(ops), PUBLISH_NAME)['day'] === day) return null;
  return publishCoupons(db, ops, clock);
}
