import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { FileRefused } from './index.js';
import { accounted, countOf, readCsv, ROOT, sandbox } from '../testing/index.js';
import { openRegulars } from '../open.js';

const ORDERS_HEADER = 'channel,order_id,buyer_id,created_at,paid_at,status,item_total,paid_amount';

async function tablesEmpty(s: Awaited<ReturnType<typeof sandbox>>): Promise<void> {
  for (const t of ['orders', 'order_lines', 'identities', 'members', 'imports', 'merge_events']) {
    assert.equal(await countOf(s.db, `SELECT * FROM ${t}`), 0, `${t} must stay empty`);
  }
}

test('an empty file is refused and nothing is written', async () => {
  const s = await sandbox();
  try {
    const f = s.write('orders.csv', '');
    await assert.rejects(s.import(f), (e: unknown) => e instanceof FileRefused && /empty/.test(e.message));
    await tablesEmpty(s);
  } finally {
    s.close();
  }
});

test('a file that is not CSV at all (binary) is refused', async () => {
  const s = await sandbox();
  try {
    const f = s.write('orders.csv', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0x08, 0x00, 0x41, 0x00]));
    await assert.rejects(s.import(f), (e: unknown) => e instanceof FileRefused && /not a text file/.test(e.message));
    await tablesEmpty(s);
  } finally {
    s.close();
  }
});

test('the wrong delimiter is refused with a hint naming the delimiter', async () => {
  const s = await sandbox();
  try {
    const f = s.write('orders.csv', `${ORDERS_HEADER.replaceAll(',', '|')}\nweb|o1|u1|2024-01-01 10:00:00||paid|10.00|10.00\n`);
    await assert.rejects(s.import(f, { delimiter: ',' }), (e: unknown) => {
      assert.ok(e instanceof FileRefused);
      assert.match(e.message, /channel, order_id/);
      assert.match(e.message, /single column.*--delimiter/);
      return true;
    });
    await tablesEmpty(s);
    const ok = await s.import(f, { delimiter: '|' });
    assert.equal(ok.loaded, 1, 'with the right delimiter the same file loads');
  } finally {
    s.close();
  }
});

test('GBK bytes read as UTF-8 are refused; auto-detection reads them as GB18030', async () => {
  const s = await sandbox();
  try {
    // '张三' in GBK is D5 C5 C8 FD: invalid as UTF-8.
    const gbkName = Buffer.from([0xd5, 0xc5, 0xc8, 0xfd]);
    const f = s.write('members.csv', Buffer.concat([Buffer.from('channel,external_id,name\nshop,c1,'), gbkName, Buffer.from('\nshop,c2,Li\n')]));
    await assert.rejects(s.import(f, { encoding: 'utf-8' }), (e: unknown) => e instanceof FileRefused && /not valid UTF-8.*gbk/i.test(e.message));
    await tablesEmpty(s);
    const r = await s.import(f);
    assert.equal(r.encoding, 'gb18030');
    const name = await s.db.one("SELECT name FROM member_records WHERE external_id = 'c1'");
    assert.equal(name?.['name'], '张三');
  } finally {
    s.close();
  }
});

test('missing required columns are refused, naming them', async () => {
  const s = await sandbox();
  try {
    const f = s.write('retail.csv', 'InvoiceNo,StockCode,Quantity,UnitPrice\n536365,85123A,6,2.55\n');
    await assert.rejects(s.import(f, { preset: 'online-retail' }), (e: unknown) => {
      assert.ok(e instanceof FileRefused);
      assert.match(e.message, /missing column\(s\) 'InvoiceDate', 'CustomerID'/);
      return true;
    });
    await tablesEmpty(s);
  } finally {
    s.close();
  }
});

