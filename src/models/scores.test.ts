/** Stored per-member scores on the CDNOW sample: their definitions, the member view and segment rules. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clock, datasets, sandbox } from '../testing/index.js';
import { findMember, memberView } from '../members/index.js';
import { countSegment, parseRule } from '../segments/index.js';
import {
  bgnbdConditionalExpected,
  bgnbdParams,
  bgnbdProbabilityOfPurchase,
  defaultScoreSettings,
  exportScoresCsv,
  gammaGammaExpectedSpend,
  gammaGammaParams,
  loadFit,
  predictMember,
  scoreMembers,
} from './index.js';

const sample = datasets('cdnow/CDNOW_sample.txt');
const END = '1997-09-30';

test('models score: every member scored; next purchase date, spend, CLV and churn bands as defined; member view and segment rules read them', {
  skip: 'skip' in sample ? sample.skip : false,
}, async () => {
  if (!('path' in sample)) return;
  const s = await sandbox();
  try {
    await s.import(sample.path, { preset: 'cdnow' });
    const settings = { ...defaultScoreSettings(END), horizon: 39, marginRate: 0.25, annualDiscountRate: 0.1 };
    const run = await scoreMembers(s.db, clock, settings);
    assert.equal(run.members, 2357);
    assert.ok(run.spend_model, 'Gamma-Gamma fitted along');
    assert.equal(run.churn_risk.high + run.churn_risk.medium + run.churn_risk.low, 2357);

    const id = await findMember(s.db, 'cdnow:15562');
    const view = await memberView(s.db, id);
    const m = view.models;
    assert.ok(m !== null);
    // The stored scores equal a direct prediction for the same key.
    const p = await predictMember(s.db, clock, id, { calibrationEnd: END, horizon: 39, period: 'week', model: 'bgnbd' });
    assert.equal(m.p_alive, p.p_alive);
    assert.equal(m.expected_purchases, p.expected_purchases);
    assert.equal(m.x, 26);
    assert.equal(m.churn_risk, p.p_alive >= 0.7 ? 'low' : p.p_alive >= 0.3 ? 'medium' : 'high');

    const bg = await loadFit(s.db, 'bgnbd', END, 'week');
    const gg = await loadFit(s.db, 'gammagamma', END, 'week');
    assert.ok(bg !== null && gg !== null);
    const params = bgnbdParams(bg);
    // Next purchase date: the first day on which P(another occasion by then) reaches 50%.
    assert.ok(m.next_purchase_date !== null);
    const days = Math.round((Date.parse(`${m.next_purchase_date}T00:00:00Z`) - Date.parse(`${END}T00:00:00Z`)) / 86_400_000);
    assert.ok(bgnbdProbabilityOfPurchase(params, days / 7, m.x, m.t_x, m.T) >= 0.5);
    assert.ok(days === 1 || bgnbdProbabilityOfPurchase(params, (days - 1) / 7, m.x, m.t_x, m.T) < 0.5);
    // CLV = Σ_{k=1..52} (E[Y(k)] - E[Y(k-1)]) / (1 + d)^k x expected spend x margin, d = 1.1^(7/365) - 1.
    const d = 1.1 ** (7 / 365) - 1;
    let purchases = 0;
    for (let k = 1; k <= 52; k++) {
      purchases += (bgnbdConditionalExpected(params, k, m.x, m.t_x, m.T) - bgnbdConditionalExpected(params, k - 1, m.x, m.t_x, m.T)) / (1 + d) ** k;
    }
    const row = await s.db.one(`SELECT ((sum(value) - arg_min(value, day)) / (count(*) - 1))::DOUBLE AS mean FROM model_occasions WHERE member_id = $1 AND day <= DATE '1997-09-30'`, [id]);
    const spend = gammaGammaExpectedSpend(gammaGammaParams(gg), 26, Number(row?.['mean']));
    assert.equal(m.expected_average_spend, spend.toFixed(4));
    assert.ok(Math.abs(Number(m.clv) - Number(spend.toFixed(4)) * 0.25 * purchases) < 0.0001, `${m.clv} vs ${Number(spend.toFixed(4)) * 0.25 * purchases}`);

    // Segment rules on the scores, counted against the stored table.
    const direct = async (where: string): Promise<number> => Number((await s.db.one(`SELECT count(*) AS n FROM member_model_scores WHERE ${where}`))?.['n']);
    const cases: Array<{ description: string; rule: unknown; where: string }> = [
      {
        description: 'P(alive) below 0.3 and CLV above 5',
        rule: {
          kind: 'and',
          rules: [
            { kind: 'model', score: 'p_alive', op: 'lt', value: 0.3 },
            { kind: 'model', score: 'clv', op: 'gt', value: '5' },
          ],
        },
        where: 'p_alive < 0.3 AND clv > 5',
      },
      { description: 'next purchase due within 7 days', rule: { kind: 'model', score: 'next_purchase_in_days', op: 'lte', value: 7 }, where: "next_purchase_date <= DATE '1997-10-07'" },
      { description: 'high churn risk', rule: { kind: 'model', score: 'churn_risk', op: 'eq', value: 'high' }, where: 'p_alive < 0.3' },
    ];
    for (const c of cases) {
      const want = await direct(c.where);
      assert.ok(want > 0, `${c.description}: the case selects someone`);
      assert.equal(await countSegment(s.db, parseRule(c.rule), END), want, c.description);
    }
    assert.throws(() => parseRule({ kind: 'model', score: 'churn_risk', op: 'gt', value: 'high' }), /eq or ne/);
    const csv = (await exportScoresCsv(s.db)).trim().split('\n');
    assert.equal(csv[0], 'member_id,x,t_x,t_cal,p_alive,expected_purchases,next_purchase_date,expected_average_spend,clv,churn_risk');
    assert.equal(csv.length, 2358);
    assert.ok(csv.some((line) => line.startsWith(`${id},26,`) && line.endsWith(`,${m.next_purchase_date},${m.expected_average_spend},${m.clv},${m.churn_risk}`)));
    assert.throws(() => parseRule({ kind: 'model', score: 'clv', op: 'gt', value: 'lots' }), /amount/);
  } finally {
    s.close();
  }
});
