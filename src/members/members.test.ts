import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sandbox } from '../testing/index.js';
import { findMember, memberBaseStats, memberView } from './index.js';

test('member 360: identities per channel, orders, returns, events, consents, purchases, merge history; stats per channel', async () => {
  const s = await sandbox();
  try {
    await s.import(s.write('members.csv', ['channel,external_id,phone,email,name,registered_at', 'shop,c1,13800138000,ann@example.com,Ann,2024-01-01 09:00:00'].join('\n')));
    await s.import(s.write('members-2.csv', ['channel,external_id,phone,registered_at', 'tmall,tb_ann,13800138000,2024-02-01 09:00:00'].join('\n')));
    await s.import(
      s.write(
        'orders.csv',
        [
          'channel,order_id,buyer_id,created_at,paid_at,cancelled_at,status',
          'shop,o1,c1,2024-03-01 10:00:00,2024-03-01 10:01:00,,paid',
          'tmall,t1,tb_ann,2024-04-01 10:00:00,2024-04-01 10:00:00,,completed',
          'tmall,t2,tb_ann,2024-05-01 10:00:00,,2024-05-01 12:00:00,cancelled',
          'shop,o9,,2024-03-02 10:00:00,2024-03-02 10:00:00,,paid',
        ].join('\n'),
      ),
    );
    await s.import(
      s.write(
        'order_lines.csv',
        [
          'channel,order_id,line_no,sku,line_type,quantity,unit_price',
          'shop,o1,1,A,product,2,10.005',
          'shop,o1,2,POST,postage,1,8.00',
          'tmall,t1,1,B,product,1,99.90',
          'tmall,t2,1,B,product,1,99.90',
          'shop,o9,1,A,product,1,10.00',
        ].join('\n'),
      ),
    );
    await s.import(
      s.write('returns.csv', ['channel,return_id,line_no,order_id,order_line_no,buyer_id,sku,quantity,amount,returned_at', 'tmall,r1,1,t1,1,tb_ann,B,1,99.90,2024-04-10 10:00:00'].join('\n')),
    );
    await s.import(
      s.write(
        'events.csv',
        ['channel,event_id,type,at,buyer_id', 'shop,e1,visit,2024-02-28 10:00:00,c1', 'shop,e2,view,2024-02-28 10:01:00,c1', 'tmall,e3,view,2024-03-28 10:01:00,tb_ann'].join('\n'),
      ),
    );
    await s.import(
      s.write(
        'consents.csv',
        ['channel,external_id,contact_channel,status,at,source', 'shop,c1,sms,granted,2024-01-01 09:00:00,signup', 'shop,c1,sms,withdrawn,2024-06-01 09:00:00,STOP reply'].join('\n'),
      ),
    );

    const id = await findMember(s.db, 'tmall:tb_ann');
    assert.equal(await findMember(s.db, 'ANN@example.com'), id);
    const v = await memberView(s.db, id);
    assert.deepEqual(
      v.identities.map((r) => `${String(r['kind'])}:${String(r['channel'] ?? '')}:${String(r['value'])}`),
      ['email::ann@example.com', 'phone::+8613800138000', 'account:shop:c1', 'account:tmall:tb_ann'],
    );
    assert.deepEqual(
      v.orders.map((r) => [r['order_id'], r['is_purchase'], r['product_value']]),
      [
        ['o1', true, '20.0100'],
        ['t1', true, '99.9000'],
        ['t2', false, '99.9000'],
      ],
    );
    assert.deepEqual(v.summary, { purchases: '2', first_purchase: '2024-03-01 10:00:00', last_purchase: '2024-04-01 10:00:00', gross: '119.9100' });
    assert.equal(v.returns.length, 1);
    assert.deepEqual(
      v.events.map((r) => [r['type'], String(r['count'])]),
      [
        ['view', '2'],
        ['visit', '1'],
      ],
    );
    assert.deepEqual(
      v.consents.map((r) => [r['contact_channel'], r['status'], r['source']]),
      [['sms', 'withdrawn', 'STOP reply']],
    );
    const joins = v.merges.filter((m) => m['action'] === 'join');
    assert.deepEqual(
      joins.map((m) => [m['detail'], m['via_kind']]),
      [['account tmall:tb_ann joined', 'phone']],
      'the tmall account joined by phone in a later import',
    );

    const stats = await memberBaseStats(s.db);
    assert.equal(stats.totals['members'], '1');
    assert.deepEqual(
      stats.channels.map((c) => [c['channel'], c['orders'], c['purchases'], c['guest_orders'], c['gross'], c['refunds'], c['net']]),
      [
        ['shop', '2', '2', '1', '30.0100', '0.0000', '30.0100'],
        ['tmall', '2', '1', '0', '99.9000', '99.9000', '0.0000'],
      ],
    );
    assert.deepEqual([stats.totals['gross'], stats.totals['refunds'], stats.totals['net']], ['129.9100', '99.9000', '30.0100']);
  } finally {
    s.close();
  }
});
