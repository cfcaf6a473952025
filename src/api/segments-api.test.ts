import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clock, sandbox } from '../testing/index.js';
import { buildApp, createKey } from './index.js';

test('segments API: live count, rule errors with paths, save, snapshot, history, CSV (not for analysts), delete', async () => {
  const s = await sandbox();
  try {
    const members = s.write(
      'members.csv',
      'channel,external_id,phone,name,gender,city,registered_at\nweb,a,13800000001,Ann,F,Shanghai,2025-01-01 10:00:00\nweb,b,13800000002,Bo,M,Beijing,2025-01-02 10:00:00\nweb,c,13800000003,Cai,F,Beijing,2025-01-03 10:00:00\n',
    );
    await s.import(members);
    const app = await buildApp({ ops: s.ops, db: s.db, clock, rejectsDir: `${s.dir}/rejects` });
    const op = { authorization: `Bearer ${(await createKey(s.ops, clock, 'operator', 'op')).key}` };
    const analyst = { authorization: `Bearer ${(await createKey(s.ops, clock, 'analyst', 'an')).key}` };
    const women = { kind: 'attribute', field: 'gender', op: 'eq', value: 'F' };

    const count = await app.inject({ method: 'POST', url: '/api/segments/count?as_of=2025-02-01', headers: analyst, payload: women });
    assert.equal(count.statusCode, 200);
    assert.equal(count.json().members, 2);
    assert.equal(count.json().as_of, '2025-02-01');

    const bad = await app.inject({ method: 'POST', url: '/api/segments/count', headers: analyst, payload: { kind: 'and', rules: [{ kind: 'lifecycle', stages: ['Gold'] }] } });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error, 'invalid_rule');
    assert.match(bad.json().message, /\$\.rules\[0\]\.stages/);

    assert.equal((await app.inject({ method: 'POST', url: '/api/segments', headers: analyst, payload: { name: 'W', rule: women } })).statusCode, 403);
    const created = await app.inject({ method: 'POST', url: '/api/segments', headers: op, payload: { name: 'Women', rule: women } });
    assert.equal(created.statusCode, 201);
    const id = String(created.json().segment_id);

    const snap = await app.inject({ method: 'POST', url: `/api/segments/${id}/snapshots?as_of=2025-02-01`, headers: op });
    assert.equal(snap.statusCode, 201);
    assert.equal(snap.json().size, 2);
    const shown = await app.inject({ url: `/api/segments/${id}`, headers: analyst });
    assert.deepEqual(
      shown.json().history.map((h: { size: unknown }) => Number(h.size)),
      [2],
    );
    assert.deepEqual(shown.json().rule, women);

    assert.equal((await app.inject({ url: `/api/segments/${id}/members.csv`, headers: analyst })).statusCode, 403);
    const csv = await app.inject({ url: `/api/segments/${id}/members.csv`, headers: op });
    assert.equal(csv.statusCode, 200);
    assert.match(String(csv.headers['content-type']), /text\/csv/);
    const lines = csv.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\n');
    assert.equal(lines[0], 'member_id,name,phone,email');
    assert.deepEqual(
      lines
        .slice(1)
        .map((l) => l.split(',')[1])
        .sort(),
      ['Ann', 'Cai'],
    );

    // Reports by segment: one part per segment (here 'Women'), or one report over one segment.
    const split = await app.inject({ url: '/api/reports/lifecycle?as_of=2025-02-01&by=segment', headers: analyst });
    assert.equal(split.statusCode, 200);
    const part = split.json().result.segments[0];
    assert.equal(part.segment_id, id);
    assert.equal(part.members, 2);
    assert.deepEqual(part.result.stages, [{ stage: 'Suspect', members: '2' }]);
    const one = await app.inject({ url: '/api/reports/lifecycle?as_of=2025-02-01&segment=Women', headers: analyst });
    assert.equal(one.json().result.scope.members, 2);
    assert.equal(one.json().params.segment, id);
    assert.equal((await app.inject({ url: '/api/reports/lifecycle?segment=Nobody', headers: analyst })).statusCode, 404);
    assert.equal((await app.inject({ url: `/api/reports/lifecycle?segment=${id}&segments=${id}`, headers: analyst })).statusCode, 400);
    assert.ok((await app.inject({ url: '/api/meta', headers: analyst })).json().segments.some((m: { segment_id: string }) => m.segment_id === id));

    const list = await app.inject({ url: '/api/segments', headers: analyst });
    assert.deepEqual(
      list.json().segments.map((r: { name: string }) => r.name),
      ['Women'],
    );
    assert.equal((await app.inject({ method: 'DELETE', url: `/api/segments/${id}`, headers: op })).statusCode, 200);
    assert.equal((await app.inject({ url: `/api/segments/${id}`, headers: analyst })).statusCode, 404);
    const paths = Object.keys((await app.inject({ url: '/api/openapi.json' })).json().paths);
    assert.ok(paths.includes('/api/segments/count') && paths.includes('/api/segments/{id}/snapshots'));
    await app.close();
  } finally {
    s.close();
  }
});
