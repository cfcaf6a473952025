/**
 * A separate process for the concurrency tests: opens the operational store named on the
 * command line and runs its share of till or issue calls all at once, printing one JSON outcome
 * per call. Not part of the product.
 */
import { systemClock } from '../core/clock.js';
import { openOps } from '../ops/index.js';
import { issueCoupon } from './issue.js';
import { basketOf } from './testkit.js';
import { redeem, reserve } from './till.js';

interface Job {
  where: { sqlite: string } | { pg: string };
  till?: Array<{ key: string; member: string; code: string }>;
  issue?: Array<{ key: string; batch_id: string; member: string }>;
}

const BASKET = basketOf({ lines: [{ sku: 'A', quantity: 1, unit_price: '100' }] });

async function main(): Promise<void> {
  const job: Job = JSON.parse(process.argv[2] ?? '{}');
  const store = await openOps(job.where);
  try {
    const till = (job.till ?? []).map(async (c) => {
      const r = await reserve(store, systemClock, { key: `r-${c.key}`, member_id: c.member, codes: [c.code], basket: BASKET });
      if (!r.ok) return r.error.type;
      const d = await redeem(store, systemClock, { key: `d-${c.key}`, reservation_id: r.value.reservation_id, order_id: `O-${c.key}` });
      return d.ok ? 'redeemed' : d.error.type;
    });
    const issue = (job.issue ?? []).map(async (c) => {
      const r = await issueCoupon(store, systemClock, { key: c.key, batch_id: c.batch_id, member_id: c.member });
      return r.ok ? `coupon ${r.value.coupon_id}` : r.error.type;
    });
    process.stdout.write(JSON.stringify(await Promise.all([...till, ...issue])));
  } finally {
    await store.close();
  }
}

await main();
