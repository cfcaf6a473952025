import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../testing/index.js';
import { ExperimentResult } from './index.js';

test('the JSON schema printed in docs/campaign-statistics.md is the one the code publishes', () => {
  const doc = readFileSync(join(ROOT, 'docs', 'campaign-statistics.md'), 'utf8');
  const m = /## JSON schema of the result[\s\S]*?```json\n([\s\S]*?)\n```/.exec(doc);
  assert.ok(m !== null && m[1] !== undefined, 'the schema block is in the document');
  assert.deepEqual(JSON.parse(m[1]), JSON.parse(JSON.stringify(ExperimentResult)));
});
