/** The discount calculation on baskets: every template kind, stacking, rounding, limits. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromUnits } from '../core/decimal.js';
import { evaluateBasket, type Presented } from './discount.js';
import { parseBasket } from './basket.js';
import { validateTemplate, type Template } from './template.js';

const NOW = new Date('2026-06-15T10:00:00Z');

function tpl(json: Record<string, unknown>): Template {
  const v = validateTemplate({ name: 't', ...json });
  if (!v.ok) throw new Error(JSON.stringify(v.errors));
  return v.template;
}
const present = (code: string, json: Record<string, unknown>, extra: Partial<Presented> = {}): Presented => ({
  code,
  template: tpl(json),
  valid_from: null,
  valid_until: null,
  member_used: 0,
  ...extra,
});
const basket = (json: unknown) => {
  const b = parseBasket(json);
  if (!b.ok) throw new Error(JSON.stringify(b.errors));
  return b.basket;
};

const SHIRT = { sku: 'SHIRT', quantity: 2, unit_price: '99.90', category: 'apparel', brand: 'acme' };
const MUG = { sku: 'MUG', quantity: 1, unit_price: '33.33', category: 'home', brand: 'other' };

type Expect = Array<[code: string, discount: string] | [code: string, reason: string, 'refused']>;
const scenarios: Array<{ description: string; given: { coupons: Presented[] }; when: { basket: unknown }; expect: { coupons: Expect; to_pay?: string } }> = [
  {
    description: 'amount off on a qualifying basket',
    given: { coupons: [present('A', { kind: 'amount_off', amount: '20' })] },
    when: { basket: { lines: [SHIRT] } },
    expect: { coupons: [['A', '20.0000']], to_pay: '179.8000' },
  },
  {
    description: 'amount off never exceeds the eligible value',
    given: { coupons: [present('A', { kind: 'amount_off', amount: '50', items: ['MUG'] })] },
    when: { basket: { lines: [SHIRT, MUG] } },
    expect: { coupons: [['A', '33.3300']] },
  },
  {
    description: 'percent off rounds down to the cent: 15% of 33.33 = 4.9995 -> 4.99',
    given: { coupons: [present('P', { kind: 'percent_off', percent: '15' })] },
    when: { basket: { lines: [MUG] } },
    expect: { coupons: [['P', '4.9900']] },
  },
  {
    description: 'percent off is capped',
    given: { coupons: [present('P', { kind: 'percent_off', percent: '50', cap: '30' })] },
    when: { basket: { lines: [SHIRT] } },
    expect: { coupons: [['P', '30.0000']] },
  },
  {
    description: 'threshold 满200减30 met once',
    given: { coupons: [present('T', { kind: 'threshold', spend: '200', off: '30' })] },
    when: { basket: { lines: [SHIRT, MUG] } },
    expect: { coupons: [['T', '30.0000']] },
  },
  {
    description: 'threshold below the spend says how much is eligible',
    given: { coupons: [present('T', { kind: 'threshold', spend: '200', off: '30' })] },
    when: { basket: { lines: [SHIRT] } },
    expect: { coupons: [['T', 'below_threshold', 'refused']] },
  },
  {
    description: 'repeating threshold 每满100减10 on 233.13 gives 20',
    given: { coupons: [present('T', { kind: 'threshold', spend: '100', off: '10', repeat: true })] },
    when: { basket: { lines: [SHIRT, MUG] } },
    expect: { coupons: [['T', '20.0000']] },
  },
  {
    description: 'repeating threshold stops at max_times',
    given: { coupons: [present('T', { kind: 'threshold', spend: '50', off: '10', repeat: true, max_times: 2 })] },
    when: { basket: { lines: [SHIRT, MUG] } },
    expect: { coupons: [['T', '20.0000']] },
  },
  {
    description: 'free item takes the item price off',
    given: { coupons: [present('F', { kind: 'free_item', sku: 'MUG' })] },
    when: { basket: { lines: [SHIRT, MUG] } },
    expect: { coupons: [['F', '33.3300']] },
  },
  {
    description: 'free item absent from the basket',
    given: { coupons: [present('F', { kind: 'free_item', sku: 'MUG' })] },
    when: { basket: { lines: [SHIRT] } },
    expect: { coupons: [['F', 'free_item_missing', 'refused']] },
  },
  {
    description: 'free shipping takes the postage',
    given: { coupons: [present('S', { kind: 'free_shipping' })] },
    when: { basket: { lines: [MUG], shipping: '12' } },
    expect: { coupons: [['S', '12.0000']], to_pay: '33.3300' },
  },
  {
    description: 'free shipping without postage',
    given: { coupons: [present('S', { kind: 'free_shipping' })] },
    when: { basket: { lines: [MUG] } },
    expect: { coupons: [['S', 'no_shipping', 'refused']] },
  },
  {
    description: 'category restriction with no eligible line',
    given: { coupons: [present('A', { kind: 'amount_off', amount: '5', categories: ['shoes'] })] },
    when: { basket: { lines: [SHIRT, MUG] } },
    expect: { coupons: [['A', 'no_eligible_items', 'refused']] },
  },
  {
    description: 'brand restriction picks the brand line',
    given: { coupons: [present('P', { kind: 'percent_off', percent: '10', brands: ['acme'] })] },
    when: { basket: { lines: [SHIRT, MUG] } },
    expect: { coupons: [['P', '19.9800']] },
  },
  {
    description: 'minimum basket not reached',
    given: { coupons: [present('A', { kind: 'amount_off', amount: '5', min_basket: '100' })] },
    when: { basket: { lines: [MUG] } },
    expect: { coupons: [['A', 'below_minimum', 'refused']] },
  },
  {
    description: 'wrong channel',
    given: { coupons: [present('A', { kind: 'amount_off', amount: '5', channels: ['store'] })] },
    when: { basket: { lines: [MUG], channel: 'tmall' } },
    expect: { coupons: [['A', 'wrong_channel', 'refused']] },
  },
  {
    description: 'wrong store',
    given: { coupons: [present('A', { kind: 'amount_off', amount: '5', stores: ['SH01'] })] },
    when: { basket: { lines: [MUG], store: 'BJ02' } },
    expect: { coupons: [['A', 'wrong_store', 'refused']] },
  },
  {
    description: 'expired coupon',
    given: { coupons: [present('A', { kind: 'amount_off', amount: '5' }, { valid_until: '2026-06-01T00:00:00.000Z' })] },
    when: { basket: { lines: [MUG] } },
    expect: { coupons: [['A', 'coupon_expired', 'refused']] },
  },
  {
    description: 'not yet valid coupon',
    given: { coupons: [present('A', { kind: 'amount_off', amount: '5' }, { valid_from: '2026-07-01T00:00:00.000Z' })] },
    when: { basket: { lines: [MUG] } },
    expect: { coupons: [['A', 'coupon_not_yet_valid', 'refused']] },
  },
  {
    description: 'per-member limit reached',
    given: { coupons: [present('A', { kind: 'amount_off', amount: '5', per_member_limit: 1 }, { member_used: 1 })] },
    when: { basket: { lines: [MUG] } },
    expect: { coupons: [['A', 'member_limit_reached', 'refused']] },
  },
  {
    description: 'stacking order: 10% first (order 1) on 233.13 = 23.31, then 满200减30 on 209.82 = 30',
    given: {
      coupons: [
        present('T', { kind: 'threshold', spend: '200', off: '30', stacking: { with: ['percent_off'], order: 2 } }),
        present('P', { kind: 'percent_off', percent: '10', stacking: { with: ['threshold'], order: 1 } }),
      ],
    },
    when: { basket: { lines: [SHIRT, MUG] } },
    expect: {
      coupons: [
        ['P', '23.3100'],
        ['T', '30.0000'],
      ],
      to_pay: '179.8200',
    },
  },
  {
    description: 'stacking order reversed: 满200减30 first leaves 203.13, then 10% = 20.31',
    given: {
      coupons: [
        present('T', { kind: 'threshold', spend: '200', off: '30', stacking: { with: ['percent_off'], order: 1 } }),
        present('P', { kind: 'percent_off', percent: '10', stacking: { with: ['threshold'], order: 2 } }),
      ],
    },
    when: { basket: { lines: [SHIRT, MUG] } },
    expect: {
      coupons: [
        ['T', '30.0000'],
        ['P', '20.3100'],
      ],
    },
  },
  {
    description: 'a later threshold no longer met on what the earlier discount left',
    given: {
      coupons: [
        present('A', { kind: 'amount_off', amount: '40', stacking: { with: ['*'], order: 1 } }),
        present('T', { kind: 'threshold', spend: '200', off: '30', stacking: { with: ['*'], order: 2 } }),
      ],
    },
    when: { basket: { lines: [SHIRT, MUG] } },
    expect: {
      coupons: [
        ['A', '40.0000'],
        ['T', 'below_threshold', 'refused'],
      ],
    },
  },
  {
    description: 'an exclusive coupon combines with nothing: the second presented is refused',
    given: { coupons: [present('X', { kind: 'amount_off', amount: '10', stacking: { exclusive: true } }), present('S', { kind: 'free_shipping', stacking: { with: ['*'] } })] },
    when: { basket: { lines: [MUG], shipping: '8' } },
    expect: {
      coupons: [
        ['X', '10.0000'],
        ['S', 'not_combinable', 'refused'],
      ],
    },
  },
  {
    description: 'stackable only with named kinds: free shipping combines, a second amount off does not',
    given: {
      coupons: [
        present('A', { kind: 'amount_off', amount: '10', stacking: { with: ['free_shipping'] } }),
        present('S', { kind: 'free_shipping', stacking: { with: ['amount_off'] } }),
        present('B', { kind: 'amount_off', amount: '3', stacking: { with: ['free_shipping'] } }),
      ],
    },
    when: { basket: { lines: [MUG], shipping: '8' } },
    expect: {
      coupons: [
        ['A', '10.0000'],
        ['S', '8.0000'],
        ['B', 'not_combinable', 'refused'],
      ],
      to_pay: '23.3300',
    },
  },
];

for (const s of scenarios) {
  test(s.description, () => {
    const e = evaluateBasket(basket(s.when.basket), s.given.coupons, NOW);
    const got = e.coupons.map((c) => (c.ok ? [c.code, fromUnits(c.discount)] : [c.code, c.reason.type, 'refused']));
    assert.deepEqual(got, s.expect.coupons);
    if (s.expect.to_pay !== undefined) assert.equal(fromUnits(e.to_pay), s.expect.to_pay);
    const total = e.coupons.reduce((sum, c) => sum + (c.ok ? c.discount : 0n), 0n);
    assert.equal(e.total_discount, total);
  });
}

test('templates that are wrong name every path', () => {
  const v = validateTemplate({ kind: 'percent_off', percent: '150', validity: { from: '2026-02-01', until: '2026-01-01' }, stacking: { with: ['bogus'] }, budget: { count: 0 } });
  assert.equal(v.ok, false);
  if (v.ok) return;
  assert.deepEqual(v.errors.map((e) => e.path).sort(), ['$.budget.count', '$.name', '$.percent', '$.stacking.with[0]', '$.validity.until']);
});

test('baskets with floats or negative quantities are refused', () => {
  const b = parseBasket({ lines: [{ sku: 'A', quantity: -1, unit_price: 1.5 }] });
  assert.equal(b.ok, false);
  if (b.ok) return;
  assert.deepEqual(
    b.errors.map((e) => e.path),
    ['$.lines[0].quantity', '$.lines[0].unit_price'],
  );
});
