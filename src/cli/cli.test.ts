import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, sandbox } from '../testing/index.js';

const BIN = join(ROOT, 'bin', 'regulars.js');

function cli(args: string[], env: NodeJS.ProcessEnv = {}): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

test('every command has --help', () => {
  const commands = [
    [],
    ['import'],
    ['stats'],
    ['members'],
    ['members', 'show'],
    ['members', 'unmerge'],
    ['identity'],
    ['identity', 'report'],
    ['identity', 'resolve'],
    ['settings'],
    ['settings', 'get'],
    ['settings', 'set'],
    ['generate'],
  ];
  for (const c of commands) {
    const r = cli([...c, '--help']);
    assert.equal(r.code, 0, `${c.join(' ')} --help`);
    assert.match(r.stdout, /Usage: regulars/);
    if (c.length > 0 && !['members', 'identity', 'settings'].includes(c.join(' '))) assert.match(r.stdout, /--db <file>|--out <dir>/, c.join(' '));
  }
});

test('import --json prints one JSON document; stats and members show read the same database; REGULARS_DB is honoured', async () => {
  const s = await sandbox();
  try {
    const db = join(s.dir, 'cli.duckdb');
    const f = s.write(
      'orders.csv',
      ['channel,order_id,buyer_id,buyer_phone,created_at,paid_at,item_total', 'web,o1,u1,13800138000,2024-01-01 10:00:00,2024-01-01 10:00:00,10.00', 'web,o2,u1,,2024-01-02 10:00:00,,5.00'].join('\n'),
    );
    const lines = s.write('order_lines.csv', ['channel,order_id,line_no,sku,quantity,unit_price', 'web,o1,1,A,1,10.00', 'web,o2,1,B,1,5.00'].join('\n'));
    const r = cli(['import', f, lines, '--json', '--rejects', join(s.dir, 'rj')], { REGULARS_DB: db });
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { files: Array<{ loaded: number; rows_read: number }>; refused: unknown[] };
    assert.deepEqual(
      doc.files.map((x) => [x.rows_read, x.loaded]),
      [
        [2, 2],
        [2, 2],
      ],
    );
    assert.deepEqual(doc.refused, []);
    const stats = JSON.parse(cli(['stats', '--json', '--db', db]).stdout) as { totals: Record<string, unknown> };
    assert.equal(Number(stats.totals['members']), 1);
    assert.equal(stats.totals['gross'], '10.0000', 'only the paid order is a purchase');
    const show = cli(['members', 'show', '+86 138 0013 8000', '--db', db]);
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, /web\s+o1/);
    const missing = cli(['members', 'show', 'nobody@example.com', '--db', db]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no member matches/);
  } finally {
    s.close();
  }
});

test('a refused file exits 2 with the reason; other files still import', async () => {
  const s = await sandbox();
  try {
    const db = join(s.dir, 'cli.duckdb');
    const empty = s.write('orders.csv', '');
    const good = s.write('members.csv', 'channel,external_id\nshop,c1\n');
    const r = cli(['import', empty, good, '--db', db, '--json', '--rejects', join(s.dir, 'rj')]);
    assert.equal(r.code, 2);
    const doc = JSON.parse(r.stdout) as { files: unknown[]; refused: Array<{ reason: string }> };
    assert.equal(doc.files.length, 1);
    assert.match(doc.refused[0]?.reason ?? '', /empty/);
  } finally {
    s.close();
  }
});

test('a second process gets a clear message naming the holder, not a stack trace', async () => {
  const s = await sandbox();
  try {
    const db = join(s.dir, 'locked.duckdb');
    const holder = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { openRegulars } from ${JSON.stringify(join(ROOT, 'dist', 'open.js'))}; await openRegulars(${JSON.stringify(db)}); console.log('open'); setInterval(() => {}, 1000);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((resolve) => holder.stdout.on('data', () => resolve()));
      const r = cli(['stats', '--db', db]);
      assert.equal(r.code, 3);
      assert.match(r.stderr, /is in use by another process \(PID \d+/);
      assert.match(r.stderr, /stop that process, or use another --db file/);
      assert.doesNotMatch(r.stderr, /at .*\.js:\d+/);
    } finally {
      holder.kill();
    }
  } finally {
    s.close();
  }
});

test('refresh stores every report; --only recomputes the named ones and leaves the others stored', async () => {
  const s = await sandbox();
  try {
    const db = join(s.dir, 'refresh.duckdb');
    const f = s.write(
      'orders.csv',
      [
        'channel,order_id,buyer_id,created_at,paid_at',
        'web,o1,u1,2024-01-01 10:00:00,2024-01-01 10:00:00',
        'web,o2,u1,2024-01-20 10:00:00,2024-01-20 10:00:00',
        'web,o3,u2,2024-01-21 10:00:00,2024-01-21 10:00:00',
      ].join('\n'),
    );
    const lines = s.write('order_lines.csv', ['channel,order_id,line_no,sku,quantity,unit_price', 'web,o1,1,A,1,10.00', 'web,o2,1,B,2,5.00', 'web,o3,1,A,1,10.00'].join('\n'));
    assert.equal(cli(['import', f, lines, '--db', db, '--rejects', join(s.dir, 'rj')]).code, 0);
    type Doc = { report: string; as_of: string; computed_at: string; from_store: boolean };
    const full = cli(['refresh', '--db', db, '--json']);
    assert.equal(full.code, 0, full.stderr);
    const all = JSON.parse(full.stdout) as Doc[];
    assert.deepEqual(
      all.map((d) => d.report),
      ['kpi', 'links', 'rfm', 'repeat', 'cohorts', 'lifecycle', 'migration', 'tags', 'review'],
    );
    assert.ok(all.every((d) => d.as_of === '2024-01-21' && !d.from_store));
    await new Promise((r) => setTimeout(r, 1100)); // a stored report reads back its computed_at to the second
    const part = cli(['refresh', '--db', db, '--json', '--only', 'rfm, repeat']);
    assert.equal(part.code, 0, part.stderr);
    const some = JSON.parse(part.stdout) as Doc[];
    assert.deepEqual(
      some.map((d) => d.report),
      ['rfm', 'repeat'],
    );
    const read = (report: string): Doc => JSON.parse(cli(['analyze', report, '--db', db, '--json']).stdout) as Doc;
    const kpi = read('kpi');
    assert.equal(kpi.from_store, true);
    assert.equal(kpi.computed_at, all[0]?.computed_at.slice(0, 19), 'kpi was not recomputed');
    const rfm = read('rfm');
    assert.equal(rfm.from_store, true);
    assert.equal(rfm.computed_at, some[0]?.computed_at.slice(0, 19), 'rfm was recomputed by --only');
    assert.notEqual(rfm.computed_at, all[2]?.computed_at.slice(0, 19));
    const bad = cli(['refresh', '--db', db, '--only', 'rfm,nope']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /unknown report 'nope' in --only; known: kpi, links/);
  } finally {
    s.close();
  }
});
