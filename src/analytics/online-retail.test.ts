import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { clock, datasets, parseCsv, sandbox, type Sandbox } from '../testing/index.js';
import { analyze } from './index.js';

/**
 * Online Retail figures computed twice: by the SQL analytics over the imported member base,
 * and by plain TypeScript over the raw file rows, implementing the metric definitions
 * (docs/analytics.md) directly (customer = CustomerID, occasion = one customer's purchases on one day, C invoices
 * are returns dated on their own day, the dataset's non-product stock codes are not products).
 * The second path shares no code with the importer or the SQL. The file is read and imported
 * once; each test compares one report.
 */
const retail = datasets('online-retail/online_retail.csv.gz');
const skip = 'skip' in retail ? retail.skip : false;
const AS_OF = '2011-12-09';
const FIRST_DAY = '2010-12-01';
const NON_PRODUCT = new Set(['POST', 'DOT', 'C2', 'M', 'm', 'D', 'S', 'B', 'BANK CHARGES', 'AMAZONFEE', 'CRUK']);

/** Money in thousandths (prices have at most 3 decimals; quantities are whole). */
const milli = (text: string): bigint => {
  const m = /^(-?)(\d*)(?:\.(\d{0,3}))?$/.exec(text.trim());
  if (m === null) throw new Error(`price ${text}`);
  const v = BigInt(m[2] || '0') * 1000n + BigInt((m[3] ?? '').padEnd(3, '0'));
  return m[1] === '-' ? -v : v;
};
/** Thousandths as the database prints DECIMAL(18,4). */
const money = (v: bigint): string => `${v < 0n ? '-' : ''}${(v < 0n ? -v : v) / 1000n}.${((v < 0n ? -v : v) % 1000n).toString().padStart(3, '0')}0`;
/** a / b rounded half up to `places` decimals, as text (a, b >= 0). */
const ratio = (a: bigint, b: bigint, places: number): string => {
  const scale = 10n ** BigInt(places);
  const q = (2n * a * scale + b) / (2n * b);
  return `${q / scale}.${(q % scale).toString().padStart(places, '0')}`;
};
const dayNo = (d: string): number => Date.parse(`${d}T00:00:00Z`) / 86_400_000;
const monthOf = (d: string): string => `${d.slice(0, 7)}-01`;
const monthsBetween = (a: string, b: string): number => (Number(b.slice(0, 4)) - Number(a.slice(0, 4))) * 12 + Number(b.slice(5, 7)) - Number(a.slice(5, 7));

interface Reference {
  /** customer -> day -> product value of that day's purchases (one occasion per day). */
  occasions: Map<string, Map<string, bigint>>;
  /** customer -> product value returned, per return line, with its day. */
  returns: Map<string, Array<{ day: string; value: bigint }>>;
  /** Every CustomerID in the file, whatever its rows are. */
  customers: Set<string>;
  /** Purchases (orders with product value above zero) of members and of guests, and their product value. */
  purchases: { member: number; guest: number; gross: bigint };
  /** Product value of every return line, guests' included. */
  returned: bigint;
}

/** Purchases and returns of every customer, straight from the file rows. */
function reference(path: string): Reference {
  const [header = [], ...rows] = parseCsv(gunzipSync(readFileSync(path)).toString('utf8'));
  const at = (name: string): number => header.indexOf(name);
  const [inv, code, qty, date, price, cust] = ['InvoiceNo', 'StockCode', 'Quantity', 'InvoiceDate', 'UnitPrice', 'CustomerID'].map(at);
  const orders = new Map<string, { customer: string; day: string; value: bigint }>();
  const returns: Reference['returns'] = new Map();
  const customers = new Set<string>();
  let returned = 0n;
  for (const r of rows) {
    const invoice = (r[inv!] ?? '').trim();
    const customer = (r[cust!] ?? '').trim().replace(/\.0+$/, '');
    const day = (r[date!] ?? '').slice(0, 10);
    const q = BigInt(r[qty!] ?? '0');
    const product = !NON_PRODUCT.has((r[code!] ?? '').trim());
    const value = q * milli(r[price!] ?? '0');
    if (customer !== '') customers.add(customer);
    if (invoice.toUpperCase().startsWith('C')) {
      if (!product) continue; // returned postage and fees are not product returns
      returned += value < 0n ? -value : value;
      if (customer === '') continue;
      const list = returns.get(customer) ?? [];
      list.push({ day, value: value < 0n ? -value : value });
      returns.set(customer, list);
      continue;
    }
    // An order is dated by its earliest line; negative quantities outside C invoices are stock adjustments.
    const o = orders.get(invoice) ?? { customer, day, value: 0n };
    if (day < o.day) o.day = day;
    if (product && q >= 0n) o.value += value;
    orders.set(invoice, o);
  }
  const occasions: Reference['occasions'] = new Map();
  const purchases = { member: 0, guest: 0, gross: 0n };
  for (const o of orders.values()) {
    if (o.value <= 0n) continue; // an order without product value is not a purchase
    purchases.gross += o.value;
    if (o.customer === '')
      purchases.guest++; // guests count for sales, not for members
    else purchases.member++;
    if (o.customer === '') continue;
    const days = occasions.get(o.customer) ?? new Map<string, bigint>();
    days.set(o.day, (days.get(o.day) ?? 0n) + o.value);
    occasions.set(o.customer, days);
  }
  return { occasions, returns, customers, purchases, returned };
}

