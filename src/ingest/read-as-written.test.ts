import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accounted, readCsv, sandbox } from '../testing/index.js';

const RETAIL = 'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country';

test('amounts are read as written: a decimal comma is refused with the flag, never read as hundreds', async () => {
  const s = await sandbox();
  try {
    const f = s.write(
      'orders.csv',
      [
        'channel,order_id,buyer_id,created_at,item_total',
        'web,o1,u1,2024-01-01 10:00:00,"12,50"',
        'web,o2,u2,2024-01-01 10:00:00,"1.234,50"',
        'web,o3,u3,2024-01-01 10:00:00,"1,234.50"',
        'web,o4,u4,2024-01-01 10:00:00,0x10',
        'web,o5,u5,2024-01-01 10:00:00,1e3',
      ].join('\n'),
    );
    const r = await s.import(f);
    assert.deepEqual([r.loaded, r.rejected], [1, 4]);
    const rejects = readCsv(r.rejects_file ?? '');
    const byLine = new Map(rejects.map((x) => [x['line'], x]));
    assert.match(byLine.get('2')?.['reason'] ?? '', /decimal comma.*--decimal-separator ,/);
    assert.equal(byLine.get('2')?.['value'], '12,50');
    assert.match(byLine.get('3')?.['reason'] ?? '', /decimal comma/);
    assert.match(byLine.get('5')?.['reason'] ?? '', /not an amount/);
    const ok = await s.db.one("SELECT item_total::VARCHAR AS v FROM orders WHERE order_id = 'o3'");
    assert.equal(ok?.['v'], '1234.5000');
    const s2 = await sandbox();
    try {
      const again = await s2.import(f, { decimalSeparator: ',' });
      const values = await s2.db.all('SELECT order_id, item_total::VARCHAR AS v FROM orders ORDER BY order_id');
      assert.deepEqual(values, [
        { order_id: 'o1', v: '12.5000' },
        { order_id: 'o2', v: '1234.5000' },
      ]);
      assert.equal(again.rejected, 3, 'with decimal commas, 1,234.50 is refused in turn');
    } finally {
      s2.close();
    }
  } finally {
    s.close();
  }
});

test('Online Retail: UnitPrice "1,85" is rejected, CustomerID 1.7850E+04 is refused, quantities stay exact', async () => {
  const s = await sandbox();
  try {
    const f = s.write(
      'retail.csv',
      [
        RETAIL,
        '536365,85123A,HEART,6,2010-12-01 08:26:00,"1,85",17850,United Kingdom',
        '536366,22633,HAND WARMER,2.5,2010-12-01 08:28:00,1.85,17850,United Kingdom',
        '536367,22633,HAND WARMER,1,2010-12-01 08:29:00,1.85,1.7850E+04,United Kingdom',
        '536368,22633,HAND WARMER,0x10,2010-12-01 08:30:00,1.85,17850,United Kingdom',
      ].join('\n'),
    );
    const r = await s.import(f, { preset: 'online-retail' });
    assert.equal(accounted(r), r.rows_read);
    const rejects = readCsv(r.rejects_file ?? '');
    assert.deepEqual([...new Set(rejects.map((x) => `${x['line']} ${x['field']}`))], ['2 unit_price', '4 buyer_id', '5 quantity']);
    assert.match(rejects.find((x) => x['field'] === 'buyer_id')?.['reason'] ?? '', /scientific notation/);
    const q = await s.db.one("SELECT quantity::VARCHAR AS q, amount::VARCHAR AS a FROM order_lines WHERE order_id = '536366'");
    assert.deepEqual(q, { q: '2.5000', a: '4.6250' }, '2.5 stays 2.5 (goods sold by weight)');
  } finally {
    s.close();
  }
});

test('whole numbers are read as written: line_no 2.5 and 0x10 are rejected, not rounded or read as hex', async () => {
  const s = await sandbox();
  try {
    const f = s.write('order_lines.csv', ['channel,order_id,line_no,sku,quantity,unit_price', 'web,o1,1,A,1,1.00', 'web,o1,2.5,B,1,1.00', 'web,o1,0x10,C,1,1.00'].join('\n'));
    const r = await s.import(f);
    assert.deepEqual([r.loaded, r.rejected], [1, 2]);
    const rejects = readCsv(r.rejects_file ?? '');
    assert.deepEqual(
      rejects.map((x) => [x['line'], x['field'], x['reason']]),
      [
        ['3', 'line_no', 'is not a whole number'],
        ['4', 'line_no', 'is not a whole number'],
      ],
    );
  } finally {
    s.close();
  }
});

