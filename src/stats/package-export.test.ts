import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
// The package's own name, resolved through package.json "exports" (self-reference), as a user imports it.
import { evaluateExperiment, ExperimentResult } from 'regulars/stats';
import { ROOT } from '../testing/index.js';

test('the ./stats export resolves by the package name, with its type declarations', () => {
  const resolved = import.meta.resolve('regulars/stats');
  assert.ok(resolved.endsWith('/dist/stats/index.js'), resolved);
  assert.ok(existsSync(join(ROOT, 'dist', 'stats', 'index.d.ts')), 'dist/stats/index.d.ts is built');
  const pkg: unknown = createRequire(import.meta.url)('regulars/package.json');
  assert.ok(typeof pkg === 'object' && pkg !== null && 'exports' in pkg);
  const rows = [
    { member_id: 1, arm: 'control', responded: false, revenue: '0' },
    { member_id: 2, arm: 'control', responded: true, revenue: '10.00' },
    { member_id: 3, arm: 'offer', responded: true, revenue: '12.50' },
    { member_id: 4, arm: 'offer', responded: false, revenue: 0 },
  ];
  const d = evaluateExperiment(rows);
  assert.equal(d.arms[0]?.arm, 'offer');
  assert.equal(d.arms[0]?.response.estimate, 0);
  assert.equal(ExperimentResult.$id, 'ExperimentResult');
});
