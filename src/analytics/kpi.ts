/**
 * The KPI tree in the customer view: gross sales = sum over branches (new, returning, guest)
 * of buyers x orders per buyer x average order value, and the change between two periods
 * split into each driver's contribution by the additive log-mean Divisia index (LMDI-I),
 * rounded to cents by largest remainder so the contributions add up to the rounded change.
 */
import { int, namedStatements, sqlFile, str, type Db } from '../core/db/index.js';
import { addDays, daysInclusive, sameDayLastYear } from './dates.js';

const SQL = namedStatements(sqlFile(import.meta.url, 'kpi.sql'));

export type Dimension = 'all' | 'channel' | 'store';

interface Branch {
  buyers: number;
  orders: number;
  /** Gross sales in ten-thousandths (DECIMAL(18,4) as an exact integer). */
  gross: bigint;
}

export interface BranchChange {
  dim: string;
  branch: string;
  base: { buyers: number; orders: number; gross: string };
  current: { buyers: number; orders: number; gross: string };
  change: string;
  contributions: Record<string, string>;
}

const toUnits = (s: string | null): bigint => {
  if (s === null) return 0n;
  const neg = s.startsWith('-');
  const [a = '0', b = ''] = (neg ? s.slice(1) : s).split('.');
  const v = BigInt(a) * 10000n + BigInt((b + '0000').slice(0, 4));
  return neg ? -v : v;
};
const fmtUnits = (v: bigint, places: 2 | 4): string => {
  const neg = v < 0n;
  const abs = neg ? -v : v;
  const scale = places === 4 ? 10000n : 100n;
  const frac = (abs % scale).toString().padStart(places, '0');
  return `${neg ? '-' : ''}${abs / scale}.${frac}`;
};
/** Ten-thousandths to cents, half away from zero. */
const toCents = (v: bigint): bigint => (v >= 0n ? (v + 50n) / 100n : -((-v + 50n) / 100n));

async function read(db: Db, from: string, to: string, dim: Dimension): Promise<Map<string, Branch>> {
  const rows = await db.all(SQL('branches'), [from, to, dim]);
  const map = new Map<string, Branch>();
  for (const r of rows) {
    map.set(`${str(r, 'dim') ?? ''}\u0000${str(r, 'branch') ?? ''}`, { buyers: int(r, 'buyers'), orders: int(r, 'orders'), gross: toUnits(str(r, 'gross')) });
  }
  return map;
}

const logMean = (a: number, b: number): number => (a === b ? a : (a - b) / (Math.log(a) - Math.log(b)));

/**
 * Splits each branch's change into driver contributions (real numbers, in cents), then rounds
 * them all to whole cents by largest remainder so they sum exactly to the rounded total change.
 */
export function decompose(base: Map<string, Branch>, current: Map<string, Branch>): { branches: BranchChange[]; total: string; sum: string } {
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
    if (b0.gross > 0n && b1.gross > 0n && b0.orders > 0 && b1.orders > 0) {
      const l = logMean(v1, v0);
      const opb0 = b0.orders / b0.buyers;
      const opb1 = b1.orders / b1.buyers;
      raw.push({ key, driver: 'buyers', cents: l * Math.log(b1.buyers / b0.buyers) });
      raw.push({ key, driver: 'orders_per_buyer', cents: l * Math.log(opb1 / opb0) });
      raw.push({ key, driver: 'average_order_value', cents: l * Math.log(v1 / b1.orders / (v0 / b0.orders)) });
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
      base: { buyers: b0.buyers, orders: b0.orders, gross: fmtUnits(b0.gross, 4) },
      current: { buyers: b1.buyers, orders: b1.orders, gross: fmtUnits(b1.gross, 4) },
      change: fmtUnits(b1.gross - b0.gross, 4),
      contributions,
    };
  });
  const sum = rounded.reduce((a, b) => a + b, 0n);
  return { branches, total: fmtUnits(target, 2), sum: fmtUnits(sum, 2) };
}

/** The KPI tree for [from, to] against the previous period of equal length and the same period last year. */
export async function kpiTree(db: Db, from: string, to: string, dim: Dimension): Promise<Record<string, unknown>> {
  const days = daysInclusive(from, to);
  const current = await read(db, from, to, dim);
  const comparisons = [];
  for (const [label, bFrom, bTo] of [
    ['previous period', addDays(from, -days), addDays(from, -1)],
    ['same period last year', sameDayLastYear(from), sameDayLastYear(to)],
  ] as const) {
    const base = await read(db, bFrom, bTo, dim);
    comparisons.push({ against: label, from: bFrom, to: bTo, ...decompose(base, current) });
  }
  const visits = int(await db.one(SQL('visits'), [from, to]), 'visits');
  return {
    period: { from, to, days },
    dimension: dim,
    comparisons,
    traffic_view:
      visits === 0
        ? 'no visit data in this period: conversion (buyers / visitors) is not computed'
        : `visit data exists (${visits} visits) but the traffic view is not built yet; the tree above is the customer view`,
  };
}