let ref: Reference;
let s: Sandbox | undefined;
const engine: Record<string, Record<string, unknown>> = {};

before(async () => {
  if (!('path' in retail)) return;
  ref = reference(retail.path);
  s = await sandbox();
  await s.import(retail.path, { preset: 'online-retail' });
  for (const report of ['repeat', 'cohorts', 'rfm', 'lifecycle'] as const) engine[report] = (await analyze(s.db, clock, report, { asOf: AS_OF, period: 'month' })).result;
  engine['kpi'] = (await analyze(s.db, clock, 'kpi', { asOf: AS_OF, from: FIRST_DAY, to: AS_OF })).result;
});
after(() => s?.close());

const rowsOf = (report: string, key: string): Array<Record<string, unknown>> => engine[report]?.[key] as Array<Record<string, unknown>>;
const text = (row: Record<string, unknown>, keys: string[]): string[] => keys.map((k) => String(row[k]));

test('Online Retail: 45-day second-purchase rate of every monthly cohort matches an independent computation', { skip }, () => {
  const cohorts = new Map<string, { n: bigint; second: bigint }>();
  for (const days of ref.occasions.values()) {
    const sorted = [...days.keys()].sort();
    const first = sorted[0]!;
    const c = cohorts.get(monthOf(first)) ?? { n: 0n, second: 0n };
    c.n++;
    if (sorted.some((d) => dayNo(d) - dayNo(first) >= 1 && dayNo(d) - dayNo(first) <= 45)) c.second++;
    cohorts.set(monthOf(first), c);
  }
  // A cohort is shown once its last day + 45 days <= the as-of date.
  const expected = [...cohorts]
    .filter(([month]) => dayNo(month) + new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)), 0)).getUTCDate() - 1 + 45 <= dayNo(AS_OF))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([month, c]) => [month, String(c.n), String(c.second), ratio(c.second, c.n, 4)]);
  const shown = rowsOf('repeat', 'second_purchase');
  assert.deepEqual(
    shown.map((c) => text(c, ['cohort', 'new_buyers', 'second_buyers', 'rate'])),
    expected,
  );
  assert.equal(expected.length, 10, 'December 2010 to September 2011 have had their 45 days by 2011-12-09');
  assert.deepEqual(
    shown.map((c) => c['left_censored']),
    expected.map((_, i) => i === 0),
    "only the data's first month is left-censored",
  );
});

test('Online Retail: monthly cohort retention matrix (members and revenue) matches an independent computation', { skip }, () => {
  const cells = new Map<string, { members: number; revenue: bigint }>();
  const sizes = new Map<string, number>();
  for (const days of ref.occasions.values()) {
    const cohort = monthOf([...days.keys()].sort()[0]!);
    sizes.set(cohort, (sizes.get(cohort) ?? 0) + 1);
    const byMonth = new Map<string, bigint>();
    for (const [day, value] of days) if (day <= AS_OF) byMonth.set(monthOf(day), (byMonth.get(monthOf(day)) ?? 0n) + value);
    for (const [month, value] of byMonth) {
      const key = `${cohort}|${monthsBetween(cohort, month)}`;
      const c = cells.get(key) ?? { members: 0, revenue: 0n };
      c.members++;
      c.revenue += value;
      cells.set(key, c);
    }
  }
  const expected = [...cells]
    .map(([key, c]) => {
      const [cohort = '', since = ''] = key.split('|');
      const size = sizes.get(cohort) ?? 0;
      return [cohort, String(size), since, String(c.members), ratio(BigInt(c.members), BigInt(size), 4), money(c.revenue)];
    })
    .sort((a, b) => a[0]!.localeCompare(b[0]!) || Number(a[2]) - Number(b[2]));
  const matrix = rowsOf('cohorts', 'matrix');
  assert.deepEqual(
    matrix.map((c) => text(c, ['cohort', 'size', 'periods_since', 'members', 'member_rate', 'revenue'])),
    expected,
  );
  assert.equal(expected.length, (13 * 14) / 2, 'thirteen monthly cohorts, each with a cell for every month up to December 2011');
});

