import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clock, countOf, readCsv, sandbox } from '../testing/index.js';
import { setSetting } from '../core/settings/index.js';
import { FileRefused } from './index.js';

const SHOPIFY = 'Name,Email,Financial Status,Paid at,Created at,Lineitem quantity,Lineitem price';

test('offsets that all differ from a never-set shop time zone refuse the file, naming the setting', async () => {
  const s = await sandbox();
  try {
    const f = s.write(
      'orders_export.csv',
      [SHOPIFY, '#1001,a@example.com,paid,2024-03-01 23:30:00 -0500,2024-03-01 23:30:00 -0500,1,10.00', '#1002,b@example.com,paid,2024-03-02 09:00:00 -0500,2024-03-02 09:00:00 -0500,1,10.00'].join(
        '\n',
      ),
    );
    await assert.rejects(s.import(f, { preset: 'shopify' }), (e: unknown) => e instanceof FileRefused && /offset \(such as -0500\).*settings set shop\.timezone/.test(e.message));
    assert.equal(await countOf(s.db, 'SELECT * FROM orders'), 0);
    await setSetting(s.db, clock, 'shop.timezone', 'America/New_York');
    const r = await s.import(f, { preset: 'shopify' });
    assert.deepEqual([r.loaded, r.notices.length], [2, 0]);
    const day = await s.db.one("SELECT strftime(created_at, '%Y-%m-%d %H:%M') AS t FROM orders WHERE order_id = '#1001'");
    assert.equal(day?.['t'], '2024-03-01 23:30', "the order stays on the shop's day");
  } finally {
    s.close();
  }
});

test('a date far after the import is rejected; one just after it is reported', async () => {
  const s = await sandbox();
  try {
    // The test clock says 2026-01-01.
    const f = s.write('orders.csv', ['channel,order_id,buyer_id,created_at', 'web,o1,u1,2025-12-30 10:00:00', 'web,o2,u2,2099-01-01 10:00:00', 'web,o3,u3,2026-02-01 10:00:00'].join('\n'));
    const r = await s.import(f);
    assert.deepEqual([r.loaded, r.rejected], [2, 1]);
    const rejects = readCsv(r.rejects_file ?? '');
    assert.deepEqual([rejects[0]?.['line'], rejects[0]?.['field']], ['3', 'created_at']);
    assert.match(rejects[0]?.['reason'] ?? '', /more than a year after the import/);
    assert.equal(r.notices[0]?.code, 'future_dates');
  } finally {
    s.close();
  }
});
