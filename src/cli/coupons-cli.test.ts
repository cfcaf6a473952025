/** The coupons commands end to end on the embedded store: set up, issue, a till walk, a refusal's exit code. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { clock, ROOT, sandbox } from '../testing/index.js';
import { earnOrder, saveProgramme } from '../loyalty/index.js';
import { opsLocation } from '../open.js';
import { openOps } from '../ops/index.js';
import { order, programme } from '../testing/loyalty.js';

const BIN = join(ROOT, 'bin', 'regulars.js');

test('coupons: template, batch, issue, validate, reserve, redeem; refusals exit 2 with one line', async () => {
  const s = await sandbox();
  try {
    const db = join(s.dir, 'shop.duckdb');
    const run = (...args: string[]): { code: number; json: Record<string, unknown>; stderr: string } => {
      const r = spawnSync(process.execPath, [BIN, 'coupons', ...args, '--db', db, '--json'], { encoding: 'utf8' });
      return { code: r.status ?? -1, json: r.stdout.trim() === '' ? {} : JSON.parse(r.stdout), stderr: r.stderr };
    };
    const tpl = run('template', 'create', '--file', JSON.stringify({ name: 'ten off', kind: 'amount_off', amount: '10', per_member_limit: 1 }));
    assert.equal(tpl.code, 0, tpl.stderr);
    const batch = run('batch', 'create', '--template', String(tpl.json['template_id']), '--generate', '20', '--prefix', 'T-');
    assert.equal(batch.code, 0, batch.stderr);
    const issued = run('issue', '--batch', String(batch.json['batch_id']), '--member', 'm1', '--key', 'k1');
    assert.equal(issued.code, 0, issued.stderr);
    const code = String(issued.json['code']);
    assert.match(code, /^T-[2-9A-Z]{8}$/);
    const again = run('issue', '--batch', String(batch.json['batch_id']), '--member', 'm1', '--key', 'k2');
    assert.equal(again.code, 2);
    assert.match(again.stderr, /already holds 1 coupon/);
    const basket = JSON.stringify({ lines: [{ sku: 'A', quantity: 1, unit_price: '25.00' }] });
    const r = run('till', 'reserve', '--member', 'm1', '--codes', code, '--basket', basket, '--key', 'r1');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.json['to_pay'], '15.0000');
    const d = run('till', 'redeem', String(r.json['reservation_id']), '--order', 'O1', '--key', 'd1');
    assert.equal(d.code, 0, d.stderr);
    const v = run('till', 'validate', '--member', 'm1', '--codes', code, '--basket', basket);
    assert.deepEqual(v.json['coupons'], [{ code, applicable: false, reason: { type: 'coupon_redeemed', code } }]);
    const report = run('batch', 'list');
    const rows = report.json as unknown as Array<{ issued: number; redeemed: number; redeemed_value: string }>;
    assert.deepEqual([rows[0]?.issued, rows[0]?.redeemed, rows[0]?.redeemed_value], [1, 1, '10.0000']);
  } finally {
    s.close();
  }
});

test('coupons: exchange points for a coupon, a short balance exits 2, cancel-exchange, allowances refused without one, publish and report', async () => {
  const s = await sandbox();
  try {
    const db = join(s.dir, 'shop.duckdb');
    const ops = await openOps(opsLocation(db, null));
    try {
      await saveProgramme(ops, programme({ pending_days: 0, expiry: { model: 'never' } }), clock.now());
      const earned = await earnOrder(ops, clock, 'p1', { who: { member_id: 'm1' }, order: order('O1', '2026-01-05T10:00:00Z', ['150']), key: 'e1' });
      assert.ok(earned.ok);
    } finally {
      await ops.close();
    }
    const run = (...args: string[]): { code: number; json: Record<string, unknown>; stderr: string } => {
      const r = spawnSync(process.execPath, [BIN, 'coupons', ...args, '--db', db, '--json'], { encoding: 'utf8' });
      return { code: r.status ?? -1, json: r.stdout.trim() === '' ? {} : JSON.parse(r.stdout), stderr: r.stderr };
    };
    const tpl = run('template', 'create', '--file', JSON.stringify({ name: '积分换券', kind: 'amount_off', amount: '5', points_price: { programme: 'p1', points: 100 } }));
    assert.equal(tpl.code, 0, tpl.stderr);
    const batch = String(run('batch', 'create', '--template', String(tpl.json['template_id']), '--generate', '5').json['batch_id']);
    const x = run('exchange', '--batch', batch, '--member', 'm1', '--key', 'x1');
    assert.equal(x.code, 0, x.stderr);
    assert.equal(x.json['points'], '100');
    const short = run('exchange', '--batch', batch, '--member', 'm1', '--key', 'x2');
    assert.equal(short.code, 2);
    assert.equal(short.stderr.trim().split('\n').length, 1);
    assert.match(short.stderr, /100 points needed, 50 spendable/);
    const coupon = x.json['coupon'] as { coupon_id: number };
    const c = run('cancel-exchange', String(coupon.coupon_id), '--key', 'c1');
    assert.equal(c.code, 0, c.stderr);
    assert.equal(c.json['state'], 'void');
    const none = run('allowances', '--batch', batch);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /grants no tier allowance/);
    const pub = run('publish');
    assert.equal(pub.code, 0, pub.stderr);
    assert.deepEqual(pub.json, { coupons: 1 });
    const rep = run('report', '--as-of', '2099-01-01');
    assert.equal(rep.code, 0, rep.stderr);
    assert.deepEqual(
      (rep.json['by_template'] as Array<{ issued: number; redeemed: number }>).map((l) => [l.issued, l.redeemed]),
      [[1, 0]],
    );
  } finally {
    s.close();
  }
});