/** 1 + floor(5 x percent rank), capped at 5; ties share the lowest rank; `worse(a, b)` says a ranks below b. */
function scores<T>(values: T[], worse: (a: T, b: T) => boolean): number[] {
  const n = values.length;
  return values.map((v) => {
    const below = values.filter((w) => worse(w, v)).length; // rank - 1
    return n === 1 ? 1 : Math.min(5, 1 + Math.floor((5 * below) / (n - 1)));
  });
}

test('Online Retail: RFM values, scores and both group maps match an independent computation', { skip }, async () => {
  const lo = dayNo(AS_OF) - 364;
  const inWindow = (d: string): boolean => dayNo(d) >= lo && dayNo(d) <= dayNo(AS_OF);
  const buyers: Array<{ customer: string; r: number; f: number; m: bigint; gross: bigint; returned: bigint }> = [];
  for (const [customer, days] of ref.occasions) {
    const mine = [...days].filter(([d]) => inWindow(d));
    if (mine.length === 0) continue;
    const gross = mine.reduce((a, [, v]) => a + v, 0n);
    const returned = (ref.returns.get(customer) ?? []).filter((x) => inWindow(x.day)).reduce((a, x) => a + x.value, 0n);
    const last = mine
      .map(([d]) => d)
      .sort()
      .at(-1)!;
    buyers.push({ customer, r: dayNo(AS_OF) - dayNo(last), f: mine.length, m: gross > returned ? gross - returned : 0n, gross, returned });
  }
  const rs = scores(buyers, (a, b) => a.r > b.r);
  const fs = scores(buyers, (a, b) => a.f < b.f);
  const ms = scores(buyers, (a, b) => a.m < b.m);
  const n = BigInt(buyers.length);
  const sumR = buyers.reduce((a, b) => a + BigInt(b.r), 0n);
  const sumF = buyers.reduce((a, b) => a + BigInt(b.f), 0n);
  const sumM = buyers.reduce((a, b) => a + b.m, 0n);
  const segment = (r: number, f: number): string => {
    if (r <= 2) return f <= 2 ? 'Hibernating' : f <= 4 ? 'At risk' : "Can't lose";
    if (r === 3 && f <= 2) return 'About to sleep';
    if (r === 3 && f === 3) return 'Need attention';
    if (r <= 4 && f >= 4) return 'Loyal';
    if (f === 1) return r === 4 ? 'Promising' : 'New';
    return f <= 3 ? 'Potential loyalist' : 'Champions';
  };
  const CN: Record<string, string> = { HHH: '重要价值', HLH: '重要发展', LHH: '重要保持', LLH: '重要挽留', HHL: '一般价值', HLL: '一般发展', LHL: '一般保持', LLL: '一般挽留' };
  const expected = new Map(
    buyers.map((b, i) => {
      const key = `${BigInt(b.r) * n <= sumR ? 'H' : 'L'}${BigInt(b.f) * n >= sumF ? 'H' : 'L'}${b.m * n >= sumM ? 'H' : 'L'}`;
      return [b.customer, [String(b.r), String(b.f), money(b.m), String(rs[i]), String(fs[i]), String(ms[i]), segment(rs[i]!, fs[i]!), CN[key]!]];
    }),
  );

  // Every buyer's stored values, joined to the CustomerID behind the member.
  const stored = await s!.db.all(
    `SELECT i.value AS customer, r.recency, r.frequency, r.monetary::VARCHAR AS monetary, r.r_score, r.f_score, r.m_score, r.segment, r.group_cn
     FROM member_rfm r JOIN identities i USING (member_id) WHERE r.as_of = $1::DATE AND r.window_days = 365 ORDER BY i.value`,
    [AS_OF],
  );
  assert.equal(stored.length, buyers.length, 'buyers');
  for (const row of stored) {
    const keys = ['recency', 'frequency', 'monetary', 'r_score', 'f_score', 'm_score', 'segment', 'group_cn'];
    assert.deepEqual(text(row, keys), expected.get(String(row['customer'])), `customer ${String(row['customer'])}`);
  }
  // The comparison exercises the rules that are easy to get wrong.
  assert.ok(
    buyers.some((b) => b.returned > b.gross),
    "a buyer whose returns exceed the window's purchases (M floored at 0)",
  );
  assert.ok(
    buyers.some((b) => b.returned > 0n && b.returned < b.gross),
    'a buyer whose returns reduce M',
  );
  assert.ok(new Set(rs).size === 5 && new Set(fs).size === 5 && new Set(ms).size === 5, 'every score 1-5 occurs');

  // Group sizes, money and shares of both maps.
  const groupsOf = (label: (i: number) => string): string[][] => {
    const g = new Map<string, { members: bigint; m: bigint }>();
    buyers.forEach((b, i) => {
      const x = g.get(label(i)) ?? { members: 0n, m: 0n };
      x.members++;
      x.m += b.m;
      g.set(label(i), x);
    });
    return [...g]
      .sort(([a, x], [b, y]) => Number(y.members - x.members) || (a < b ? -1 : 1))
      .map(([name, x]) => [name, String(x.members), String(Number(ratio(100n * x.members, n, 2))), money(x.m), String(Number(ratio(100n * x.m, sumM, 2)))]);
  };
  const cols = ['group', 'members', 'member_share_pct', 'monetary', 'revenue_share_pct'];
  const rfm = engine['rfm'] ?? {};
  assert.deepEqual(
    rowsOf('rfm', 'groups').map((g) => text(g, cols)),
    groupsOf((i) => segment(rs[i]!, fs[i]!)),
  );
  assert.deepEqual(
    rowsOf('rfm', 'groups_cn').map((g) => text(g, cols)),
    groupsOf((i) => expected.get(buyers[i]!.customer)![7]!),
  );
  const totals = rfm['totals'] as Record<string, unknown>;
  assert.deepEqual(text(totals, ['buyers', 'monetary']), [String(n), money(sumM)]);
});

