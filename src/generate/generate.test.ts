import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate, type GenerateReport } from './index.js';
import { parseCsv } from '../testing/index.js';

// The importer's canonical layouts, written out here so the test does not trust the generator's own copy.
const HEADERS: Record<string, string[]> = {
  members: ['channel', 'external_id', 'phone', 'email', 'wechat_unionid', 'wechat_openid', 'pos_card', 'name', 'gender', 'birthday', 'city', 'registered_at'],
  consents: ['channel', 'external_id', 'contact_channel', 'status', 'at', 'source'],
  products: ['sku', 'name', 'category_path', 'brand', 'list_price', 'cost', 'launched_at', 'line_type'],
  orders: [
    'channel',
    'order_id',
    'buyer_id',
    'buyer_phone',
    'buyer_email',
    'buyer_unionid',
    'buyer_openid',
    'buyer_pos_card',
    'buyer_name',
    'store_id',
    'agent_id',
    'created_at',
    'paid_at',
    'shipped_at',
    'completed_at',
    'cancelled_at',
    'status',
    'item_total',
    'discount',
    'shipping',
    'paid_amount',
    'coupon_codes',
  ],
  order_lines: ['channel', 'order_id', 'line_no', 'sku', 'name', 'line_type', 'quantity', 'unit_price', 'amount', 'list_price', 'cost'],
  returns: [
    'channel',
    'return_id',
    'line_no',
    'order_id',
    'order_line_no',
    'buyer_id',
    'buyer_phone',
    'buyer_email',
    'buyer_unionid',
    'buyer_openid',
    'buyer_pos_card',
    'sku',
    'line_type',
    'quantity',
    'amount',
    'reason',
    'returned_at',
  ],
  events: [
    'channel',
    'event_id',
    'type',
    'at',
    'buyer_id',
    'buyer_phone',
    'buyer_email',
    'buyer_unionid',
    'buyer_openid',
    'buyer_pos_card',
    'session_id',
    'source',
    'sku',
    'category',
    'query',
    'dwell_seconds',
    'agent_id',
    'direction',
    'word_count',
    'rating',
    'text',
    'order_id',
    'campaign_id',
    'coupon_code',
    'properties',
  ],
  truth: ['person_id', 'channel', 'external_id'],
};
const MONEY: Record<string, string[]> = {
  products: ['list_price', 'cost'],
  orders: ['item_total', 'discount', 'shipping', 'paid_amount'],
  order_lines: ['unit_price', 'amount', 'list_price', 'cost'],
  returns: ['amount'],
};
const CHANNELS = ['tmall', 'jd', 'shopify', 'wechat', 'pos'];
const TS = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
const OPTS = { members: 1500, days: 365, start: '2024-01-01' };

type Row = Record<string, string>;

let root = '';
let full: GenerateReport;
const tables = new Map<string, { header: string[]; raw: string[][]; rows: Row[] }>();

function table(stem: string): Row[] {
  const t = tables.get(stem);
  assert.ok(t, `${stem}.csv was read`);
  return t.rows;
}

async function hashes(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const f of (await readdir(dir)).sort())
    out.set(
      f,
      createHash('sha256')
        .update(await readFile(join(dir, f)))
        .digest('hex'),
    );
  return out;
}

const cents = (s: string | undefined): number => {
  assert.match(s ?? '', /^-?\d+\.\d{2}$/);
  return Math.round(Number(s) * 100);
};

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'regulars-generate-'));
  full = await generate({ ...OPTS, seed: 'test', out: join(root, 'a') });
  for (const stem of Object.keys(HEADERS)) {
    const [header, ...raw] = parseCsv(await readFile(join(root, 'a', `${stem}.csv`), 'utf8'));
    assert.ok(header, `${stem} has a header`);
    tables.set(stem, { header, raw, rows: raw.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? '']))) });
  }
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

test('the same seed writes the same bytes; another seed writes different files', async () => {
  await generate({ ...OPTS, seed: 'test', out: join(root, 'b') });
  await generate({ ...OPTS, seed: 'other', out: join(root, 'c') });
  const a = await hashes(join(root, 'a'));
  const b = await hashes(join(root, 'b'));
  const c = await hashes(join(root, 'c'));
  assert.deepEqual(
    [...a.keys()],
    Object.keys(HEADERS)
      .map((s) => `${s}.csv`)
      .sort(),
  );
  assert.deepEqual(b, a);
  for (const [f, h] of a) assert.notEqual(c.get(f), h, `${f} differs with another seed`);
});

