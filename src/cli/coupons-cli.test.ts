/** The coupons commands end to end on the embedded store: set up, issue, a till walk, a refusal's exit code. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, sandbox } from '../testing/index.js';

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
