/**
 * The seven marketing links for a period, each against the previous period of equal length
 * and the average of the eight weeks before the period, with the weakest link named.
 */
import { int, namedStatements, sqlFile, str, type Db } from '../core/db/index.js';
import { addDays, daysInclusive } from './dates.js';
import { againstTarget } from './targets.js';
import type { TargetRow } from '../core/settings/index.js';

/** The target metric of each link's headline. */
const TARGET_OF: Record<string, string> = {
  '1 traffic': 'visits',
  '2 browse to buy': 'view_conversion',
  '3 ask to buy': 'inquiry_conversion',
  '4 order to pay': 'payment_rate',
  '5 new to repeat': 'second_purchase_rate',
  '6 repeat stays active': 'active_repeat_rate',
  '7 churn and win-back': 'won_back',
};

const SQL = namedStatements(sqlFile(import.meta.url, 'links.sql'));

interface Raw {
  [k: string]: number | string | null;
}

/** Links whose headline is a count rather than a rate. */
const COUNTS = new Set(['1 traffic', '7 churn and win-back']);

const ratio = (a: number, b: number): number | null => (b === 0 ? null : a / b);
const r4 = (x: number | null): string | null => (x === null ? null : x.toFixed(4));

/** Raw counts already read within one snapshot, by period and second-purchase days. */
export type LinksCache = Map<string, Raw>;

/**
 * The raw counts of several periods (one row per period, in the given order), in one query for
 * the periods not already in the cache. Periods are bits of a BIGINT in the query: at most 62.
 */
export async function linksCounts(db: Db, periods: ReadonlyArray<{ from: string; to: string }>, days: number, cache: LinksCache = new Map()): Promise<Raw[]> {
  const key = (q: { from: string; to: string }): string => `${q.from}|${q.to}|${days}`;
  const missing = [...new Map(periods.filter((q) => !cache.has(key(q))).map((q) => [key(q), q])).values()];
  if (missing.length > 62) throw new Error('links: at most 62 periods in one query');
  if (missing.length > 0) {
    const list = missing.map((q, p) => ({ p, f: q.from, t: q.to }));
    const lo = list.reduce((m, q) => (q.f < m ? q.f : m), list[0]?.f ?? '');
    const hi = list.reduce((m, q) => (q.t > m ? q.t : m), list[0]?.t ?? '');
    for (const row of await db.all(SQL('metrics'), [JSON.stringify(list), days, lo, hi])) {
      const out: Raw = {};
      for (const k of Object.keys(row)) if (k !== 'p') out[k] = k === 'askers_sales' ? str(row, k) : int(row, k);
      const q = missing[int(row, 'p')];
      if (q !== undefined) cache.set(key(q), out);
    }
  }
  return periods.map((q) => {
    const r = cache.get(key(q));
    if (r === undefined) throw new Error(`links: no row for ${q.from} to ${q.to}`);
    return r;
  });
}

/** Headline metric per link (higher is better for all of them except lapsed members). */
function headline(r: Raw): Record<string, { metric: string; value: number | null; detail: Record<string, unknown> }> {
  const n = (k: string): number => Number(r[k] ?? 0);
  return {
    '1 traffic': { metric: 'visits', value: n('visits'), detail: { visits: n('visits') } },
    '2 browse to buy': {
      metric: 'view-to-purchase conversion',
      value: ratio(n('viewers_who_bought'), n('viewers')),
      detail: { viewers: n('viewers'), bought: n('viewers_who_bought'), items_per_purchase: r4(ratio(n('items'), n('purchases'))) },
    },
    '3 ask to buy': {
      metric: 'inquiry conversion',
      value: ratio(n('askers_who_bought'), n('askers')),
      detail: { askers: n('askers'), bought: n('askers_who_bought'), order_value: r4(ratio(Number(r['askers_sales'] ?? 0), n('askers_purchases'))) },
    },
    '4 order to pay': { metric: 'payment rate', value: ratio(n('paid_orders'), n('orders')), detail: { orders: n('orders'), paid: n('paid_orders') } },
    '5 new to repeat': {
      metric: 'second-purchase rate of new buyers whose window closed in the period',
      value: ratio(n('second_buyers'), n('new_buyers_due')),
      detail: { new_buyers: n('new_buyers_due'), bought_again: n('second_buyers') },
    },
    '6 repeat stays active': {
      metric: 'active repeat-purchase rate at the period end',
      value: ratio(n('active_repeated'), n('active_eligible')),
      detail: { eligible: n('active_eligible'), repeated: n('active_repeated') },
    },
    '7 churn and win-back': { metric: 'lapsed members won back', value: n('won_back'), detail: { won_back: n('won_back'), lapsed_at_end: n('lapsed') } },
  };
}

