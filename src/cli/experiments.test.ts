import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../testing/index.js';
import { evaluateExperiment, type ExperimentRow } from '../stats/index.js';

const BIN = join(ROOT, 'bin', 'regulars.js');
const cli = (args: string[]): { code: number; stdout: string; stderr: string } => {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
};

function rows(): ExperimentRow[] {
  const out: ExperimentRow[] = [];
  for (let i = 0; i < 3000; i++) {
    const arm = i % 10 === 0 ? 'control' : 'offer';
    const resp = arm === 'control' ? i % 40 === 0 : i % 30 === 0 || i % 47 === 0;
    const rev = resp ? `${20 + (i % 13) * 7}.${String(i % 100).padStart(2, '0')}` : '0';
    out.push({ member_id: `m${i}`, arm, responded: resp, revenue: rev, pre_revenue: i % 9 === 0 ? `${i % 50}.5` : '0', pre_orders: i % 9 === 0 ? 1 : 0 });
  }
  return out;
}

test('experiments evaluate prints the document evaluateExperiment returns for the same rows', () => {
  const dir = mkdtempSync(join(tmpdir(), 'regulars-exp-'));
  try {
    const data = rows();
    const file = join(dir, 'sms.csv');
    writeFileSync(
      file,
      [
        'member_id,arm,responded,revenue,pre_revenue,pre_orders',
        ...data.map((r) => `${r.member_id},${r.arm},${r.responded === true ? 1 : 0},${r.revenue},${r.pre_revenue ?? ''},${r.pre_orders ?? ''}`),
      ].join('\n'),
    );
    const r = cli(['experiments', 'evaluate', file, '--allocation', 'control=0.1,offer=0.9', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const expected = evaluateExperiment(data, { allocation: { control: 0.1, offer: 0.9 } });
    assert.deepEqual(JSON.parse(r.stdout), JSON.parse(JSON.stringify(expected)));
    const human = cli(['experiments', 'evaluate', file]);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /offer against control/);
    assert.match(human.stdout, /sample ratio: not checked/);
    // 75 control members respond; with the threshold raised above that, revenue is withheld and says why.
    const strict = cli(['experiments', 'evaluate', file, '--min-responders', '100']);
    assert.match(strict.stdout, /too few responders in the control group to judge revenue \(75; at least 100 needed\)/);
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'member_id,arm,responded,revenue\nm1,control,1,12.5\nm1,offer,0,0\n');
    const refused = cli(['experiments', 'evaluate', bad]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /member m1 is in arm control and in arm offer/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
