/** Test helpers for coupons: a movable clock, a store with a template, a batch and members' coupons. */
import type { Clock } from '../core/clock.js';
import { Rng } from '../core/random.js';
import type { OpStore } from '../ops/index.js';
import { createBatch, createTemplate, type BatchCodes } from './catalog.js';
import type { RandomSource } from './codes.js';
import { issueCoupon } from './issue.js';
import { parseBasket } from './basket.js';
import type { Basket } from './discount.js';

/** A clock tests move forward. */
export function movableClock(start: string): Clock & { advance(seconds: number): void } {
  let t = new Date(start).getTime();
  return { now: () => new Date(t), advance: (s: number) => void (t += s * 1000) };
}

/** A replayable random source for code generation in tests. */
export function seeded(seed: string): RandomSource {
  const rng = new Rng(seed);
  return { below: (n: number) => rng.int(0, n - 1) };
}

/** A basket from JSON, throwing on a mistake in the test itself. */
export function basketOf(json: unknown): Basket {
  const b = parseBasket(json);
  if (!b.ok) throw new Error(JSON.stringify(b.errors));
  return b.basket;
}

/** Creates a template and a batch, and issues one coupon to each member; returns the codes by member. */
export async function setUp(
  store: OpStore,
  clock: Clock,
  template: Record<string, unknown>,
  members: readonly string[],
  codes: BatchCodes = { generate: members.length + 10 },
): Promise<{ template_id: string; batch_id: string; codes: Map<string, string> }> {
  const t = await createTemplate(store, clock, { name: 'test', ...template });
  if (!t.ok) throw new Error(JSON.stringify(t.error));
  const b = await createBatch(store, clock, { template_id: t.value.template_id, codes }, seeded('codes'));
  if (!b.ok) throw new Error(JSON.stringify(b.error));
  const out = new Map<string, string>();
  for (const m of members) {
    const c = await issueCoupon(store, clock, { key: `setup-${t.value.template_id}-${m}`, batch_id: b.value.batch_id, member_id: m });
    if (!c.ok) throw new Error(JSON.stringify(c.error));
    out.set(m, c.value.code);
  }
  return { template_id: t.value.template_id, batch_id: b.value.batch_id, codes: out };
}
