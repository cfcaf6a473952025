/**
 * The KPI tree in the customer view: gross sales = sum over branches (new, returning, guest)
 * of buyers x orders per buyer x average order value, and the change between two periods
 * split into each driver's contribution by the additive log-mean Divisia index (LMDI-I),
 * rounded to cents by largest remainder so the contributions add up to the rounded change.
 */
import { int, namedStatements, sqlFile, str, type Db, type Row } from '../core/db/index.js';
import { fromUnits, toUnits } from '../core/decimal.js';
import { addDays, daysInclusive, sameDayLastYear } from './dates.js';
import { againstTarget } from './targets.js';
import type { TargetRow } from '../core/settings/index.js';

const SQL = namedStatements(sqlFile(import.meta.url, 'kpi.sql'));

export type Dimension = 'all' | 'channel' | 'store' | 'category';
export const DIMENSIONS: readonly Dimension[] = ['all', 'channel', 'store', 'category'];
export const isDimension = (v: unknown): v is Dimension => DIMENSIONS.some((d) => d === v);

/** Customer view: buyers x orders per buyer x AOV. Traffic view: visitors x conversion x orders per buyer x AOV. */
export type View = 'customer' | 'traffic';

interface Branch {
  buyers: number;
  orders: number;
  /** Gross sales in ten-thousandths (DECIMAL(18,4) as an exact integer). */
  gross: bigint;
  /** Distinct visitors (traffic view only). */
  visitors?: number;
}

export interface BranchChange {
  dim: string;
  branch: string;
  base: { buyers: number; orders: number; gross: string; visitors?: number };
  current: { buyers: number; orders: number; gross: string; visitors?: number };
  change: string;
  contributions: Record<string, string>;
}

const fmtUnits = (v: bigint, places: 2 | 4): string => fromUnits(v, places);
/** Ten-thousandths to cents, half away from zero. */
const toCents = (v: bigint): bigint => (v >= 0n ? (v + 50n) / 100n : -((-v + 50n) / 100n));

interface Span {
  from: string;
  to: string;
}

/** The statement's parameters for several periods at once: the list, then the overall bounds. */
function spans(periods: readonly Span[]): [string, string, string] {
  const list = periods.map((q, p) => ({ p, f: q.from, t: q.to }));
  const from = periods.map((q) => q.from).reduce((a, b) => (b < a ? b : a));
  const to = periods.map((q) => q.to).reduce((a, b) => (b > a ? b : a));
  return [JSON.stringify(list), from, to];
}

/** Rows of a several-period statement, grouped by period number (every period present). */
function byPeriod(rows: Row[], n: number): Row[][] {
  const out: Row[][] = Array.from({ length: n }, () => []);
  for (const r of rows) out[int(r, 'p')]?.push(r);
  return out;
}

/** Branches by dimension for each period, in one pass over the orders. */
async function read(db: Db, periods: readonly Span[], dim: Dimension): Promise<Array<Map<string, Branch>>> {
  const rows = dim === 'category' ? await db.all(SQL('branches_category'), spans(periods)) : await db.all(SQL('branches'), [...spans(periods), dim]);
  return byPeriod(rows, periods.length).map((part) => {
    const map = new Map<string, Branch>();
    for (const r of part) map.set(`${str(r, 'dim') ?? ''}\u0000${str(r, 'branch') ?? ''}`, { buyers: int(r, 'buyers'), orders: int(r, 'orders'), gross: toUnits(str(r, 'gross')) });
    return map;
  });
}

const logMean = (a: number, b: number): number => (a === b ? a : (a - b) / (Math.log(a) - Math.log(b)));

/** The drivers whose product is a branch's gross sales (in cents), by view. */
function drivers(b: Branch, view: View): Array<[string, number]> {
  const v = Number(b.gross) / 100;
  const common: Array<[string, number]> = [
    ['orders_per_buyer', b.orders / b.buyers],
    ['average_order_value', v / b.orders],
  ];
  return view === 'traffic' ? [['visitors', b.visitors ?? 0], ['conversion', b.buyers / (b.visitors ?? 0)], ...common] : [['buyers', b.buyers], ...common];
}
const decomposable = (b: Branch, view: View): boolean => b.gross > 0n && drivers(b, view).every(([, x]) => Number.isFinite(x) && x > 0);

/**
 * Splits each branch's change into driver contributions (real numbers, in cents), then rounds
 * them all to whole cents by largest remainder so they sum exactly to the rounded total change.
 */