test('only: writes just the named files, byte-identical to the full run', async () => {
  const r = await generate({ ...OPTS, seed: 'test', out: join(root, 'd'), only: ['order_lines'] });
  assert.deepEqual(await readdir(join(root, 'd')), ['order_lines.csv']);
  assert.deepEqual(Object.keys(r.files), ['order_lines']);
  assert.equal((await hashes(join(root, 'd'))).get('order_lines.csv'), (await hashes(join(root, 'a'))).get('order_lines.csv'));
  assert.equal(r.files['order_lines']?.rows, full.files['order_lines']?.rows);
  await assert.rejects(generate({ ...OPTS, seed: 'test', out: join(root, 'e'), only: ['nope'] }), /unknown file 'nope'/);
  await assert.rejects(generate({ ...OPTS, seed: 'test', out: join(root, 'e'), start: '2024-02-30' }), /start must be a date/);
});

test('every file has its canonical header and every row as many fields; the report counts rows and bytes', async () => {
  for (const [stem, header] of Object.entries(HEADERS)) {
    const t = tables.get(stem);
    assert.ok(t);
    assert.deepEqual(t.header, header, stem);
    assert.ok(t.raw.length > 0, `${stem} has rows`);
    for (const r of t.raw) assert.equal(r.length, header.length, `${stem}: ${r.join('|')}`);
    const f = full.files[stem];
    assert.equal(f?.rows, t.raw.length, `${stem} rows`);
    assert.equal(f?.bytes, (await readFile(join(root, 'a', `${stem}.csv`))).length, `${stem} bytes`);
  }
  assert.ok(
    table('events').some((e) => /[,"\n]/.test(e['text'] ?? '')),
    'some review text needed quoting and survived it',
  );
});

test('money has exactly two decimals; item_total is the sum of line amounts; paid_amount = item_total - discount + shipping', () => {
  for (const [stem, cols] of Object.entries(MONEY)) {
    for (const r of table(stem)) for (const c of cols) if (!(stem === 'orders' && c === 'paid_amount' && r[c] === '')) cents(r[c]);
  }
  const sums = new Map<string, number>();
  for (const l of table('order_lines')) {
    const q = Number(l['quantity']);
    assert.ok(Number.isInteger(q) && q >= 1);
    assert.equal(cents(l['amount']), cents(l['unit_price']) * q);
    if (l['line_type'] === 'product') assert.ok(cents(l['cost']) < cents(l['list_price']));
    const k = `${l['channel']}/${l['order_id']}`;
    sums.set(k, (sums.get(k) ?? 0) + cents(l['amount']));
  }
  const orders = table('orders');
  for (const o of orders) {
    const total = cents(o['item_total']);
    assert.equal(sums.get(`${o['channel']}/${o['order_id']}`), total, `order ${o['order_id']}`);
    if (o['paid_at'] === '') assert.equal(o['paid_amount'], '');
    else assert.equal(cents(o['paid_amount']), total - cents(o['discount']) + cents(o['shipping']));
    assert.ok(cents(o['discount']) < total);
  }
  const lines = table('order_lines').length / orders.length;
  assert.ok(lines >= 2 && lines <= 4, `lines per order ${lines}`);
});

test('statuses agree with timestamps; unpaid orders are 10-15 %; times are within the period', () => {
  const orders = table('orders');
  let unpaid = 0;
  for (const o of orders) {
    const has = (k: string): boolean => o[k] !== '';
    for (const k of ['created_at', 'paid_at', 'shipped_at', 'completed_at', 'cancelled_at']) if (has(k)) assert.match(o[k] ?? '', TS);
    assert.ok((o['created_at'] ?? '') >= '2024-01-01' && (o['created_at'] ?? '') < '2024-12-31');
    const expect = has('cancelled_at') ? 'cancelled' : has('completed_at') ? 'completed' : has('shipped_at') ? 'shipped' : has('paid_at') ? 'paid' : 'created';
    assert.equal(o['status'], expect, JSON.stringify(o));
    if (!has('paid_at')) {
      unpaid++;
      assert.ok(!has('shipped_at') && !has('completed_at'));
    } else assert.ok(!has('cancelled_at') && (o['paid_at'] ?? '') >= (o['created_at'] ?? ''));
    if (has('shipped_at')) assert.ok((o['shipped_at'] ?? '') >= (o['paid_at'] ?? ''));
    if (has('completed_at')) assert.ok((o['completed_at'] ?? '') >= (o['paid_at'] ?? ''));
    if (o['channel'] === 'pos') assert.match(o['store_id'] ?? '', /^[A-Z]{2}\d{2}$/);
  }
  const share = unpaid / orders.length;
  assert.ok(share >= 0.08 && share <= 0.16, `unpaid share ${share}`);
});

test('ids are unique per channel; products are bought only after launch', () => {
  const unique = (rows: Row[], key: (r: Row) => string, what: string): void => {
    const seen = new Set<string>();
    for (const r of rows) {
      const k = key(r);
      assert.ok(!seen.has(k), `${what} ${k} repeats`);
      seen.add(k);
    }
  };
  unique(table('orders'), (r) => `${r['channel']}/${r['order_id']}`, 'order');
  unique(table('events'), (r) => `${r['channel']}/${r['event_id']}`, 'event');
  unique(table('order_lines'), (r) => `${r['channel']}/${r['order_id']}/${r['line_no']}`, 'order line');
  unique(table('returns'), (r) => `${r['channel']}/${r['return_id']}/${r['line_no']}`, 'return line');
  unique(table('members'), (r) => `${r['channel']}/${r['external_id']}`, 'member');
  unique(table('products'), (r) => r['sku'] ?? '', 'sku');
  const launched = new Map(table('products').map((p) => [p['sku'], p['launched_at'] ?? '']));
  const created = new Map(table('orders').map((o) => [`${o['channel']}/${o['order_id']}`, o['created_at'] ?? '']));
  for (const l of table('order_lines')) {
    const day = launched.get(l['sku']);
    assert.ok(day !== undefined, `line sku ${l['sku']} is in the catalogue`);
    assert.ok(day <= (created.get(`${l['channel']}/${l['order_id']}`) ?? '').slice(0, 10), `sku ${l['sku']} sold before launch`);
  }
  const sizes = table('products').filter((p) => p['line_type'] === 'product').length;
  assert.ok(sizes >= 200 && sizes <= 2000);
});

test('returns reference paid, delivered order lines with quantity and amount within the line', () => {
  const lines = new Map(table('order_lines').map((l) => [`${l['channel']}/${l['order_id']}/${l['line_no']}`, l]));
  const orders = new Map(table('orders').map((o) => [`${o['channel']}/${o['order_id']}`, o]));
  const returned = new Map<string, number>();
  for (const r of table('returns')) {
    const key = `${r['channel']}/${r['order_id']}/${r['order_line_no']}`;
    const l = lines.get(key);
    const o = orders.get(`${r['channel']}/${r['order_id']}`);
    assert.ok(l && o, `return ${r['return_id']} points at a real line`);
    assert.notEqual(o['paid_at'], '');
    assert.ok((r['returned_at'] ?? '') > (o['paid_at'] ?? ''));
    assert.equal(r['sku'], l['sku']);
    assert.ok(Number(r['quantity']) >= 1 && Number(r['quantity']) <= Number(l['quantity']));
    assert.ok(cents(r['amount']) > 0 && cents(r['amount']) <= cents(l['amount']));
    assert.equal(r['buyer_id'], o['buyer_id']);
    returned.set(key, (returned.get(key) ?? 0) + 1);
  }
  assert.ok(
    [...returned.values()].every((n) => n === 1),
    'a line is returned at most once',
  );
  const paidLines = table('order_lines').filter((l) => l['line_type'] === 'product' && orders.get(`${l['channel']}/${l['order_id']}`)?.['paid_at'] !== '').length;
  const share = returned.size / paidLines;
  assert.ok(share >= 0.03 && share <= 0.1, `returned line share ${share}`);
});

test('events have valid types and the fields their type needs', () => {
  const types = new Set([
    'visit',
    'view',
    'search',
    'cart',
    'favourite',
    'inquiry',
    'review',
    'share',
    'message_delivered',
    'message_opened',
    'message_clicked',
    'unsubscribed',
    'coupon_received',
    'coupon_redeemed',
    'community_join',
    'community_post',
    'live_stream_watch',
  ]);
  const events = table('events');
  const seen = new Set<string>();
  for (const e of events) {
    const type = e['type'] ?? '';
    assert.ok(types.has(type), type);
    seen.add(type);
    assert.ok(CHANNELS.includes(e['channel'] ?? ''));
    assert.match(e['at'] ?? '', TS);
    assert.notEqual(e['buyer_id'], '');
    if (type === 'visit') assert.ok(['search', 'ads', 'affiliate', 'social', 'community', 'direct'].includes(e['source'] ?? ''));
    if (type === 'view') assert.ok(e['sku'] !== '' && Number(e['dwell_seconds']) > 0 && (e['category'] ?? '').includes(' > '));
    if (type === 'search') assert.notEqual(e['query'], '');
    if (type === 'inquiry') assert.ok(/^A\d{2}$/.test(e['agent_id'] ?? '') && ['inbound', 'outbound'].includes(e['direction'] ?? '') && Number(e['word_count']) > 0);
    if (type === 'review') assert.ok(['1', '2', '3', '4', '5'].includes(e['rating'] ?? '') && e['text'] !== '' && e['order_id'] !== '');
    if (type.startsWith('message_') || type === 'unsubscribed') assert.match(e['campaign_id'] ?? '', /^CMP\d{3}-/);
    if (type.startsWith('coupon_')) assert.notEqual(e['coupon_code'], '');
    if (type === 'live_stream_watch') assert.equal(typeof (JSON.parse(e['properties'] ?? '') as { minutes: unknown }).minutes, 'number');
  }
  assert.deepEqual(
    [...types].filter((t) => !seen.has(t)),
    [],
    'every event type occurs',
  );
  const perPerson = events.length / OPTS.members;
  assert.ok(perPerson >= 5 && perPerson <= 15, `events per person ${perPerson}`);
});

test('truth names one person for every account in every file; accounts of one person can be joined', () => {
  const truth = new Map<string, string>();
  for (const t of table('truth')) {
    const k = `${t['channel']}/${t['external_id']}`;
    assert.ok(!truth.has(k), `${k} appears once in truth`);
    truth.set(k, t['person_id'] ?? '');
  }
  for (const m of table('members')) assert.ok(truth.has(`${m['channel']}/${m['external_id']}`));
  for (const stem of ['orders', 'returns', 'events']) {
    for (const r of table(stem)) if (r['buyer_id'] !== '') assert.ok(truth.has(`${r['channel']}/${r['buyer_id']}`), `${stem} buyer ${r['buyer_id']}`);
  }
  for (const c of table('consents')) assert.ok(truth.has(`${c['channel']}/${c['external_id']}`));
  const guests = table('orders').filter((o) => o['buyer_id'] === '');
  assert.ok(guests.length > 0 && guests.length < table('orders').length * 0.02, 'guest orders exist but are rare');

  // Identifiers of each person's accounts as the importer would normalise them.
  const phone = (s: string): string => (s.includes('*') ? '' : s.replace(/[^0-9]/g, '').replace(/^(0086|86)(?=1\d{10}$)/, ''));
  const email = (s: string): string => s.trim().toLowerCase();
  const persons = new Map<string, Map<string, Set<string>>>();
  const note = (person: string, id: string, acct: string): void => {
    if (id === '' || id.endsWith(':')) return;
    const m = persons.get(person) ?? new Map<string, Set<string>>();
    persons.set(person, m);
    m.set(id, (m.get(id) ?? new Set()).add(acct));
  };
  const holders = new Map<string, Set<string>>();
  const sources: Array<[Row[], string, string, string, string]> = [
    [table('members'), 'external_id', 'phone', 'email', 'wechat_unionid'],
    [table('orders'), 'buyer_id', 'buyer_phone', 'buyer_email', 'buyer_unionid'],
  ];
  for (const [rows, account, ph, em, un] of sources) {
    for (const m of rows) {
      if (m[account] === '') continue;
      const acct = `${m['channel']}/${m[account]}`;
      const person = truth.get(acct) ?? '';
      for (const id of [`p:${phone(m[ph] ?? '')}`, `e:${email(m[em] ?? '')}`, `u:${m[un]}`]) {
        note(person, id, acct);
        if (!id.endsWith(':')) holders.set(id, (holders.get(id) ?? new Set()).add(person));
      }
    }
  }
  for (const id of [...holders.keys()]) if (/^p:1[3-9]\d{9}$/.test(id) === false && id.startsWith('p:')) assert.fail(`phone ${id} is not a Chinese mobile`);
  assert.ok((holders.get('p:13800000000')?.size ?? 0) >= 5, 'the store placeholder phone is shared by at least 5 people');
  assert.ok(
    [...holders.entries()].some(([id, ps]) => id.startsWith('e:family.') && ps.size >= 2),
    'a family email is shared by 2+ people',
  );
  const shared = [...holders.entries()].filter(([, ps]) => ps.size > 1).map(([id]) => id);
  assert.ok(
    shared.every((id) => id === 'p:13800000000' || id.startsWith('e:family.')),
    `only the planted identifiers are shared: ${shared.slice(0, 5).join(' ')}`,
  );
  const multi = [...persons.values()].filter((ids) => new Set([...ids.values()].flatMap((s) => [...s])).size > 1);
  const joinable = multi.filter((ids) => [...ids.values()].some((s) => s.size > 1)).length;
  assert.ok(multi.length > 100 && joinable / multi.length > 0.5, `joinable multi-account people ${joinable}/${multi.length}`);
  assert.ok(table('members').some((m) => /^(\+86 |0086 )/.test(m['phone'] ?? '')) && table('members').some((m) => /[A-Z]/.test(m['email'] ?? '')), 'phones and emails come in varied formats');
});
