import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clock, sandbox } from '../testing/index.js';
import { findMember } from '../members/index.js';
import { predictMember } from '../models/index.js';
import { buildApp, createKey } from './index.js';

test('models API: fit, predict a member, validate, score, scores CSV; operators write, analysts read', async () => {
  const s = await sandbox();
  try {
    const orders = ['channel,order_id,buyer_id,created_at,paid_at,item_total'];
    const lines = ['channel,order_id,line_no,sku,quantity,unit_price'];
    let n = 0;
    const day = (offset: number): string => new Date(Date.UTC(2024, 0, 1 + offset)).toISOString().slice(0, 10);
    // 80 buyers with gaps that grow with their number: some buy often, some once.
    for (let b = 0; b < 80; b++) {
      const gap = 5 + b * 4;
      for (let d = b % 30; d <= 364; d += gap) {
        n++;
        orders.push(`web,o${n},u${b},${day(d)} 10:00:00,${day(d)} 10:00:00,${10 + (b % 7)}.50`);
        lines.push(`web,o${n},1,A,1,${10 + (b % 7)}.50`);
      }
    }
    await s.import(s.write('orders.csv', orders.join('\n')));
    await s.import(s.write('order_lines.csv', lines.join('\n')));
    const app = await buildApp({ ops: s.ops, db: s.db, clock, rejectsDir: `${s.dir}/rejects` });
    const op = { authorization: `Bearer ${(await createKey(s.ops, clock, 'operator', 'op')).key}` };
    const analyst = { authorization: `Bearer ${(await createKey(s.ops, clock, 'analyst', 'an')).key}` };

    assert.equal((await app.inject({ method: 'POST', url: '/api/models/fits', headers: analyst, payload: { model: 'bgnbd', calibration_end: '2024-09-30' } })).statusCode, 403);
    const fit = await app.inject({ method: 'POST', url: '/api/models/fits', headers: op, payload: { model: 'bgnbd', calibration_end: '2024-09-30' } });
    assert.equal(fit.statusCode, 201, fit.body);
    assert.deepEqual(Object.keys(fit.json<{ params: object }>().params), ['r', 'alpha', 'a', 'b']);
    const early = await app.inject({ method: 'POST', url: '/api/models/fits', headers: op, payload: { model: 'bgnbd', calibration_end: '2020-01-01' } });
    assert.equal(early.statusCode, 400);
    assert.match(early.body, /nothing to fit/);
    assert.equal((await app.inject({ url: '/api/models/fits', headers: analyst })).json<{ fits: unknown[] }>().fits.length, 1);

    const predicted = await app.inject({ url: '/api/models/members/web:u3?calibration_end=2024-09-30&horizon=13', headers: analyst });
    assert.equal(predicted.statusCode, 200, predicted.body);
    const direct = await predictMember(s.db, clock, await findMember(s.db, 'web:u3'), { calibrationEnd: '2024-09-30', horizon: 13, period: 'week', model: 'bgnbd' });
    assert.deepEqual(predicted.json(), JSON.parse(JSON.stringify(direct)));
    assert.equal((await app.inject({ url: '/api/models/members/web:nobody?calibration_end=2024-09-30&horizon=13', headers: analyst })).statusCode, 404);

    const v = await app.inject({ url: '/api/models/validation?calibration_end=2024-09-30', headers: analyst });
    assert.equal(v.statusCode, 200, v.body);
    const report = v.json<{ tracking: Array<{ actual: number }>; verdict: string }>();
    assert.ok(report.tracking.length >= 52);
    assert.ok(['good', 'fair', 'poor'].includes(report.verdict));

    assert.deepEqual((await app.inject({ url: '/api/models/scores/summary', headers: analyst })).json(), { run: null }, 'nobody scored yet');
    const scored = await app.inject({ method: 'POST', url: '/api/models/scores', headers: op, payload: { calibration_end: '2024-12-30', horizon: 4 } });
    assert.equal(scored.statusCode, 201, scored.body);
    assert.equal(scored.json<{ members: number }>().members, 80);
    // The console's summary of the run: bands, P(alive) by tenths and CLV by decile cover every scored member.
    const summary = (await app.inject({ url: '/api/models/scores/summary', headers: analyst })).json().run;
    assert.deepEqual([summary['calibration_end'], summary['model'], summary['members'], summary['horizon']], ['2024-12-30', 'bgnbd', 80, 4]);
    assert.deepEqual(summary['bands'], { high: 0.3, medium: 0.7 });
    const risk = summary['churn_risk'];
    assert.equal(risk.high + risk.medium + risk.low, 80);
    assert.equal(risk.high, Number((await s.db.one('SELECT count(*) AS n FROM member_model_scores WHERE p_alive < 0.3'))?.['n']));
    assert.equal(summary['p_alive'].length, 10);
    assert.equal(
      summary['p_alive'].reduce((a: number, b: { members: number }) => a + b.members, 0),
      80,
    );
    const deciles = summary['clv_deciles'] as Array<{ decile: number; members: number; min: string; max: string; total: string }>;
    assert.equal(deciles.length, 10, 'a spend model was fitted, so every member has a CLV');
    assert.equal(
      deciles.reduce((a, b) => a + b.members, 0),
      80,
    );
    assert.ok(Number(deciles[0]?.min) >= Number(deciles[1]?.max), 'the first decile holds the highest CLVs');
    assert.equal(deciles.reduce((a, b) => a + Number(b.total), 0).toFixed(2), Number(summary['clv_total']).toFixed(2));
    const csv = await app.inject({ url: '/api/models/scores.csv', headers: op });
    assert.equal(csv.statusCode, 200);
    assert.equal(csv.body.trim().split('\n').length, 81);
    const member = await app.inject({ url: '/api/members/web:u3', headers: op });
    assert.equal(
      member.json<{ models: { x: number } }>().models.x,
      direct.x +
        Number(
          (
            await s.db.one(
              `SELECT count(*) AS n FROM model_occasions o JOIN identities i ON i.member_id = o.member_id WHERE i.value = 'u3' AND o.day > DATE '2024-09-30' AND o.day <= DATE '2024-12-30'`,
            )
          )?.['n'],
        ),
    );
  } finally {
    s.close();
  }
});
