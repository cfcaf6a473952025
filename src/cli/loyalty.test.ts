/** `regulars loyalty`: programme from a file, a manual adjustment with a reason (retried), balance, jobs and the consistency check. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../testing/index.js';

const BIN = join(ROOT, 'bin', 'regulars.js');

function cli(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, REGULARS_PG_URL: '' } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

test('loyalty CLI: programme, adjustments (a retry changes nothing, a bad one is refused), balance, expiry, tiers, check', () => {
  const dir = mkdtempSync(join(tmpdir(), 'regulars-loyalty-cli-'));
  try {
    const db = ['--db', join(dir, 'shop.duckdb')];
    const file = join(dir, 'programme.json');
    writeFileSync(
      file,
      JSON.stringify({
        programme_id: 'main',
        name: 'Shop',
        starts_on: '2026-01-01',
        expiry: { model: 'days', days: 10 },
        tiers: { metric: 'qualifying_points', window: 'rolling_365', downgrade: 'one_step', grace_days: 0, levels: [{ code: 'member', name: 'Member', threshold: 0 }] },
      }),
    );
    assert.equal(cli(['loyalty', 'programme-set', '--file', file, ...db]).code, 0);
    const add = ['loyalty', 'adjust', '--member', 'M1', '--points', '120', '--reason', 'welcome gift', '--operator', 'ann', '--key', 'gift-1', '--at', '2026-02-01T00:00:00Z', ...db, '--json'];
    const first = cli(add);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(JSON.parse(first.stdout).replayed, false);
    assert.equal(JSON.parse(cli(add).stdout).replayed, true);
    const bad = cli(['loyalty', 'adjust', '--member', 'M1', '--points', '-500', '--reason', 'typo', '--operator', 'ann', '--key', 'fix-1', ...db, '--at', '2026-02-01T00:00:00Z']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /insufficient_points/);
    const bal = JSON.parse(cli(['loyalty', 'balance', '--member', 'M1', '--at', '2026-02-05T00:00:00Z', ...db, '--json']).stdout);
    assert.equal(bal.balance.balance, 120);
    assert.equal(bal.lots.length, 1);
    const exp = JSON.parse(cli(['loyalty', 'expire', '--at', '2026-02-11T00:00:00Z', ...db, '--json']).stdout);
    assert.equal(exp.points, 120);
    const tiers = JSON.parse(cli(['loyalty', 'tiers', '--at', '2026-02-11T00:00:00Z', ...db, '--json']).stdout);
    assert.equal(tiers.accounts, 1);
    const check = cli(['loyalty', 'check', ...db]);
    assert.equal(check.code, 0);
    assert.match(check.stdout, /^ok: 1 accounts, 2 entries, 1 lots; ledger total 0/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
