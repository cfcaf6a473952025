import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clock, sandbox } from '../testing/index.js';
import { buildApp } from './index.js';
import { createKey } from './index.js';
import { evaluateExperiment, type ExperimentRow } from '../stats/index.js';

test('POST /api/experiments/evaluate returns the evaluateExperiment document, published in OpenAPI; bad rows are a 400 with the reason', async () => {
  const s = await sandbox();
  const app = await buildApp({ ops: s.ops, db: s.db, clock, rejectsDir: `${s.dir}/rejects` });
  try {
    const key = (await createKey(s.ops, clock, 'analyst', 'analyst')).key;
    const headers = { authorization: `Bearer ${key}` };
    const rows: ExperimentRow[] = [];
    for (let i = 0; i < 1500; i++) {
      const arm = i % 10 === 0 ? 'control' : i % 2 === 0 ? 'sms' : 'email';
      const r = arm === 'control' ? i % 30 === 0 : i % 13 === 0;
      rows.push({ member_id: `m${i}`, arm, responded: r, revenue: r ? `${10 + (i % 9)}.50` : '0', margin: r ? 4 : 0 });
    }
    const res = await app.inject({
      method: 'POST',
      url: '/api/experiments/evaluate',
      headers,
      payload: { rows, options: { allocation: { control: 0.1, sms: 0.45, email: 0.45 }, min_responders: 5 } },
    });
    assert.equal(res.statusCode, 200, res.body);
    const expected = evaluateExperiment(rows, { allocation: { control: 0.1, sms: 0.45, email: 0.45 }, minResponders: 5 });
    assert.deepEqual(res.json(), JSON.parse(JSON.stringify(expected)));
    assert.equal(res.json().between_arms.length, 1);
    const bad = await app.inject({ method: 'POST', url: '/api/experiments/evaluate', headers, payload: { rows: [{ member_id: 1, arm: 'x', responded: 0, revenue: 0 }] } });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error, 'no_control');
    const doc = (await app.inject({ url: '/api/openapi.json' })).json();
    const schema = doc.paths['/api/experiments/evaluate'].post.responses['200'].content['application/json'].schema;
    assert.deepEqual(Object.keys(schema.properties).sort(), ['arms', 'between_arms', 'groups', 'method', 'srm']);
  } finally {
    await app.close();
    s.close();
  }
});
