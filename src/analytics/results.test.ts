import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clock, sandbox } from '../testing/index.js';
import { AnalysisError, analyze, refresh, reportResult } from './index.js';

const ORDERS = [
  'channel,order_id,buyer_id,created_at,paid_at,status',
  'web,o1,A,2024-06-01 10:00:00,2024-06-01 10:00:00,paid',
  'web,o2,A,2024-06-25 10:00:00,2024-06-25 10:00:00,paid',
  'shop,o3,B,2024-06-28 10:00:00,2024-06-28 10:00:00,paid',
];
const LINES = ['channel,order_id,line_no,sku,quantity,unit_price', 'web,o1,1,X,1,20.00', 'web,o2,1,X,2,30.50', 'shop,o3,1,X,1,40.00'];

test('report results: computed and stored documents come back typed; a stored document that no longer matches its schema fails naming the report', async () => {
  const s = await sandbox();
  try {
    await s.import(s.write('orders.csv', ORDERS.join('\n')));
    await s.import(s.write('order_lines.csv', LINES.join('\n')));
    const asOf = '2024-06-30';
    const computed = await analyze(s.db, clock, 'kpi', { asOf });
    const stored = await analyze(s.db, clock, 'kpi', { asOf });
    assert.equal(computed.from_store, false);
    assert.equal(stored.from_store, true);
    // 61.00 + 40.00 in the 28 days ending on the as-of date (2024-06-03 to 2024-06-30).
    assert.equal(reportResult('kpi', computed).summary.current.gross_sales, '101.0000');
    assert.deepEqual(reportResult('kpi', stored).summary, reportResult('kpi', computed).summary);
    assert.throws(() => reportResult('links', computed), /expected the links report, got the kpi report/);

    // Every report stored, then the KPI documents broken as an older version might have stored them.
    await refresh(s.db, clock, { asOf });
    const before = await analyze(s.db, clock, 'review', { asOf });
    assert.equal(before.from_store, true);
    assert.match(String(before.result['markdown']), /Gross sales were/);
    for (const row of await s.db.all("SELECT params, result FROM analysis_results WHERE report = 'kpi' AND as_of = $1::DATE", [asOf])) {
      const doc = JSON.parse(String(row['result']));
      doc.summary.current.gross_sales = 101; // a float where the contract says an exact decimal string
      await s.db.run("UPDATE analysis_results SET result = $1 WHERE report = 'kpi' AND as_of = $2::DATE AND params = $3", [JSON.stringify(doc), asOf, String(row['params'])]);
    }
    await s.db.run("DELETE FROM analysis_results WHERE report = 'review'");
    await assert.rejects(
      analyze(s.db, clock, 'review', { asOf }),
      (e: unknown) =>
        e instanceof AnalysisError &&
        /the stored kpi report as of 2024-06-30/.test(e.message) &&
        e.message.includes('/summary/current/gross_sales') &&
        e.message.includes('regulars refresh --only kpi'),
    );
    // Nothing half-written: the review was not stored.
    assert.equal((await s.db.all("SELECT report FROM analysis_results WHERE report = 'review'")).length, 0);
  } finally {
    s.close();
  }
});