test('bad dates and amounts go to the reject file with file, line, field and reason; good rows load', async () => {
  const s = await sandbox();
  try {
    const f = s.write(
      'orders.csv',
      [
        ORDERS_HEADER,
        'web,o1,u1,2024-01-01 10:00:00,2024-01-01 10:01:00,paid,10.00,10.00',
        'web,o2,u2,2024-13-45 10:00:00,,created,5.00,',
        'web,o3,u3,2024-01-03 10:00:00,,created,abc,',
        'web,o4,u4,2024-01-04 10:00:00,,created,1.23456,',
        'web,o5,,,,,,',
        'web,o6,u6,2024-01-06 10:00:00,,lost,1.00,',
        'web,o7,u7,2024-01-07 10:00:00,2024-01-07 10:00:00,paid,"1,234.50",1234.50',
      ].join('\n'),
    );
    const r = await s.import(f);
    assert.equal(r.rows_read, 7);
    assert.equal(r.loaded, 2);
    assert.equal(r.rejected, 5);
    assert.equal(accounted(r), r.rows_read);
    assert.ok(r.rejects_file !== null && r.rejects_file.startsWith(join(s.dir, 'rejects')), 'reject file under --rejects, not beside the input');
    const rejects = readCsv(r.rejects_file);
    const byLine = new Map(rejects.map((x) => [x['line'], x]));
    assert.equal(rejects[0]?.['file'], f);
    assert.equal(byLine.get('3')?.['field'], 'created_at');
    assert.equal(byLine.get('4')?.['field'], 'item_total');
    assert.match(byLine.get('5')?.['reason'] ?? '', /more than 4 decimal places/);
    assert.deepEqual(
      rejects
        .filter((x) => x['line'] === '6')
        .map((x) => x['field'])
        .sort(),
      ['created_at'],
      'a row with several problems lists each one',
    );
    assert.equal(byLine.get('7')?.['field'], 'status');
    const big = await s.db.one("SELECT item_total::VARCHAR AS v FROM orders WHERE order_id = 'o7'");
    assert.equal(big?.['v'], '1234.5000');
  } finally {
    s.close();
  }
});

test('duplicate order IDs: identical rows are duplicates, conflicting ones rejected, re-imports change nothing', async () => {
  const s = await sandbox();
  try {
    const f = s.write(
      'orders.csv',
      [
        ORDERS_HEADER,
        'web,o1,u1,2024-01-01 10:00:00,,created,10.00,',
        'web,o1,u1,2024-01-01 10:00:00,,created,10.00,',
        'web,o1,u1,2024-01-01 10:00:00,,created,99.00,',
        'web,o2,u2,2024-01-02 10:00:00,,created,5.00,',
      ].join('\n'),
    );
    const r = await s.import(f);
    assert.deepEqual([r.loaded, r.duplicate, r.rejected], [2, 1, 1]);
    const rejects = readCsv(r.rejects_file ?? '');
    assert.match(rejects[0]?.['reason'] ?? '', /already appears at line 2/);
    const later = s.write('orders-later.csv', [ORDERS_HEADER, 'web,o2,u2,2024-01-02 10:00:00,,created,5.00,', 'web,o3,u3,2024-01-03 10:00:00,,created,7.00,'].join('\n'));
    const r2 = await s.import(later);
    assert.deepEqual([r2.loaded, r2.duplicate], [1, 1], 'an overlapping later export adds only what is new');
    const snapshot = await s.db.all('SELECT * FROM orders ORDER BY order_id');
    const r3 = await s.import(f);
    assert.equal(r3.loaded, 0);
    assert.deepEqual(await s.db.all('SELECT * FROM orders ORDER BY order_id'), snapshot);
  } finally {
    s.close();
  }
});

test('a 10 MB field is read and rejected for its length; the other rows load', async () => {
  const s = await sandbox();
  try {
    const huge = 'x'.repeat(10 * 1024 * 1024);
    const f = s.write('members.csv', `channel,external_id,name\nshop,c1,Ann\nshop,c2,"${huge}"\nshop,c3,Cy\n`);
    const r = await s.import(f);
    assert.deepEqual([r.rows_read, r.loaded, r.rejected], [3, 2, 1]);
    const rejects = readCsv(r.rejects_file ?? '');
    assert.equal(rejects[0]?.['line'], '3');
    assert.equal(rejects[0]?.['field'], 'name');
    assert.match(rejects[0]?.['reason'] ?? '', /10485760 characters long/);
  } finally {
    s.close();
  }
});

