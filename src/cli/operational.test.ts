/**
 * CLI commands beside a running server: the operational store takes writers from several
 * processes, so keys, settings and status work while `serve` holds the analytical file; and a
 * database made before the operational store existed moves its keys and settings across once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, serveProcess } from '../testing/processes.js';
import { clock } from '../testing/index.js';
import { openRegulars, openStores } from '../open.js';
import { verifyKey } from '../api/index.js';
import { getSetting } from '../core/settings/index.js';
import { listOpSettings } from '../core/settings/operational.js';

test('keys create, settings set and status run while serve runs; the server accepts the new key at once; analytical commands are refused in one line', async () => {
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
    old.close();

    const first = await openStores(path, null);
    try {
      const k = await verifyKey(first.ops, clock, `rk_0123456789ab_${secret}`);
      assert.deepEqual(k, { key_id: '0123456789ab', name: 'old till', scope: 'integrator' });
      assert.equal((await listOpSettings(first.ops)).find((s) => s.key === 'shop.timezone')?.value, 'Asia/Shanghai');
      assert.equal(await getSetting(first.db, 'shop.timezone'), 'Asia/Shanghai', 'the analytical mirror keeps reports reading it');
      const left = await first.db.one("SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = 'api_keys'");
      assert.equal(Number(left?.['n']), 0, 'the analytical file no longer holds keys');
    } finally {
      await first.close();
    }
    // Opened again: nothing moves twice, everything still there.
    const second = await openStores(path, null);
    try {
      const keys = await second.ops.all('SELECT key_id FROM api_keys');
      assert.equal(keys.length, 1);
      assert.equal(await getSetting(second.db, 'shop.timezone'), 'Asia/Shanghai');
    } finally {
      await second.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
