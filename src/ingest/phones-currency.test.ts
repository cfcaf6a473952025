import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clock, countOf, sandbox } from '../testing/index.js';
import { setSetting } from '../core/settings/index.js';
import { FileRefused } from './index.js';

const HEADER = 'Name,Email,Financial Status,Paid at,Currency,Subtotal,Total,Created at,Lineitem quantity,Lineitem name,Lineitem price,Billing Name,Billing Phone,Billing Country,Shipping Country';

test("phones are read in the buyer's country; Excel's apostrophe guard does not hide the +", async () => {
  const s = await sandbox();
  try {
    await setSetting(s.db, clock, 'shop.currency', 'USD');
    const f = s.write(
      'orders_export.csv',
      [
        HEADER,
        '#1001,,paid,2024-03-01 10:01:00 +0000,USD,10.00,10.00,2024-03-01 10:00:00 +0000,1,Mug,10.00,Ann,(415) 555-0132,US,',
        "#1002,,paid,2024-03-01 10:01:00 +0000,USD,10.00,10.00,2024-03-01 11:00:00 +0000,1,Mug,10.00,Sven,'+46 70 123 45 67,,SE",
        '#1003,,paid,2024-03-01 10:01:00 +0000,USD,10.00,10.00,2024-03-01 12:00:00 +0000,1,Mug,10.00,Li,13800138000,,',
      ].join('\n'),
    );
    const r = await s.import(f, { preset: 'shopify' });
    assert.equal(r.rejected, 0);
    const phones = (await s.db.all("SELECT value FROM identities WHERE kind = 'phone' ORDER BY value")).map((x) => x['value']);
    assert.deepEqual(phones, ['+14155550132', '+46701234567', '+8613800138000'], 'a US number stays American; no country falls back to the default (86)');
  } finally {
    s.close();
  }
});

test("an export in another currency than the shop's is refused, naming the setting that settles it", async () => {
  const s = await sandbox();
  try {
    const f = s.write('orders_export.csv', [HEADER, '#1001,a@example.com,paid,2024-03-01 10:01:00 +0000,USD,10.00,10.00,2024-03-01 10:00:00 +0000,1,Mug,10.00,Ann,,US,'].join('\n'));
    await assert.rejects(s.import(f, { preset: 'shopify' }), (e: unknown) => e instanceof FileRefused && /in USD .*currency is CNY.*settings set shop\.currency USD/.test(e.message));
    assert.equal(await countOf(s.db, 'SELECT * FROM orders'), 0);
    await setSetting(s.db, clock, 'shop.currency', 'USD');
    const r = await s.import(f, { preset: 'shopify' });
    assert.equal(r.loaded, 1);
  } finally {
    s.close();
  }
});
