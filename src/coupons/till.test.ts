/**
 * The till on both engines, as scenarios: each step's outcome (the discount, or the refusal's
 * type), then the coupons' states and the budget used.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromUnits } from '../core/decimal.js';
import { readAudit } from '../ops/index.js';
import { ENGINES, opSandbox } from '../testing/ops.js';
import { budgetUse } from './budget.js';
import { issueCoupon, memberCoupons } from './issue.js';
import { basketOf, movableClock, setUp } from './testkit.js';
import { redeem, release, reserve, returnOrder, sweepLapsed, validateCodes } from './till.js';

const BASKET = { lines: [{ sku: 'SHIRT', quantity: 2, unit_price: '99.90', category: 'apparel' }], shipping: '10' };
const SMALL = { lines: [{ sku: 'MUG', quantity: 1, unit_price: '33.33', category: 'home' }] };

type Step =
  | { reserve: { member: string; basket?: unknown; ttl?: number; key?: string; other_codes?: string[] } }
  | { redeem: { order: string; key?: string } }
  | { release: true }
  | { return: { order: string; whole: boolean } }
  | { advance: number }
  | { sweep: true }
  | { issue: { member: string; key: string } };

interface Scenario {
  description: string;
  given: { template: Record<string, unknown>; members: string[]; shared?: string };
  when: Step[];
  expect: { outcomes: string[]; states?: Record<string, string>; budget?: { count: number; value: string } };
}

const AMOUNT = { kind: 'amount_off', amount: '20' };
const scenarios: Scenario[] = [
  {
    description: 'reserve then redeem: the coupon is redeemed with its discount',
    given: { template: AMOUNT, members: ['m1'] },
    when: [{ reserve: { member: 'm1' } }, { redeem: { order: 'O1' } }],
    expect: { outcomes: ['ok 20.0000', 'ok 20.0000'], states: { m1: 'redeemed' } },
  },
  {
    description: 'a basket below the threshold is refused with the reason and nothing is reserved',
    given: { template: { kind: 'threshold', spend: '200', off: '30' }, members: ['m1'] },
    when: [{ reserve: { member: 'm1', basket: SMALL } }],
    expect: { outcomes: ['not_applicable below_threshold'], states: { m1: 'issued' } },
  },
  {
    description: 'a code reserved by one till cannot be reserved by another; redeemed cannot be redeemed again',
    given: { template: AMOUNT, members: ['m1'] },
    when: [{ reserve: { member: 'm1' } }, { reserve: { member: 'm1' } }, { redeem: { order: 'O1' } }, { redeem: { order: 'O2', key: 'other' } }],
    expect: { outcomes: ['ok 20.0000', 'coupon_reserved', 'ok 20.0000', 'coupon_redeemed'], states: { m1: 'redeemed' } },
  },
  {
    description: 'the same key with the same request returns the first result; with another request it is refused',
    given: { template: AMOUNT, members: ['m1'] },
    when: [{ reserve: { member: 'm1', key: 'K' } }, { reserve: { member: 'm1', key: 'K' } }, { reserve: { member: 'm1', key: 'K', basket: SMALL } }],
    expect: { outcomes: ['ok 20.0000', 'ok 20.0000', 'idempotency_conflict'], states: { m1: 'reserved' } },
  },
  {
    description: 'budget of 2 coupons: the third reservation is refused',
    given: { template: { ...AMOUNT, budget: { count: 2 } }, members: ['m1', 'm2', 'm3'] },
    when: [{ reserve: { member: 'm1' } }, { reserve: { member: 'm2' } }, { reserve: { member: 'm3' } }],
    expect: { outcomes: ['ok 20.0000', 'ok 20.0000', 'budget_exhausted count'], states: { m1: 'reserved', m2: 'reserved', m3: 'issued' }, budget: { count: 2, value: '40.0000' } },
  },
  {
    description: 'budget in value: 50 allows two coupons of 20, not a third',
    given: { template: { ...AMOUNT, budget: { value: '50' } }, members: ['m1', 'm2', 'm3'] },
    when: [{ reserve: { member: 'm1' } }, { reserve: { member: 'm2' } }, { reserve: { member: 'm3' } }],
    expect: { outcomes: ['ok 20.0000', 'ok 20.0000', 'budget_exhausted value'], budget: { count: 2, value: '40.0000' } },
  },
  {
    description: 'a daily budget opens again the next day',
    given: { template: { ...AMOUNT, budget: { daily_count: 1 } }, members: ['m1', 'm2'] },
    when: [{ reserve: { member: 'm1' } }, { redeem: { order: 'O1' } }, { reserve: { member: 'm2' } }, { advance: 86_400 }, { reserve: { member: 'm2' } }],
    expect: { outcomes: ['ok 20.0000', 'ok 20.0000', 'budget_exhausted daily_count', 'ok 20.0000'], budget: { count: 2, value: '40.0000' } },
  },
  {
    description: 'a lapsed reservation gives its budget back: another member can reserve, the lapsed one cannot be redeemed',
    given: { template: { ...AMOUNT, budget: { count: 1 } }, members: ['m1', 'm2'] },
    when: [{ reserve: { member: 'm1', ttl: 60 } }, { reserve: { member: 'm2' } }, { advance: 61 }, { reserve: { member: 'm2' } }, { redeem: { order: 'O2' } }],
    expect: { outcomes: ['ok 20.0000', 'budget_exhausted count', 'ok 20.0000', 'ok 20.0000'], states: { m1: 'issued', m2: 'redeemed' }, budget: { count: 1, value: '20.0000' } },
  },
  {
    description: 'redeeming after the time-to-live is refused; the sweep returns the coupon and the budget',
    given: { template: { ...AMOUNT, budget: { count: 5 } }, members: ['m1'] },
    when: [{ reserve: { member: 'm1', ttl: 60 } }, { advance: 120 }, { redeem: { order: 'O1' } }, { sweep: true }],
    expect: { outcomes: ['ok 20.0000', 'reservation_lapsed', 'swept 1'], states: { m1: 'issued' }, budget: { count: 0, value: '0.0000' } },
  },
  {
    description: 'release gives the coupon and the budget back',
    given: { template: { ...AMOUNT, budget: { count: 1 } }, members: ['m1'] },
    when: [{ reserve: { member: 'm1' } }, { release: true }, { reserve: { member: 'm1' } }],
    expect: { outcomes: ['ok 20.0000', 'released 1', 'ok 20.0000'], states: { m1: 'reserved' }, budget: { count: 1, value: '20.0000' } },
  },
  {
    description: 'a whole return re-issues the coupon while valid and gives the budget back',
    given: { template: { ...AMOUNT, budget: { count: 1 } }, members: ['m1'] },
    when: [{ reserve: { member: 'm1' } }, { redeem: { order: 'O1' } }, { return: { order: 'O1', whole: true } }, { reserve: { member: 'm1' } }],
    expect: { outcomes: ['ok 20.0000', 'ok 20.0000', 'returned issued', 'ok 20.0000'], states: { m1: 'reserved' }, budget: { count: 1, value: '20.0000' } },
  },
  {
    description: 'a whole return after the coupon expired voids it',
    given: { template: { ...AMOUNT, validity: { days_after_issue: 1 } }, members: ['m1'] },
    when: [{ reserve: { member: 'm1' } }, { redeem: { order: 'O1' } }, { advance: 2 * 86_400 }, { return: { order: 'O1', whole: true } }],
    expect: { outcomes: ['ok 20.0000', 'ok 20.0000', 'returned void'], states: { m1: 'void' } },
  },
  {
    description: 'a partial return keeps the coupon redeemed',
    given: { template: { ...AMOUNT, budget: { count: 1 } }, members: ['m1'] },
    when: [{ reserve: { member: 'm1' } }, { redeem: { order: 'O1' } }, { return: { order: 'O1', whole: false } }],
    expect: { outcomes: ['ok 20.0000', 'ok 20.0000', 'returned redeemed'], states: { m1: 'redeemed' }, budget: { count: 1, value: '20.0000' } },
  },
  {
    description: 'an expired coupon is refused at the till',
    given: { template: { ...AMOUNT, validity: { days_after_issue: 7 } }, members: ['m1'] },
    when: [{ advance: 8 * 86_400 }, { reserve: { member: 'm1' } }],
    expect: { outcomes: ['not_applicable coupon_expired'], states: { m1: 'expired' } },
  },
  {
    description: 'per-member limit of 1: a second coupon of the template is not issued',
    given: { template: { ...AMOUNT, per_member_limit: 1 }, members: ['m1'] },
    when: [{ issue: { member: 'm1', key: 'again' } }, { issue: { member: 'm2', key: 'first-m2' } }],
    expect: { outcomes: ['member_limit_reached', 'issued'] },
  },
  {
    description: 'a shared code: each member redeems their own coupon of it once',
    given: { template: AMOUNT, members: ['m1', 'm2'], shared: 'WELCOME20' },
    when: [{ reserve: { member: 'm1' } }, { redeem: { order: 'O1' } }, { reserve: { member: 'm2' } }, { redeem: { order: 'O2' } }, { reserve: { member: 'm1', key: 'again' } }],
    expect: { outcomes: ['ok 20.0000', 'ok 20.0000', 'ok 20.0000', 'ok 20.0000', 'coupon_redeemed'], states: { m1: 'redeemed', m2: 'redeemed' } },
  },
  {
    description: "another member's unique code is not theirs; an unknown code is unknown",
    given: { template: AMOUNT, members: ['m1', 'm2'] },
    when: [{ reserve: { member: 'm2', other_codes: ['m1'] } }, { reserve: { member: 'm2', other_codes: ['NOPE-1'] } }],
    expect: { outcomes: ['not_your_coupon', 'unknown_code'] },
  },
];

for (const engine of ENGINES) {
  for (const s of scenarios) {
    test(`${engine}: ${s.description}`, async (t) => {
      const box = await opSandbox(engine);
      if ('skip' in box) return t.skip(box.skip);
      try {
        const store = box.store;
        const clock = movableClock('2026-06-15T10:00:00Z');
        const setup = await setUp(store, clock, s.given.template, s.given.members, s.given.shared === undefined ? undefined : { shared: s.given.shared });
        const code = (m: string): string => setup.codes.get(m) ?? m;
        const outcomes: string[] = [];
        let reservation = '';
        let n = 0;
        for (const step of s.when) {
          n++;
          if ('reserve' in step) {
            const r = step.reserve;
            const res = await reserve(store, clock, {
              key: r.key ?? `k${n}`,
              member_id: r.member,
              codes: (r.other_codes ?? [r.member]).map(code),
              basket: basketOf(r.basket ?? BASKET),
              ...(r.ttl === undefined ? {} : { ttl_seconds: r.ttl }),
            });
            if (res.ok) reservation = res.value.reservation_id;
            outcomes.push(
              res.ok
                ? `ok ${res.value.total_discount}`
                : res.error.type === 'not_applicable'
                  ? `not_applicable ${res.error.reasons.map((x) => x.reason.type).join(',')}`
                  : res.error.type === 'budget_exhausted'
                    ? `budget_exhausted ${res.error.limit}`
                    : res.error.type,
            );
          } else if ('redeem' in step) {
            const res = await redeem(store, clock, { key: step.redeem.key ?? `k${n}`, reservation_id: reservation, order_id: step.redeem.order });
            outcomes.push(res.ok ? `ok ${res.value.total_discount}` : res.error.type);
          } else if ('release' in step) {
            const res = await release(store, clock, { key: `k${n}`, reservation_id: reservation });
            outcomes.push(res.ok ? `released ${res.value.released.length}` : res.error.type);
          } else if ('return' in step) {
            const res = await returnOrder(store, clock, { key: `k${n}`, order_id: step.return.order, whole: step.return.whole });
            outcomes.push(res.ok ? `returned ${res.value.coupons.map((c) => c.state).join(',')}` : res.error.type);
          } else if ('advance' in step) {
            clock.advance(step.advance);
          } else if ('sweep' in step) {
            outcomes.push(`swept ${await sweepLapsed(store, clock)}`);
          } else {
            const res = await issueCoupon(store, clock, { key: step.issue.key, batch_id: setup.batch_id, member_id: step.issue.member });
            outcomes.push(res.ok ? 'issued' : res.error.type);
          }
        }
        assert.deepEqual(outcomes, s.expect.outcomes);
        for (const [member, state] of Object.entries(s.expect.states ?? {})) {
          const held = await memberCoupons(store, clock, member);
          assert.equal(held[0]?.state, state, `${member}'s coupon`);
        }
        if (s.expect.budget !== undefined) {
          const total = (await budgetUse(store, setup.template_id)).find((b) => b.day === 'total');
          assert.deepEqual({ count: Number(total?.used_count ?? -1n), value: fromUnits(total?.used_value ?? -1n) }, s.expect.budget);
        }
      } finally {
        await box.close();
      }
    });
  }

  test(`${engine}: validate says which discount applies and why not, and changes nothing; every change is audited`, async (t) => {
    const box = await opSandbox(engine);
    if ('skip' in box) return t.skip(box.skip);
    try {
      const clock = movableClock('2026-06-15T10:00:00Z');
      const a = await setUp(box.store, clock, { kind: 'percent_off', percent: '15', stacking: { with: ['free_shipping', 'threshold'], order: 1 } }, ['m1']);
      const b = await setUp(box.store, clock, { kind: 'free_shipping', stacking: { with: ['percent_off', 'threshold'], order: 2 } }, ['m1']);
      const c = await setUp(box.store, clock, { kind: 'threshold', spend: '500', off: '50', stacking: { with: ['*'], order: 3 } }, ['m1']);
      const codes = [a.codes.get('m1') ?? '', b.codes.get('m1') ?? '', c.codes.get('m1') ?? '', 'NOPE-9'];
      const v = await validateCodes(box.store, clock, { member_id: 'm1', codes, basket: basketOf(BASKET) });
      assert.deepEqual(
        v.coupons.map((x) => (x.applicable ? [x.code, x.discount] : [x.code, x.reason.type])),
        [
          ['NOPE-9', 'unknown_code'],
          [codes[0], '29.9700'],
          [codes[1], '10.0000'],
          [codes[2], 'below_threshold'],
        ],
      );
      assert.equal(v.to_pay, '169.8300');
      assert.equal((await memberCoupons(box.store, clock, 'm1')).filter((x) => x.state === 'issued').length, 3);
      const r = await reserve(box.store, clock, { key: 'r1', member_id: 'm1', codes: codes.slice(0, 2), basket: basketOf(BASKET) });
      assert.ok(r.ok);
      assert.equal(r.value.to_pay, '169.8300');
      const d = await redeem(box.store, clock, { key: 'd1', reservation_id: r.value.reservation_id, order_id: 'O9' });
      assert.ok(d.ok);
      const again = await redeem(box.store, clock, { key: 'd1', reservation_id: r.value.reservation_id, order_id: 'O9' });
      assert.deepEqual(again, d);
      const actions = (await readAudit(box.store, { action: 'coupons.' })).map((e) => e.action);
      assert.deepEqual(actions.slice(0, 2), ['coupons.redeem', 'coupons.reserve']);
    } finally {
      await box.close();
    }
  });
}
