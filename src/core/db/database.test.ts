import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Db, EngineSettingError, engineOptions, str } from './index.js';

test('REGULARS_MEMORY_LIMIT caps the engine; a malformed value is refused by name', async () => {
  assert.deepEqual(engineOptions({}), {});
  assert.deepEqual(engineOptions({ REGULARS_MEMORY_LIMIT: ' 12GB ' }), { memory_limit: '12GB' });
  assert.throws(
    () => engineOptions({ REGULARS_MEMORY_LIMIT: 'lots' }),
    (e: unknown) => e instanceof EngineSettingError && /REGULARS_MEMORY_LIMIT must be an amount like 12GB or 800MB, got 'lots'/.test(e.message),
  );
  const before = process.env['REGULARS_MEMORY_LIMIT'];
  process.env['REGULARS_MEMORY_LIMIT'] = '300MB';
  try {
    const db = await Db.open(':memory:');
    try {
      const limit = str(await db.one("SELECT current_setting('memory_limit') AS v"), 'v') ?? '';
      // DuckDB reports 300 MB as 286.1 MiB.
      assert.match(limit, /^286\.\d MiB$/);
    } finally {
      db.close();
    }
  } finally {
    if (before === undefined) delete process.env['REGULARS_MEMORY_LIMIT'];
    else process.env['REGULARS_MEMORY_LIMIT'] = before;
  }
});

test('readInt32Columns: INTEGER columns over many chunks into typed arrays; NULL refused by column', async () => {
  const db = await Db.open(':memory:');
  try {
    // 5,000 rows: more than two of the engine's chunks (2,048 rows each).
    const [a = new Int32Array(0), b = new Int32Array(0)] = await db.readInt32Columns('SELECT i::INTEGER AS a, (i * -3)::INTEGER AS b FROM range(5000) t(i) ORDER BY i');
    assert.ok(a instanceof Int32Array && b instanceof Int32Array);
    assert.equal(a.length, 5000);
    assert.equal(b.length, 5000);
    assert.deepEqual([a[0], a[2048], a[4999], b[4999]], [0, 2048, 4999, -14997]);
    const empty = await db.readInt32Columns('SELECT 1::INTEGER AS x WHERE false');
    assert.deepEqual(
      empty.map((c) => c.length),
      [0],
    );
    await assert.rejects(db.readInt32Columns('SELECT CASE WHEN i = 3 THEN NULL ELSE i END::INTEGER AS x FROM range(5) t(i)'), /column 0 holds NULL, not INTEGER/);
  } finally {
    db.close();
  }
});
