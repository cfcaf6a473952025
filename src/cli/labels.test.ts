import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, sandbox } from '../testing/index.js';
import { readConfig } from '../core/config.js';
import { cliLang, sectionTitle, translateRows } from './labels.js';

test('section titles: placeholders filled, an unfillable parenthesis (either width) left out, never a prototype name', () => {
  assert.equal(sectionTitle('en', 'comparisons', { from: '2024-05-06', to: '2024-06-02' }), 'What moved sales: from the previous period (2024-05-06 – 2024-06-02) to this one');
  assert.equal(sectionTitle('en', 'comparisons'), 'What moved sales: from the previous period to this one');
  assert.equal(sectionTitle('zh', 'comparisons'), '销售额变化的驱动因素：从上期到本期');
  assert.equal(sectionTitle('zh', 'comparisons', { from: '2024-05-06', to: '2024-06-02' }), '销售额变化的驱动因素：从上期（2024-05-06 至 2024-06-02）到本期');
  assert.equal(sectionTitle('en', '{constructor}'), '{constructor}');
});

test('CLI language: --lang wins, else the locale', () => {
  const cases: Array<[string | undefined, Record<string, string>, string]> = [
    ['zh', { LANG: 'en_US.UTF-8' }, 'zh'],
    ['en', { LANG: 'zh_CN.UTF-8' }, 'en'],
    [undefined, { LANG: 'zh_CN.UTF-8' }, 'zh'],
    [undefined, { LC_ALL: 'zh_TW.UTF-8', LANG: 'en_US.UTF-8' }, 'zh'],
    [undefined, { LANG: 'C.UTF-8' }, 'en'],
    [undefined, {}, 'en'],
  ];
  for (const [flag, env, want] of cases) assert.equal(cliLang(flag, readConfig(env).locale), want, `${String(flag)} ${JSON.stringify(env)}`);
  assert.deepEqual(translateRows('zh', [{ stage: 'Lapsed', members: 3 }], 'stages'), [{ 阶段: '流失', 会员数: 3 }]);
  assert.deepEqual(
    translateRows(
      'zh',
      [
        { group: '重要价值', members: 1 },
        { group: 'Champions', members: 2 },
      ].slice(0, 1),
      'groups_cn',
    ),
    [{ 分群: '重要价值', 会员数: 1 }],
  );
  assert.deepEqual(translateRows('en', [{ group: 'At risk', members: 2 }], 'groups'), [{ Group: 'At risk', Members: 2 }]);
});

test('analyze prints its labels in Chinese with --lang zh (and from a Chinese locale)', async () => {
  const s = await sandbox();
  try {
    await s.import(s.write('orders.csv', 'channel,order_id,buyer_id,created_at,paid_at,status\nweb,o1,A,2024-05-01 10:00:00,2024-05-01 10:00:00,paid\n'));
    await s.import(s.write('order_lines.csv', 'channel,order_id,line_no,sku,quantity,unit_price\nweb,o1,1,X,1,20.00\n'));
    const db = join(s.dir, 'test.duckdb');
    s.db.close();
    const run = (args: string[], env: Record<string, string>): string => {
      const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'regulars.js'), 'analyze', 'lifecycle', '--db', db, '--as-of', '2024-05-10', ...args], {
        encoding: 'utf8',
        env: { ...process.env, LC_ALL: '', LC_MESSAGES: '', ...env },
      });
      assert.equal(r.status, 0, r.stderr);
      return r.stdout;
    };
    assert.match(run(['--lang', 'zh'], { LANG: 'en_US.UTF-8' }), /各阶段会员数[\s\S]*阶段\s+会员数[\s\S]*新客\s+1/);
    assert.match(run([], { LANG: 'zh_CN.UTF-8' }), /新客\s+1/);
    assert.match(run([], { LANG: 'en_US.UTF-8' }), /Members by stage[\s\S]*New\s+1/);
  } finally {
    s.close();
  }
});
