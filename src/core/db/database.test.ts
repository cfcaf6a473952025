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