export function decompose(base: Map<string, Branch>, current: Map<string, Branch>, view: View = 'customer'): { branches: BranchChange[]; total: string; sum: string } {
  const keys = [...new Set([...base.keys(), ...current.keys()])].sort();
  const empty: Branch = { buyers: 0, orders: 0, gross: 0n };
  const raw: Array<{ key: string; driver: string; cents: number }> = [];
  let totalUnits = 0n;
  for (const key of keys) {
    const b0 = base.get(key) ?? empty;
    const b1 = current.get(key) ?? empty;
    totalUnits += b1.gross - b0.gross;
    const v0 = Number(b0.gross) / 100;
    const v1 = Number(b1.gross) / 100;
    if (decomposable(b0, view) && decomposable(b1, view)) {
      const l = logMean(v1, v0);
      const x0 = drivers(b0, view);
      drivers(b1, view).forEach(([driver, x1], i) => raw.push({ key, driver, cents: l * Math.log(x1 / (x0[i]?.[1] ?? x1)) }));
    } else if (b1.gross !== b0.gross) {
      // A branch absent (or zero) in one period contributes its whole change.
      raw.push({ key, driver: b0.gross === 0n ? 'appeared' : b1.gross === 0n ? 'disappeared' : 'sign_change', cents: v1 - v0 });
    }
  }
  const target = toCents(totalUnits);
  const floors = raw.map((r) => BigInt(Math.floor(r.cents)));
  let short = target - floors.reduce((a, b) => a + b, 0n);
  const order = raw.map((r, i) => ({ i, rem: r.cents - Math.floor(r.cents) })).sort((a, b) => b.rem - a.rem || a.i - b.i);
  const rounded = [...floors];
  for (let k = 0; short !== 0n && order.length > 0; k++) {
    const idx = order[k % order.length]?.i ?? 0;
    const step = short > 0n ? 1n : -1n;
    rounded[idx] = (rounded[idx] ?? 0n) + step;
    short -= step;
  }
  const branches: BranchChange[] = keys.map((key) => {
    const [dim = '', branch = ''] = key.split('\u0000');
    const b0 = base.get(key) ?? empty;
    const b1 = current.get(key) ?? empty;
    const contributions: Record<string, string> = {};
    raw.forEach((r, i) => {
      if (r.key === key) contributions[r.driver] = fmtUnits(rounded[i] ?? 0n, 2);
    });
    return {
      dim,
      branch,
      base: { buyers: b0.buyers, orders: b0.orders, gross: fmtUnits(b0.gross, 4), ...(view === 'traffic' ? { visitors: b0.visitors ?? 0 } : {}) },
      current: { buyers: b1.buyers, orders: b1.orders, gross: fmtUnits(b1.gross, 4), ...(view === 'traffic' ? { visitors: b1.visitors ?? 0 } : {}) },
      change: fmtUnits(b1.gross - b0.gross, 4),
      contributions,
    };
  });
  const sum = rounded.reduce((a, b) => a + b, 0n);
  return { branches, total: fmtUnits(target, 2), sum: fmtUnits(sum, 2) };
}

/** Per channel, all branches together, with the channel's distinct visitors (each period). */
async function readTraffic(db: Db, periods: readonly Span[], byChannel: Array<Map<string, Branch>>): Promise<Array<Map<string, Branch>>> {
  const visitors = byPeriod(await db.all(SQL('visitors'), spans(periods)), periods.length);
  return byChannel.map((branches, i) => {
    const per = new Map<string, Branch>();
    for (const [key, b] of branches) {
      const dim = key.split('\u0000')[0] ?? '';
      const t = per.get(dim) ?? { buyers: 0, orders: 0, gross: 0n, visitors: 0 };
      per.set(dim, { ...t, buyers: t.buyers + b.buyers, orders: t.orders + b.orders, gross: t.gross + b.gross });
    }
    for (const r of visitors[i] ?? []) {
      const dim = str(r, 'dim') ?? '';
      const t = per.get(dim) ?? { buyers: 0, orders: 0, gross: 0n, visitors: 0 };
      per.set(dim, { ...t, visitors: int(r, 'visitors') });
    }
    return new Map([...per].map(([dim, b]) => [`${dim}\u0000traffic`, b]));
  });
}

const ratio4 = (a: bigint, b: number): string | null => (b === 0 ? null : fmtUnits((a * 10000n) / (BigInt(b) * 10000n), 4));

