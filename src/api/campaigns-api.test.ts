import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sandbox } from '../testing/index.js';
import { loadMembers, movableClock, SALE } from '../campaigns/testkit.js';
import { buildApp, createKey } from './index.js';

test('campaigns API: validation with paths, create, power check, launch (idempotent), scheduler run, evaluation; scopes', async () => {
  const s = await sandbox();
  const clk = movableClock('2026-11-01 10:00');
  try {
    await loadMembers(s, 20);
    const app = await buildApp({ ops: s.ops, db: s.db, clock: clk, rejectsDir: `${s.dir}/rejects` });
    const h = async (scope: 'admin' | 'operator' | 'analyst'): Promise<Record<string, string>> => ({ authorization: `Bearer ${(await createKey(s.ops, clk, scope, scope)).key}` });
    const [admin, op, analyst] = [await h('admin'), await h('operator'), await h('analyst')];

    const bad = await app.inject({ method: 'POST', url: '/api/campaigns', headers: op, payload: { ...SALE, control: { percent: 0 } } });
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(
      bad.json().errors.map((e: { path: string }) => e.path),
      ['$.control.percent'],
    );
    assert.equal((await app.inject({ method: 'POST', url: '/api/campaigns', headers: analyst, payload: SALE })).statusCode, 403);
    const created = await app.inject({ method: 'POST', url: '/api/campaigns', headers: op, payload: SALE });
    assert.equal(created.statusCode, 201);
    const id = String(created.json().campaign_id);

    const shown = (await app.inject({ url: `/api/campaigns/${id}?as_of=2026-11-01`, headers: analyst })).json();
    assert.equal(shown.power.audience, 20);
    assert.equal(shown.power.control_percent, 20);
    assert.ok(shown.power.required_audience > 20 && shown.power.enough === false, JSON.stringify(shown.power));
    assert.deepEqual(
      shown.waves.map((w: { wave_id: string; when: unknown }) => [w.wave_id, w.when]),
      [
        ['edm', null],
        ['sms1', { not: { opened: 'edm' } }],
        ['sms2', null],
      ],
    );

    const launched = await app.inject({ method: 'POST', url: `/api/campaigns/${id}/launch`, headers: op });
    assert.equal(launched.statusCode, 200);
    assert.equal(launched.json().audience, 20);
    assert.deepEqual((await app.inject({ method: 'POST', url: `/api/campaigns/${id}/launch`, headers: op })).json(), launched.json());
    assert.equal((await app.inject({ url: '/api/campaigns/CNOPE', headers: analyst })).statusCode, 404);
    const listed = (await app.inject({ url: '/api/campaigns', headers: analyst })).json().campaigns;
    assert.deepEqual(
      listed.map((c: { campaign_id: string; status: string; runs: number; audience: number }) => [c.campaign_id, c.status, c.runs, c.audience]),
      [[id, 'launched', 1, 20]],
    );

    // Channels are admin-only and their secrets never come back.
    assert.equal((await app.inject({ method: 'PUT', url: '/api/channels/edm', headers: op, payload: {} })).statusCode, 403);
    const csvFile = `${s.dir}/edm.csv`;
    assert.equal((await app.inject({ method: 'PUT', url: '/api/channels/edm', headers: admin, payload: { kind: 'csv', file: csvFile, consent_channel: 'email' } })).statusCode, 200);
    assert.equal(
      (await app.inject({ method: 'PUT', url: '/api/channels/sms', headers: admin, payload: { kind: 'webhook', url: 'http://127.0.0.1:9/', secret: 'short', consent_channel: 'sms' } })).statusCode,
      400,
    );
    await app.inject({ method: 'PUT', url: '/api/channels/sms', headers: admin, payload: { kind: 'webhook', url: 'http://127.0.0.1:9/', secret: 'a-long-enough-secret', consent_channel: 'sms' } });
    const chans = (await app.inject({ url: '/api/channels', headers: admin })).json().channels;
    assert.equal(JSON.stringify(chans).includes('a-long-enough-secret'), false);

    clk.set('2026-11-06 10:00');
    const ran = (await app.inject({ method: 'POST', url: '/api/campaigns/run', headers: op })).json();
    const treated = 20 - launched.json().control;
    assert.equal(ran.sent, treated);
    const ev = (await app.inject({ url: `/api/campaigns/${id}/evaluation`, headers: analyst })).json();
    assert.equal(ev.runs[0].treatment.members, treated);
    assert.equal(ev.runs[0].control_contacted, 0);
    assert.equal(typeof ev.runs[0].verdict.zh, 'string');
    assert.equal(ev.funnel[0].states.sent, treated);
    await app.close();
  } finally {
    s.close();
  }
});