test('a process killed mid-import leaves no partial state', async () => {
  const s = await sandbox();
  const dbFile = join(s.dir, 'killed.duckdb');
  try {
    // Big enough that loading takes a while: 400k order lines.
    const rows = ['channel,order_id,buyer_id,created_at,sku,quantity,unit_price'];
    for (let i = 0; i < 400_000; i++) rows.push(`web,o${Math.floor(i / 4)},u${i % 5000},2024-01-01 10:00:00,S${i % 97},1,9.99`);
    const f = s.write('sales.csv', rows.join('\n'));
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'regulars.js'), 'import', f, '--db', dbFile, '--rejects', join(s.dir, 'rj')], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const killedAt = await new Promise<string>((resolve) => {
      let err = '';
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
        // Kill once validation is done: the transaction that writes the tables is under way.
        if (/validated/.test(err) && child.exitCode === null) {
          child.kill('SIGKILL');
          resolve('loading');
        }
      });
      child.on('exit', () => resolve(/done/.test(err) ? 'finished' : 'killed'));
    });
    await exited;
    assert.equal(killedAt, 'loading', 'the kill must land while the import writes');
    assert.ok(existsSync(dbFile));
    const db = await openRegulars(dbFile);
    try {
      const orders = await countOf(db, 'SELECT * FROM orders');
      const lines = await countOf(db, 'SELECT * FROM order_lines');
      const imports = await countOf(db, 'SELECT * FROM imports');
      assert.deepEqual([orders, lines, imports, await countOf(db, 'SELECT * FROM identities')], [0, 0, 0, 0], 'all or nothing');
    } finally {
      db.close();
    }
  } finally {
    s.close();
  }
});

