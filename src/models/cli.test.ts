/** The `regulars models` interface on the CDNOW sample, through the real binary and database file. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { datasets, ROOT } from '../testing/index.js';

const BIN = join(ROOT, 'bin', 'regulars.js');
const sample = datasets('cdnow/CDNOW_sample.txt');

function cli(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

test('models fit and predict: stored fits keyed by model, calibration end and period; BTYD figures for customer 15562', { skip: 'skip' in sample ? sample.skip : false }, async () => {
  if (!('path' in sample)) return;
  const dir = mkdtempSync(join(tmpdir(), 'regulars-models-'));
  const db = join(dir, 'models.duckdb');
  try {
    const imp = cli(['import', sample.path, '--preset', 'cdnow', '--db', db, '--json', '--rejects', join(dir, 'rj')]);
    assert.equal(imp.code, 0, imp.stderr);
    // Before any fit, predict fits and stores the BG/NBD first.
    const first = cli(['models', 'predict', 'cdnow:15562', '--calibration-end', '1997-09-30', '--horizon', '52', '--model', 'paretonbd', '--db', db, '--json']);
    assert.equal(first.code, 0, first.stderr);
    const p = JSON.parse(first.stdout) as Record<string, number | string | undefined>;
    // BTYD walkthrough, section 2.2: this customer (sample ID 1516: x = 26, t_x = 30.86, T = 31)
    // expects 25.46 transactions in the next 52 weeks under the Pareto/NBD, P(alive) 0.9979.
    assert.equal(p['x'], 26);
    assert.equal(Number(p['t_x']).toFixed(2), '30.86');
    assert.equal(p['T'], 31);
    assert.equal(Number(p['expected_purchases']).toFixed(2), '25.46');
    assert.equal(Number(p['p_alive']).toFixed(4), '0.9979');
    assert.equal(p['expected_average_spend'], undefined, 'no Gamma-Gamma fit yet');

    const fit = cli(['models', 'fit', 'bgnbd', '--calibration-end', '1997-09-30', '--period', 'week', '--db', db, '--json']);
    assert.equal(fit.code, 0, fit.stderr);
    const f = JSON.parse(fit.stdout) as { model: string; params: Record<string, number>; standard_errors: Record<string, number>; log_likelihood: number; customers: number; repeaters: number };
    assert.equal(f.model, 'bgnbd');
    assert.deepEqual(Object.keys(f.params), ['r', 'alpha', 'a', 'b']);
    assert.deepEqual(Object.keys(f.standard_errors), ['r', 'alpha', 'a', 'b']);
    assert.equal(f.log_likelihood.toFixed(1), '-9582.4', 'Fader, Hardie & Lee (2005), section 4');
    assert.deepEqual([f.customers, f.repeaters], [2357, 946]);

    const gg = cli(['models', 'fit', 'gammagamma', '--calibration-end', '1997-09-30', '--db', db, '--json']);
    assert.equal(gg.code, 0, gg.stderr);
    const g = (JSON.parse(gg.stdout) as { params: { p: number; q: number; gamma: number } }).params;
    assert.deepEqual(Object.keys(g), ['p', 'q', 'gamma']);

    const bg = JSON.parse(cli(['models', 'predict', 'cdnow:15562', '--calibration-end', '1997-09-30', '--horizon', '39', '--db', db, '--json']).stdout) as Record<string, number | string>;
    assert.equal(bg['model'], 'bgnbd');
    assert.ok(Number(bg['p_alive']) > 0.9 && Number(bg['p_alive']) < 1);
    // Gamma-Gamma posterior mean (Fader & Hardie 2013, eq. 5) with the stored fit and the member's
    // own mean repeat value read from the file's rows independently.
    const own = await ownMean(db);
    const want = ((g.gamma + own * 26) * g.p) / (g.p * 26 + g.q - 1);
    assert.ok(Math.abs(Number(bg['expected_average_spend']) - want) < 1e-9, `${bg['expected_average_spend']} vs ${want}`);

    const bad = cli(['models', 'fit', 'bgnbd', '--calibration-end', '1997-02-30', '--db', db]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /YYYY-MM-DD/);
    const early = cli(['models', 'fit', 'bgnbd', '--calibration-end', '1990-01-01', '--db', db]);
    assert.equal(early.code, 2);
    assert.match(early.stderr, /nothing to fit/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

async function ownMean(db: string): Promise<number> {
  const { openRegulars } = await import('../open.js');
  const d = await openRegulars(db);
  try {
    const row = await d.one(
      `SELECT ((sum(value) - arg_min(value, day)) / (count(*) - 1))::DOUBLE AS m FROM model_occasions
       WHERE member_id = (SELECT member_id FROM identities WHERE value = '15562' LIMIT 1) AND day <= DATE '1997-09-30'`,
    );
    return Number(row?.['m']);
  } finally {
    d.close();
  }
}
