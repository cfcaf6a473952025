/**
 * The one place numbers and dates become text, in the page's language: pages, tables, chart
 * axes, labels and tooltips all format through a Formatter. Money arrives as decimal strings and
 * is only turned into text here.
 */
import type { Lang } from './i18n.js';

export interface Formatter {
  /** A total in the shop currency with two decimals: ¥12,345.60. */
  money(v: unknown): string;
  /** A unit price as stored (up to four decimals): ¥0.165. */
  price(v: unknown): string;
  /** A large amount for cards and axes: ¥123.4万 in zh, CN¥1.23M in en. */
  moneyShort(v: unknown): string;
  /** A signed amount for changes: +¥1,200.00 / −¥350.00. */
  signedMoney(v: unknown): string;
  /** A signed amount, compact from ten thousand: +¥1.76万 / −CN¥17.6K. */
  signedMoneyShort(v: unknown): string;
  /** A month (YYYY-MM-DD of any day in it): 2025年3月 / Mar 2025. */
  month(v: unknown): string;
  /** A count with separators: 23,108. */
  count(v: unknown): string;
  /** A count for axes: 2.3万 in zh, 23K in en. */
  countShort(v: unknown): string;
  /** A plain number with up to `digits` decimals. */
  number(v: unknown, digits?: number): string;
  /** A share (0..1) as a percentage with `digits` decimals: 69.7%. */
  rate(v: unknown, digits?: number): string;
  /** A change of a share in percentage points: +1.2 pt. */
  points(v: unknown, digits?: number): string;
  /** A relative change: +4.3% / −2.1%. */
  change(v: unknown, digits?: number): string;
  /** A date (YYYY-MM-DD, or a timestamp) in the locale's order. */
  date(v: unknown): string;
  /** A timestamp with minutes. */
  dateTime(v: unknown): string;
  /** A table cell by its column's meaning (money, share, percent, count); other text as it is. */
  cell(column: string, v: unknown): string;
  /** 'No data' text for a missing value. */
  readonly missing: string;
}

const MONEY_COLUMNS = new Set([
  'gross',
  'net',
  'gross_sales',
  'net_sales',
  'monetary',
  'mean_monetary',
  'product_value',
  'other_value',
  'paid_amount',
  'amount',
  'revenue',
  'margin',
  'cost',
  'spend',
  'average_order_value',
  'base_gross',
  'revenue_per_member',
  'margin_per_member',
  'refunds',
]);
const RATE_COLUMNS = new Set(['rate', 'member_rate', 'conversion', 'attainment', 'relative_change', 'response_rate', 'retention_rate', 'repeat_rate', 'second_purchase_rate', 'target_rate']);
const PCT_COLUMNS = /_pct$/;
const COUNT_COLUMNS = new Set([
  'members',
  'buyers',
  'orders',
  'count',
  'size',
  'last_size',
  'rows',
  'rows_read',
  'loaded',
  'rejected',
  'guest',
  'return',
  'non_product',
  'duplicate',
  'merges',
  'lines',
  'responders',
  'visits',
  'purchases',
  'treated',
  'eligible',
  'cohort_size',
  'new_buyers',
]);

/** A number from a JSON value (decimal strings included), or null when there is none. */
export function toNumber(v: unknown): number | null {
  if (v === null || v === undefined || v === '') return null;
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? n : null;
}

