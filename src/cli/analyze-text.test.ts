import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { sandbox } from '../testing/index.js';
import { cli } from '../testing/processes.js';

test('analyze prints the KPI tree and the review from their typed results', async () => {
  const s = await sandbox();
  try {
    const db = join(s.dir, 'text.duckdb');
    const orders = s.write(
      'orders.csv',
      [
        'channel,order_id,buyer_id,created_at,paid_at,status',
        'web,o1,A,2024-06-01 10:00:00,2024-06-01 10:00:00,paid', // the previous 28 days
        'web,o2,A,2024-06-25 10:00:00,2024-06-25 10:00:00,paid', // A returning
        'shop,o3,B,2024-06-28 10:00:00,2024-06-28 10:00:00,paid', // B new
      ].join('\n'),
    );
    const lines = s.write('order_lines.csv', ['channel,order_id,line_no,sku,quantity,unit_price', 'web,o1,1,X,1,20.00', 'web,o2,1,X,2,30.50', 'shop,o3,1,X,1,40.00'].join('\n'));
    const imported = await cli(['import', orders, lines, '--db', db, '--rejects', join(s.dir, 'rj')]);
    assert.equal(imported.code, 0, imported.stderr);

    const kpi = await cli(['analyze', 'kpi', '--db', db, '--as-of', '2024-06-30', '--by', 'channel']);
    assert.equal(kpi.code, 0, kpi.stderr);
    const text = kpi.stdout.split('\n').map((l) => l.replace(/\s+/g, ' ').trim());
    // The summary: one row per period (gross, net, orders, buyers, new, returning, guest orders).
    assert.ok(
      text.some((l) => l.startsWith('current 101.0000 101.0000 2 2 1 1 0')),
      kpi.stdout,
    );
    assert.ok(
      text.some((l) => l.startsWith('previous 20.0000 20.0000 1 1 1 0 0')),
      kpi.stdout,
    );
    // Each comparison's change and its branches by channel.
    assert.ok(text.includes('against previous period (2024-05-06..2024-06-02): change 81.00 = sum of contributions 81.00'), kpi.stdout);
    assert.ok(text.includes('dim branch base_gross gross appeared disappeared'), kpi.stdout);
    assert.ok(text.includes('What moved sales: from the previous period (2024-05-06 – 2024-06-02) to this one'), kpi.stdout);
    assert.doesNotMatch(kpi.stdout, /\{\w+\}/, 'no placeholder is printed unfilled');
    assert.ok(text.includes('web returning 0.0000 61.0000 61.00'), kpi.stdout);
    assert.ok(text.includes('web new 20.0000 0.0000 -20.00'), kpi.stdout);
    // The traffic view names the channels without visit data.
    assert.ok(
      text.some((l) => l.startsWith('shop: no visit data')),
      kpi.stdout,
    );

    const review = await cli(['analyze', 'review', '--db', db, '--as-of', '2024-06-30', '--out', join(s.dir, 'out')]);
    assert.equal(review.code, 0, review.stderr);
    assert.match(review.stdout, /^# Weekly business review, 2024-06-24 to 2024-06-30\n/);
    assert.match(review.stdout, /Gross sales were 101\.00, .* 2 buyers \(1 new, 1 returning, 0 guest orders\) placed 2 orders worth 50\.50 on average\./);
    assert.match(review.stderr, /review-2024-06-24_2024-06-30\.md and .*\.html/);
  } finally {
    s.close();
  }
});