/** The periods the links of a period are read for: the period, the previous one of equal length, the eight weeks before it. */
export function linksPeriods(from: string, to: string): Array<{ from: string; to: string }> {
  const days = daysInclusive(from, to);
  const periods = [
    { from, to },
    { from: addDays(from, -days), to: addDays(from, -1) },
  ];
  for (let w = 1; w <= 8; w++) periods.push({ from: addDays(from, -7 * w), to: addDays(from, -7 * w + 6) });
  return periods;
}

export async function sevenLinks(db: Db, from: string, to: string, secondDays: number, targets: readonly TargetRow[] = [], cache?: LinksCache): Promise<Record<string, unknown>> {
  const days = daysInclusive(from, to);
  const periods = linksPeriods(from, to);
  const [current, previous, ...weeks] = (await linksCounts(db, periods, secondDays, cache)).map(headline);
  if (current === undefined || previous === undefined) throw new Error('links: no rows for the periods');
  const links = Object.keys(current).map((name) => {
    const c = current[name];
    const p = previous[name];
    const vals = weeks.map((w) => w[name]?.value).filter((v): v is number => typeof v === 'number');
    // Counts (visits, members won back) are scaled from a week to the period's length; rates are averaged.
    const perWeek = vals.length === 0 ? null : vals.reduce((a, b) => a + b, 0) / vals.length;
    const trailing = perWeek === null ? null : COUNTS.has(name) ? (perWeek * days) / 7 : perWeek;
    const change = c?.value !== null && c?.value !== undefined && p?.value !== null && p?.value !== undefined && p.value !== 0 ? (c.value - p.value) / Math.abs(p.value) : null;
    const t = againstTarget(targets, TARGET_OF[name] ?? '', from, to, r4(c?.value ?? null));
    return {
      link: name,
      metric: c?.metric,
      value: r4(c?.value ?? null),
      previous: r4(p?.value ?? null),
      trailing_8_weeks: r4(trailing),
      relative_change: r4(change),
      target: t?.['target'] ?? null,
      attainment: t?.['attainment'] ?? null,
      ...c?.detail,
    };
  });
  const below = links.filter((l) => l.attainment !== null && Number(l.attainment) < 1);
  const scored = links.filter((l) => l.relative_change !== null);
  let weakest: Record<string, unknown>;
  if (below.length > 0) {
    const w = below.reduce((a, b) => (Number(b.attainment) < Number(a.attainment) ? b : a));
    weakest = {
      link: w.link,
      by: 'farthest below target',
      text: `${String(w.link)}: ${String(w.metric)} ${String(w.value)} against a target of ${String(w.target)} (${(Number(w.attainment) * 100).toFixed(1)}% of target)`,
    };
  } else if (scored.length > 0) {
    const w = scored.reduce((a, b) => (Number(b.relative_change) < Number(a.relative_change) ? b : a));
    weakest = {
      link: w.link,
      by: 'largest deterioration',
      text: `${String(w.link)}: ${String(w.metric)} ${String(w.value)} against ${String(w.previous)} (${(Number(w.relative_change) * 100).toFixed(1)}%)`,
    };
  } else weakest = { link: null, by: null, text: 'not enough data to compare' };
  const sources = await db.all(SQL('visits_by_source'), [from, to]);
  return { period: { from, to, days }, links, visits_by_source: sources, weakest: weakest['text'], weakest_link: weakest };
}