test('Online Retail: buyers, purchases and sales of the whole data match an independent computation', { skip }, () => {
  const summary = (engine['kpi']?.['summary'] as Record<string, Record<string, unknown>>)['current'] ?? {};
  const { member, guest, gross } = ref.purchases;
  // Every customer with a purchase is new in a period that starts with the data; a guest order counts as one buyer.
  assert.deepEqual(text(summary, ['orders', 'buyers', 'new_buyers', 'returning_buyers', 'guest_orders', 'gross_sales', 'net_sales']), [
    String(member + guest),
    String(ref.occasions.size + guest),
    String(ref.occasions.size),
    '0',
    String(guest),
    money(gross),
    money(gross - ref.returned),
  ]);
});

test('Online Retail: lifecycle stages match an independent computation', { skip }, () => {
  const d = dayNo(AS_OF);
  const stages = new Map<string, number>();
  for (const customer of ref.customers) {
    const days = [...(ref.occasions.get(customer)?.keys() ?? [])]
      .map(dayNo)
      .filter((x) => x <= d)
      .sort((a, b) => a - b);
    const first = days[0];
    const last = days.at(-1);
    // No engagement events in this data: a member without an occasion is a Suspect.
    const stage =
      first === undefined || last === undefined
        ? 'Suspect'
        : first >= d - 44
          ? 'New'
          : d - last > 180
            ? 'Lapsed'
            : days.length >= 2 && d - last <= 90
              ? days.filter((x) => x >= d - 364).length >= 4
                ? 'Fan'
                : 'Regular'
              : 'Holding';
    stages.set(stage, (stages.get(stage) ?? 0) + 1);
  }
  const shown = rowsOf('lifecycle', 'stages')
    .map((r) => text(r, ['stage', 'members']))
    .sort((a, b) => a[0]!.localeCompare(b[0]!));
  assert.deepEqual(
    shown,
    [...stages].map(([k, v]) => [k, String(v)]).sort((a, b) => a[0]!.localeCompare(b[0]!)),
  );
  assert.equal(ref.customers.size, 4372, 'the distinct CustomerIDs of the file');
});