test('day/month dates get one reading per file, judged from the dates that read one way only', async () => {
  const s = await sandbox();
  try {
    const dayFirst = s.write('retail.csv', [RETAIL, '536365,85123A,HEART,1,03/12/2010 08:26,2.55,17850,United Kingdom', '536366,85123A,HEART,1,13/12/2010 08:26,2.55,17850,United Kingdom'].join('\n'));
    const r = await s.import(dayFirst, { preset: 'online-retail' });
    assert.equal(r.loaded, 2);
    const days = await s.db.all("SELECT order_id, strftime(created_at, '%Y-%m-%d') AS d FROM orders ORDER BY order_id");
    assert.deepEqual(
      days,
      [
        { order_id: '536365', d: '2010-12-03' },
        { order_id: '536366', d: '2010-12-13' },
      ],
      '03/12 is December, as 13/12 shows',
    );

    const mixed = s.write(
      'retail-mixed.csv',
      [
        RETAIL,
        '536367,85123A,HEART,1,12/25/2010 08:26,2.55,17850,United Kingdom',
        '536368,85123A,HEART,1,12/26/2010 08:26,2.55,17850,United Kingdom',
        '536369,85123A,HEART,1,27/12/2010 08:26,2.55,17850,United Kingdom',
      ].join('\n'),
    );
    const m = await s.import(mixed, { preset: 'online-retail' });
    assert.deepEqual([m.loaded, m.rejected], [2, 1]);
    assert.equal(m.notices[0]?.code, 'dates_both_ways');
    assert.match(m.notices[0]?.message ?? '', /--date-order/);

    const ambiguous = s.write('retail-ambiguous.csv', [RETAIL, '536370,85123A,HEART,1,01/02/2011 08:26,2.55,17850,United Kingdom'].join('\n'));
    const a = await s.import(ambiguous, { preset: 'online-retail' });
    assert.equal(a.notices[0]?.code, 'dates_ambiguous');
    const settled = s.write('retail-ambiguous-2.csv', [RETAIL, '536371,85123A,HEART,1,01/02/2011 08:26,2.55,17850,United Kingdom'].join('\n'));
    await s.import(settled, { preset: 'online-retail', dateOrder: 'dmy' });
    const d = await s.db.all("SELECT order_id, strftime(created_at, '%Y-%m-%d') AS d FROM orders WHERE order_id IN ('536370', '536371') ORDER BY order_id");
    assert.deepEqual(d, [
      { order_id: '536370', d: '2011-01-02' },
      { order_id: '536371', d: '2011-02-01' },
    ]);
  } finally {
    s.close();
  }
});

test("a returns file without line_no (optional) loads, numbering each return's lines in file order", async () => {
  const s = await sandbox();
  try {
    const f = s.write(
      'returns.csv',
      [
        'channel,return_id,order_id,buyer_id,sku,quantity,amount,returned_at',
        'shop,r1,o1,c1,A,1,10.00,2024-03-10 12:00:00',
        'shop,r1,o1,c1,B,2,6.00,2024-03-10 12:00:00',
        'shop,r2,o2,c2,A,1,10.00,2024-03-11 12:00:00',
      ].join('\n'),
    );
    const r = await s.import(f);
    assert.deepEqual([r.return, r.rejected], [3, 0]);
    const lines = await s.db.all('SELECT return_id, line_no, sku FROM returns ORDER BY return_id, line_no');
    assert.deepEqual(lines, [
      { return_id: 'r1', line_no: 1, sku: 'A' },
      { return_id: 'r1', line_no: 2, sku: 'B' },
      { return_id: 'r2', line_no: 1, sku: 'A' },
    ]);
    const again = await s.import(f);
    assert.deepEqual([again.return, again.duplicate], [0, 3]);
  } finally {
    s.close();
  }
});
