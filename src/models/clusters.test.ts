import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sandbox } from '../testing/index.js';
import { clusterMembers, explain } from './index.js';

test('decision tree: a group defined by a threshold is found as that rule', () => {
  const n = 400;
  const f = Float64Array.from({ length: n }, (_, i) => i % 20);
  const noise = Float64Array.from({ length: n }, (_, i) => (i * 7919) % 13);
  const inGroup = Uint8Array.from(f, (v) => (v > 12 ? 1 : 0));
  const e = explain([noise, f], ['noise', 'f'], inGroup, 3);
  assert.equal(e.accuracy, 1);
  assert.equal(e.recall, 1);
  assert.equal(e.rules.length, 1);
  assert.deepEqual(e.rules[0]?.conditions, [{ feature: 'f', op: '>', value: 12 }]);
  assert.equal(e.rules[0]?.precision, 1);
});

test('clusters: two kinds of members are found (k by silhouette), described in words and separated by rules; replayable', async () => {
  const s = await sandbox();
  try {
    const orders = ['channel,order_id,buyer_id,created_at,paid_at,item_total'];
    const lines = ['channel,order_id,line_no,sku,quantity,unit_price'];
    let n = 0;
    const add = (buyer: string, offset: number, value: string): void => {
      const day = new Date(Date.UTC(2024, 0, 1 + offset)).toISOString().slice(0, 10);
      n++;
      orders.push(`web,o${n},${buyer},${day} 10:00:00,${day} 10:00:00,${value}`);
      lines.push(`web,o${n},1,A,1,${value}`);
    };
    // 60 regulars: every 10 days all year, recent; 90 one-timers early in the year.
    for (let b = 0; b < 60; b++) for (let d = b % 10; d <= 360; d += 10) add(`r${b}`, d, `${30 + (b % 5)}.00`);
    for (let b = 0; b < 90; b++) add(`o${b}`, b % 40, `${20 + (b % 9)}.00`);
    await s.import(s.write('orders.csv', orders.join('\n')));
    await s.import(s.write('order_lines.csv', lines.join('\n')));
    const report = await clusterMembers(s.db, '2024-12-31', { seed: 'test' });
    assert.equal(report.k, 2, `silhouette chose k = ${report.k}`);
    assert.match(report.k_criterion, /silhouette/);
    assert.deepEqual(
      report.clusters.map((c) => c.members),
      [90, 60],
    );
    const [once, regular] = report.clusters;
    assert.match(once?.words ?? '', /lapsing/);
    assert.match(once?.words ?? '', /infrequent/);
    assert.match(regular?.words ?? '', /frequent \(occasions 36\.\d against/);
    for (const c of report.clusters) {
      assert.equal(c.explanation.accuracy, 1, `cluster ${c.cluster} is separated exactly`);
      assert.ok(c.rules.length >= 1);
    }
    const again = await clusterMembers(s.db, '2024-12-31', { seed: 'test' });
    assert.deepEqual(again, report, 'the same seed gives the same clusters');
    await assert.rejects(clusterMembers(s.db, '2024-12-31', { k: 1 }), /k must be/);
  } finally {
    s.close();
  }
});

test('clusters: the category feature separates two groups that RFM alone does not', async () => {
  const s = await sandbox();
  try {
    const orders = ['channel,order_id,buyer_id,created_at,paid_at,item_total'];
    const lines = ['channel,order_id,line_no,sku,quantity,unit_price'];
    let n = 0;
    const add = (buyer: string, offset: number, sku: string, value: string): void => {
      const day = new Date(Date.UTC(2024, 0, 1 + offset)).toISOString().slice(0, 10);
      n++;
      orders.push(`web,o${n},${buyer},${day} 10:00:00,${day} 10:00:00,${value}`);
      lines.push(`web,o${n},1,${sku},1,${value}`);
    };
    // Shoe buyers and book buyers with the same spread of habits: member b of either group buys
    // every (5 + b % 20) days from day b % 7, at 20 + b % 11 a time.
    for (let b = 0; b < 40; b++) {
      for (const [group, sku] of [['s', 'SHOE'] as const, ['k', 'BOOK'] as const]) {
        for (let d = b % 7; d <= 360; d += 5 + (b % 20)) add(`${group}${b}`, d, sku, `${20 + (b % 11)}.00`);
      }
    }
    await s.import(s.write('products.csv', ['sku,name,category_path,brand', 'SHOE,Runner,Shoes > Running,Acme', 'BOOK,Novel,Books > Fiction,Bolt'].join('\n')));
    await s.import(s.write('orders.csv', orders.join('\n')));
    await s.import(s.write('order_lines.csv', lines.join('\n')));
    const groupOf = (report: Awaited<ReturnType<typeof clusterMembers>>): boolean =>
      report.clusters.some((c) => c.rules.length > 0 && c.explanation.accuracy === 1 && c.rules.every((r) => /category:/.test(r)));
    const rfm = await clusterMembers(s.db, '2024-12-31', { seed: 'test', k: 2 });
    assert.deepEqual(rfm.features, ['recency_days', 'occasions', 'mean_value', 'tenure_days']);
    assert.ok(!groupOf(rfm), 'RFM alone has no category rule');
    // Every shoe buyer has a book buyer with the same RFM and tenure: RFM alone puts each such
    // pair in one cluster, so no cluster is one group (its size would then be 40).
    for (const c of rfm.clusters) assert.ok(c.members % 2 === 0 && c.members !== 40, `RFM cluster of ${c.members}`);
    for (const c of rfm.clusters) assert.ok(!/Shoes|Books/.test(c.words));
    const withCategories = await clusterMembers(s.db, '2024-12-31', { seed: 'test', categories: true });
    assert.deepEqual(withCategories.features, ['recency_days', 'occasions', 'mean_value', 'tenure_days', 'category:Books', 'category:Shoes']);
    assert.equal(withCategories.k, 2, `silhouette chose k = ${withCategories.k}`);
    assert.deepEqual(
      withCategories.clusters.map((c) => c.members),
      [40, 40],
    );
    const books = withCategories.clusters.filter((c) => /Books buyers \(share of value in Books 1\.00 against 0\.50 for everyone\)/.test(c.words));
    const shoes = withCategories.clusters.filter((c) => /Shoes buyers \(share of value in Shoes 1\.00 against 0\.50 for everyone\)/.test(c.words));
    assert.equal(books.length, 1, 'one cluster is described as the Books buyers');
    assert.equal(shoes.length, 1, 'one cluster is described as the Shoes buyers');
    for (const c of withCategories.clusters) {
      assert.equal(c.explanation.accuracy, 1, `cluster ${c.cluster} is separated exactly`);
      assert.match(c.rules.join(' '), /category:(Books|Shoes)/);
    }
  } finally {
    s.close();
  }
});