/** Headline totals and ratios of a period (the numbers targets are set on). */
function summary(r: Row, traffic: Map<string, Branch>): Record<string, string | number | null> {
  // Conversion only over the channels that have visit data (buyers per channel, summed).
  const seen = [...traffic.values()].filter((b) => (b.visitors ?? 0) > 0);
  const visitors = seen.reduce((a, b) => a + (b.visitors ?? 0), 0);
  const visitedBuyers = seen.reduce((a, b) => a + b.buyers, 0);
  const gross = toUnits(str(r, 'gross_sales'));
  const orders = int(r, 'orders');
  const buyers = int(r, 'buyers');
  return {
    gross_sales: fmtUnits(gross, 4),
    net_sales: str(r, 'net_sales'),
    orders,
    buyers,
    new_buyers: int(r, 'new_buyers'),
    returning_buyers: int(r, 'returning_buyers'),
    guest_orders: int(r, 'guest_orders'),
    visitors: visitors === 0 ? null : visitors,
    conversion: visitors === 0 ? null : (visitedBuyers / visitors).toFixed(4),
    orders_per_buyer: buyers === 0 ? null : (orders / buyers).toFixed(4),
    average_order_value: ratio4(gross, orders),
  };
}

const TARGETED = ['gross_sales', 'net_sales', 'orders', 'buyers', 'new_buyers', 'returning_buyers', 'visitors', 'conversion', 'orders_per_buyer', 'average_order_value'];

/**
 * The KPI tree for [from, to] against the previous period of equal length, the same period
 * last year, and targets: the customer view (new, returning, guest) by dimension, and the
 * traffic view per channel that has visit data in both periods (the others are named).
 */
export async function kpiTree(db: Db, from: string, to: string, dim: Dimension, targets: readonly TargetRow[] = []): Promise<Record<string, unknown>> {
  const days = daysInclusive(from, to);
  const bases = [
    ['previous period', addDays(from, -days), addDays(from, -1)],
    ['same period last year', sameDayLastYear(from), sameDayLastYear(to)],
  ] as const;
  // The three periods are read together: one pass per statement instead of one per period.
  const periods: Span[] = [{ from, to }, ...bases.map(([, f, t]) => ({ from: f, to: t }))];
  const branches = await read(db, periods, dim);
  const trafficAll = await readTraffic(db, periods, dim === 'channel' ? branches : await read(db, periods, 'channel'));
  const totals = byPeriod(await db.all(SQL('summary'), spans(periods)), periods.length);
  const current = branches[0] ?? new Map<string, Branch>();
  const currentTraffic = trafficAll[0] ?? new Map<string, Branch>();
  const comparisons = [];
  const traffic = [];
  const summaries: Record<string, unknown> = { current: summary(totals[0]?.[0] ?? {}, currentTraffic) };
  for (const [i, [label, bFrom, bTo]] of bases.entries()) {
    const base = branches[i + 1] ?? new Map<string, Branch>();
    comparisons.push({ against: label, from: bFrom, to: bTo, ...decompose(base, current) });
    const baseTraffic = trafficAll[i + 1] ?? new Map<string, Branch>();
    summaries[label === 'previous period' ? 'previous' : 'last_year'] = summary(totals[i + 1]?.[0] ?? {}, baseTraffic);
    const withVisits = (k: string): boolean => (currentTraffic.get(k)?.visitors ?? 0) > 0 && (baseTraffic.get(k)?.visitors ?? 0) > 0;
    const keys = [...new Set([...currentTraffic.keys(), ...baseTraffic.keys()])].sort();
    const covered = keys.filter(withVisits);
    const pick = (m: Map<string, Branch>): Map<string, Branch> => new Map([...m].filter(([k]) => covered.includes(k)));
    traffic.push({
      against: label,
      from: bFrom,
      to: bTo,
      ...decompose(pick(baseTraffic), pick(currentTraffic), 'traffic'),
      without_visit_data: keys
        .filter((k) => !withVisits(k))
        .map((k) => ({
          channel: k.split('\u0000')[0] ?? '',
          note: 'no visit data in one of the two periods: conversion (buyers / visitors) is not computed for this channel',
          gross: fmtUnits(currentTraffic.get(k)?.gross ?? 0n, 4),
        })),
    });
  }
  const cur = summaries['current'] as Record<string, string | number | null>;
  const vsTarget = TARGETED.map((m) => againstTarget(targets, m, from, to, cur[m] === null || cur[m] === undefined ? null : String(cur[m]))).filter((x) => x !== null);
  return {
    period: { from, to, days },
    dimension: dim,
    summary: summaries,
    comparisons,
    traffic_view: traffic,
    targets: vsTarget.length > 0 ? vsTarget : 'no targets for this period (regulars targets import FILE)',
  };
}
