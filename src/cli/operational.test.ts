/**
 * CLI commands beside a running server: the operational store takes writers from several
 * processes, so keys, settings and status work while `serve` holds the analytical file; and a
 * database made before the operational store existed moves its keys and settings across once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, serveProcess } from '../testing/processes.js';
import { clock, ROOT } from '../testing/index.js';
import { getSegment, listSegments } from '../segments/index.js';
import { getCampaign, getMessageChannel } from '../campaigns/index.js';
import { openRegulars, openStores } from '../open.js';
import { verifyKey } from '../api/index.js';
import { getSetting } from '../core/settings/index.js';
import { listOpSettings } from '../core/settings/operational.js';

test('keys, settings, channels, segment and campaign definitions and status work while serve runs; the server sees them at once; analytical commands are refused in one line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'regulars-cli-ops-'));
  const db = join(dir, 'shop.duckdb');
  const served = await serveProcess(['--db', db], { REGULARS_SCHEDULER_SECONDS: '0', REGULARS_LOADER_SECONDS: '0' });
  try {
    const made = await cli(['keys', 'create', '--scope', 'admin', '--name', 'made beside the server', '--db', db, '--json']);
    assert.equal(made.code, 0, made.stderr);
    const key = String(JSON.parse(made.stdout).key);
    const me = await fetch(`${served.url}/api/me`, { headers: { authorization: `Bearer ${key}` } });
    assert.equal(me.status, 200);
    assert.equal((await me.json()).name, 'made beside the server');

    const set = await cli(['settings', 'set', 'analysis.period', 'week', '--db', db]);
    assert.equal(set.code, 0, set.stderr);
    const settings = await (await fetch(`${served.url}/api/settings`, { headers: { authorization: `Bearer ${key}` } })).json();
    assert.equal(settings.settings.find((x: { key: string }) => x.key === 'analysis.period').value, 'week');

    // Definitions people edit are operational: channels, segments and campaigns saved beside the server.
    const chan = await cli(['channels', 'set', 'edm', '--config', JSON.stringify({ kind: 'csv', file: join(dir, 'out.csv'), consent_channel: 'email' }), '--db', db]);
    assert.equal(chan.code, 0, chan.stderr);
    const seg = await cli(['segments', 'create', '--name', 'Actives', '--rule', JSON.stringify({ kind: 'lifecycle', stages: ['Regular'] }), '--db', db, '--json']);
    assert.equal(seg.code, 0, seg.stderr);
    const segmentId = String(JSON.parse(seg.stdout).segment_id);
    const def = JSON.parse(readFileSync(join(ROOT, 'docs', 'examples', 'campaign-sale.json'), 'utf8'));
    const made2 = await cli(['campaigns', 'create', '--file', JSON.stringify({ ...def, audience: { segment: segmentId } }), '--db', db, '--json']);
    assert.equal(made2.code, 0, made2.stderr);
    const campaignId = String(JSON.parse(made2.stdout).campaign_id);
    const auth = { headers: { authorization: `Bearer ${key}` } };
    const segs = await (await fetch(`${served.url}/api/segments`, auth)).json();
    assert.deepEqual(
      segs.segments.map((x: { segment_id: string; name: string }) => [x.segment_id, x.name]),
      [[segmentId, 'Actives']],
    );
    const camps = await (await fetch(`${served.url}/api/campaigns`, auth)).json();
    assert.deepEqual(
      camps.campaigns.map((x: { campaign_id: string; status: string }) => [x.campaign_id, x.status]),
      [[campaignId, 'draft']],
    );
    const chans = await (await fetch(`${served.url}/api/channels`, auth)).json();
    assert.deepEqual(
      chans.channels.map((x: { name: string }) => x.name),
      ['edm'],
    );
    const listed = await cli(['segments', 'list', '--db', db, '--json']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.equal(JSON.parse(listed.stdout)[0].segment_id, segmentId, 'listed from the operational store');
    assert.match(listed.stderr, /without their analytical figures/);

    const status = await cli(['status', '--db', db, '--json']);
    assert.equal(status.code, 0, status.stderr);
    assert.equal(JSON.parse(status.stdout).engine, 'sqlite');
    assert.match(JSON.parse(status.stdout).operational, /shop\.sqlite$/);

    const csv = join(dir, 'members.csv');
    writeFileSync(csv, 'channel,external_id,phone\nweb,1,13800000000\n');
    const imported = await cli(['import', csv, '--entity', 'members', '--db', db]);
    assert.equal(imported.code, 3, 'the analytical file is held by the server');
    assert.equal(imported.stderr.trim().split('\n').length, 1, imported.stderr);
    assert.match(imported.stderr, /in use by another process/);
  } finally {
    await served.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('upgrade in place: keys and settings of a database made before the operational store move across once and keep working', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'regulars-upgrade-'));
  const path = join(dir, 'old.duckdb');
  try {
    // A database as the previous version left it: keys and settings in the analytical file.
    const old = await openRegulars(path);
    const secret = 'A'.repeat(43);
    await old.run("INSERT INTO api_keys VALUES ('0123456789ab', 'old till', 'integrator', $1, TIMESTAMP '2025-01-01 08:00:00', NULL, NULL)", [createHash('sha256').update(secret).digest('hex')]);
    await old.run("INSERT INTO settings VALUES ('shop.timezone', '\"Asia/Shanghai\"', TIMESTAMP '2025-01-01 08:00:00')");
    // ... and saved segments, campaigns (one failed) and message channels there too.
    const rule = { kind: 'lifecycle', stages: ['Regular'] };
    await old.run("INSERT INTO segments VALUES ('S0000000001', 'Actives', $1, TIMESTAMP '2025-01-02 08:00:00', TIMESTAMP '2025-01-02 08:00:00')", [JSON.stringify(rule)]);
    await old.run('INSERT INTO message_channels VALUES (\'edm\', \'{"kind":"csv","file":"out.csv","consent_channel":"email"}\', TIMESTAMP \'2025-01-02 08:00:00\')');
    const def = JSON.parse(readFileSync(join(ROOT, 'docs', 'examples', 'campaign-sale.json'), 'utf8'));
    await old.run(
      "INSERT INTO campaigns (campaign_id, name, definition, status, created_at, updated_at, failure, failed_at) VALUES ('C00000000AA', 'Spring', $1, 'failed', TIMESTAMP '2025-01-03 08:00:00', TIMESTAMP '2025-01-03 08:00:00', 'wave w1: no message channel sms', TIMESTAMP '2025-03-01 10:00:00')",
      [JSON.stringify(def)],
    );
    old.close();

    const first = await openStores(path, null);
    try {
      const k = await verifyKey(first.ops, clock, `rk_0123456789ab_${secret}`);
      assert.deepEqual(k, { key_id: '0123456789ab', name: 'old till', scope: 'integrator' });
      assert.equal((await listOpSettings(first.ops)).find((s) => s.key === 'shop.timezone')?.value, 'Asia/Shanghai');
      assert.equal(await getSetting(first.db, 'shop.timezone'), 'Asia/Shanghai', 'the analytical mirror keeps reports reading it');
      const left = await first.db.one("SELECT count(*) AS n FROM duckdb_tables() WHERE table_name IN ('api_keys', 'segments', 'campaigns', 'message_channels')");
      assert.equal(Number(left?.['n']), 0, 'the analytical file no longer holds keys or definitions');
      const seg = await getSegment(first.ops, 'S0000000001');
      assert.deepEqual([seg.name, seg.rule, seg.created_at], ['Actives', rule, '2025-01-02 08:00:00']);
      const c = await getCampaign(first.ops, 'C00000000AA');
      assert.deepEqual([c.status, c.failure, c.definition.name], ['failed', 'wave w1: no message channel sms', def.name]);
      assert.deepEqual(await getMessageChannel(first.ops, 'edm'), { kind: 'csv', file: 'out.csv', consent_channel: 'email' });
    } finally {
      await first.close();
    }
    // Opened again: nothing moves twice, everything still there.
    const second = await openStores(path, null);
    try {
      const keys = await second.ops.all('SELECT key_id FROM api_keys');
      assert.equal(keys.length, 1);
      assert.equal((await listSegments(second.ops, second.db)).length, 1, 'moved once');
      assert.equal(await getSetting(second.db, 'shop.timezone'), 'Asia/Shanghai');
    } finally {
      await second.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