/** The formatter for a language and the shop currency (ISO 4217). */
export function formatter(lang: Lang, currency: string): Formatter {
  const locale = lang === 'zh' ? 'zh-CN' : 'en-US';
  const missing = lang === 'zh' ? '无数据' : 'no data';
  const cur = /^[A-Z]{3}$/.test(currency) ? currency : 'CNY';
  const money2 = new Intl.NumberFormat(locale, { style: 'currency', currency: cur, minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const money4 = new Intl.NumberFormat(locale, { style: 'currency', currency: cur, minimumFractionDigits: 2, maximumFractionDigits: 4 });
  const moneyCompact = new Intl.NumberFormat(locale, { style: 'currency', currency: cur, notation: 'compact', maximumFractionDigits: 2 });
  const int = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  const compact = new Intl.NumberFormat(locale, { notation: 'compact', maximumFractionDigits: 2 });
  const day = new Intl.DateTimeFormat(locale, { year: 'numeric', month: lang === 'zh' ? 'long' : 'short', day: 'numeric', timeZone: 'UTC' });
  const minute = new Intl.DateTimeFormat(locale, { year: 'numeric', month: lang === 'zh' ? 'long' : 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false, timeZone: 'UTC' });
  const minus = (s: string): string => s.replace('-', '−');
  const withNumber = (v: unknown, f: (n: number) => string): string => {
    const n = toNumber(v);
    return n === null ? missing : f(n);
  };
  // Small amounts read better exactly; compact notation from a hundred thousand up (10万).
  // Compact notation from ten thousand up (1万 in zh, 10K in en).
  const short = (n: number, exact: (n: number) => string, compacted: (n: number) => string): string => (Math.abs(n) >= 10000 ? compacted(n) : exact(n));
  const monthFormat = new Intl.DateTimeFormat(locale, { year: 'numeric', month: lang === 'zh' ? 'long' : 'short', timeZone: 'UTC' });
  const parseDate = (v: unknown): Date | null => {
    if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}/.test(v)) return null;
    const d = new Date(`${v.slice(0, 10)}T${v.length >= 16 ? v.slice(11, 16) : '00:00'}:00Z`);
    return Number.isNaN(d.getTime()) ? null : d;
  };
  const f: Formatter = {
    missing,
    money: (v) => withNumber(v, (n) => minus(money2.format(n))),
    price: (v) => withNumber(v, (n) => minus(money4.format(n))),
    moneyShort: (v) =>
      withNumber(v, (n) =>
        minus(
          short(
            n,
            (x) => money2.format(x),
            (x) => moneyCompact.format(x),
          ),
        ),
      ),
    signedMoney: (v) => withNumber(v, (n) => (n > 0 ? '+' : n < 0 ? '−' : '') + money2.format(Math.abs(n))),
    signedMoneyShort: (v) =>
      withNumber(
        v,
        (n) =>
          (n > 0 ? '+' : n < 0 ? '−' : '') +
          short(
            Math.abs(n),
            (x) => money2.format(x),
            (x) => moneyCompact.format(x),
          ),
      ),
    month: (v) => {
      const d = parseDate(v);
      return d === null ? (v === null || v === undefined ? '' : String(v)) : monthFormat.format(d);
    },
    count: (v) => withNumber(v, (n) => minus(int.format(n))),
    countShort: (v) =>
      withNumber(v, (n) =>
        minus(
          short(
            n,
            (x) => int.format(x),
            (x) => compact.format(x),
          ),
        ),
      ),
    number: (v, digits = 2) => withNumber(v, (n) => minus(new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(n))),
    rate: (v, digits = 1) => withNumber(v, (n) => `${minus(new Intl.NumberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(n * 100))}%`),
    points: (v, digits = 1) =>
      withNumber(
        v,
        (n) =>
          `${n > 0 ? '+' : n < 0 ? '−' : ''}${new Intl.NumberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(Math.abs(n * 100))} ${lang === 'zh' ? '个百分点' : 'pt'}`,
      ),
    change: (v, digits = 1) =>
      withNumber(v, (n) => `${n > 0 ? '+' : n < 0 ? '−' : ''}${new Intl.NumberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(Math.abs(n * 100))}%`),
    date: (v) => {
      const d = parseDate(v);
      return d === null ? (v === null || v === undefined ? '' : String(v)) : day.format(d);
    },
    dateTime: (v) => {
      const d = parseDate(v);
      return d === null ? (v === null || v === undefined ? '' : String(v)) : minute.format(d);
    },
    cell: (column, v) => {
      if (v === null || v === undefined) return '';
      if (typeof v === 'boolean') return v ? '✓' : '';
      if (Array.isArray(v)) return v.map(String).join(', ');
      if (typeof v === 'object') return JSON.stringify(v);
      if (MONEY_COLUMNS.has(column)) return f.money(v);
      if (RATE_COLUMNS.has(column)) return f.rate(v);
      if (PCT_COLUMNS.test(column)) return withNumber(v, (n) => f.rate(n / 100));
      if (COUNT_COLUMNS.has(column)) return f.count(v);
      if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}/.test(v)) return f.dateTime(v);
      if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v)) return f.date(v);
      if (typeof v === 'number') return f.number(v);
      return String(v);
    },
  };
  return f;
}