function runCli(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'regulars.js'), ...args], { encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

test('a truncated .gz is refused whole, not imported in part', async () => {
  const s = await sandbox();
  try {
    const rows = ['channel,order_id,buyer_id,created_at'];
    for (let i = 0; i < 20_000; i++) rows.push(`web,o${i},u${i % 97},2024-01-01 10:00:00`);
    const gz = gzipSync(rows.join('\n'));
    const f = s.write('orders.csv.gz', gz.subarray(0, Math.floor((gz.length * 2) / 3)));
    await assert.rejects(s.import(f), (e: unknown) => e instanceof FileRefused && /truncated or corrupt gzip/.test(e.message));
    await tablesEmpty(s);
  } finally {
    s.close();
  }
});

test('a header-only file is refused, not recorded as an import', async () => {
  const s = await sandbox();
  try {
    const f = s.write('orders.csv', `${ORDERS_HEADER}\n`);
    await assert.rejects(s.import(f), (e: unknown) => e instanceof FileRefused && /has no rows/.test(e.message));
    await tablesEmpty(s);
  } finally {
    s.close();
  }
});

test('--db naming a data file is refused before anything is read or written', async () => {
  const s = await sandbox();
  try {
    const f = s.write('orders.csv', `${ORDERS_HEADER}\nweb,o1,u1,2024-01-01 10:00:00,,created,10.00,\n`);
    const r = runCli(['import', f, '--db', join(s.dir, 'something.csv'), '--json']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /--db names the analytical database file; '.*something\.csv' looks like a data file/);
    assert.equal(existsSync(join(s.dir, 'something.csv')), false);
  } finally {
    s.close();
  }
});

test('a returns file without line_no imports through the CLI with a --json report', async () => {
  const s = await sandbox();
  try {
    const f = s.write('returns.csv', 'channel,return_id,order_id,sku,quantity,amount,returned_at\nshop,r1,o1,A,1,10.00,2024-03-10 12:00:00\nshop,r1,o1,B,1,4.00,2024-03-10 12:00:00\n');
    const r = runCli(['import', f, '--db', join(s.dir, 'cli.duckdb'), '--json', '--rejects', join(s.dir, 'rj')]);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { files: Array<{ return: number; rejected: number }> };
    assert.deepEqual([doc.files[0]?.return, doc.files[0]?.rejected], [2, 0]);
  } finally {
    s.close();
  }
});

test('reject lines are physical lines when a record spans lines and the file has blank lines', async () => {
  const s = await sandbox();
  try {
    const f = s.write(
      'members.csv',
      ['channel,external_id,name,birthday', 'shop,c1,"Ann', 'Smith",1990-01-01', '', 'shop,c2,Bob,1990-13-40', 'shop,c3', '', 'shop,c4,"Cy', '', 'Doe",not a date', 'shop,c5,Di,1990-02-02'].join(
        '\r\n',
      ),
    );
    const r = await s.import(f);
    assert.deepEqual([r.rows_read, r.loaded, r.rejected], [5, 2, 3]);
    const rejects = readCsv(r.rejects_file ?? '');
    assert.deepEqual([...new Set(rejects.map((x) => x['line']))], ['5', '6', '8'], 'the lines a text editor shows');
    assert.equal(rejects.find((x) => x['line'] === '8')?.['field'], 'birthday');
    const name = await s.db.one("SELECT name FROM member_records WHERE external_id = 'c1'");
    assert.equal(name?.['name'], 'Ann\r\nSmith');
  } finally {
    s.close();
  }
});

/** Runs one bad-map case: the import is refused with a message matching `reason`, and nothing is written. */
async function refusedMap(map: unknown, csv: string, reason: RegExp): Promise<void> {
  const s = await sandbox();
  try {
    const m = s.write('map.json', JSON.stringify(map));
    const f = s.write('export.csv', csv);
    await assert.rejects(s.import(f, { mapFile: m }), (e: unknown) => {
      assert.ok(e instanceof FileRefused, String(e));
      assert.match(e.message, reason);
      return true;
    });
    await tablesEmpty(s);
    assert.equal(await countOf(s.db, 'SELECT * FROM returns'), 0, 'returns must stay empty');
  } finally {
    s.close();
  }
}

const MAP_EXPORT = ['no,who,at,total,status,refund,refund_at', 'O1,c1,2024-03-01 10:00:00,10.00,paid,4.00,2024-03-02 10:00:00', 'O2,c2,2024-03-01 11:00:00,20.00,paid,5.00,soon'].join('\n');
const MAP_ORDERS = { entity: 'orders', columns: { order_id: 'no', buyer_id: 'who', created_at: 'at', item_total: 'total', status: 'status' }, constants: { channel: 'shop' } };
const MAP_REFUNDS = { entity: 'returns', columns: { return_id: 'no', order_id: 'no', amount: 'refund', returned_at: 'refund_at' }, constants: { quantity: '0' } };

test('map row filters: a misspelt key, a malformed condition, a missing column or a filter that keeps nothing are refused', async () => {
  await refusedMap({ ...MAP_ORDERS, fliter: { column: 'status', equals: 'paid' } }, MAP_EXPORT, /"fliter": not a key of the map format/);
  await refusedMap(
    { ...MAP_ORDERS, filter: { column: 'status', equals: 'paid', empty: true } },
    MAP_EXPORT,
    /filter: give exactly one of equals, in, not_in, empty, not_empty \(found equals, empty\)/,
  );
  await refusedMap({ ...MAP_ORDERS, filter: { all: [{ column: 'status', in: [] }] } }, MAP_EXPORT, /filter\.all\[0\]\.in: a non-empty list of strings/);
  await refusedMap({ ...MAP_ORDERS, filter: { column: 'Status', equals: 'paid' } }, MAP_EXPORT, /missing column\(s\) 'Status'/);
  await refusedMap({ ...MAP_ORDERS, filter: { column: 'status', equals: 'PAID' } }, MAP_EXPORT, /filter \(status equals PAID\) keeps none of its 2 rows/);
});

test("a map's second entity: refused when it would count a refund twice; when every one of its rows is invalid, nothing of the file is written", async () => {
  await refusedMap({ ...MAP_ORDERS, columns: { ...MAP_ORDERS.columns, refunded_amount: 'refund' }, also: MAP_REFUNDS }, MAP_EXPORT, /returned twice/);
  await refusedMap({ ...MAP_ORDERS, also: { ...MAP_REFUNDS, entity: 'orders' } }, MAP_EXPORT, /"also\.entity" must name another entity/);
  await refusedMap({ ...MAP_ORDERS, also: { ...MAP_REFUNDS, colums: {} } }, MAP_EXPORT, /"also\.colums": not a key/);
  // The orders are valid; every return is not (a refund date that is no date): the one transaction is undone.
  const allBad = MAP_EXPORT.replace('2024-03-02 10:00:00', 'yesterday');
  await refusedMap({ ...MAP_ORDERS, also: MAP_REFUNDS }, allBad, /every one of its 2 rows is invalid as returns: returned_at/);
});
