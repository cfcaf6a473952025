/**
 * Targets: weekly or monthly values per metric, stored as the setting `analysis.targets`.
 * Totals (sales, orders, buyers, visitors) are amounts for the one week or calendar month that
 * starts on `start`; a report period's target is the sum of the days it overlaps, pro rata.
 * Rates and averages hold from `start` until the next row of the same metric, moving by
 * `weekly_change` for every whole week after `start` (a trajectory such as +0.06 points a week).
 */
export interface TargetRow {
  metric: string;
  period: 'week' | 'month';
  start: string;
  /** A decimal string; rates are fractions (0.18 = 18%). */
  value: string;
  /** A decimal string per whole week (rates and averages only), e.g. '0.0006' = +0.06 points. */
  weekly_change?: string;
}

/** Metric name -> kind. Totals add up over days; levels (rates, averages) hold over time. */
export const TARGET_METRICS: Record<string, 'total' | 'level'> = {
  gross_sales: 'total',
  net_sales: 'total',
  orders: 'total',
  buyers: 'total',
  new_buyers: 'total',
  returning_buyers: 'total',
  visitors: 'total',
  visits: 'total',
  conversion: 'level',
  orders_per_buyer: 'level',
  average_order_value: 'level',
  view_conversion: 'level',
  inquiry_conversion: 'level',
  payment_rate: 'level',
  second_purchase_rate: 'level',
  active_repeat_rate: 'level',
  retention_rate: 'level',
  repeat_rate: 'level',
  won_back: 'total',
};

const DECIMAL = /^-?\d{1,12}(\.\d{1,6})?$/;

/** Checks one target row; returns the field and reason it is wrong, or null. */
export function checkTargetRow(row: unknown): { field: string; reason: string } | null {
  const reason = rowProblem(row);
  return reason === null ? null : { field: reason.split(' ')[0] ?? '', reason };
}

function rowProblem(row: unknown): string | null {
  if (typeof row !== 'object' || row === null || Array.isArray(row)) return 'target must be an object {metric, period, start, value, weekly_change?}';
  const r = row as Record<string, unknown>;
  const metric = r['metric'];
  if (typeof metric !== 'string' || !(metric in TARGET_METRICS)) return `metric must be one of ${Object.keys(TARGET_METRICS).join(', ')}; got '${String(metric)}'`;
  if (r['period'] !== 'week' && r['period'] !== 'month') return `period must be week or month; got '${String(r['period'])}'`;
  const start = r['start'];
  if (typeof start !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(start) || Number.isNaN(Date.parse(`${start}T00:00:00Z`))) return `start must be a date YYYY-MM-DD; got '${String(start)}'`;
  const day = new Date(`${start}T00:00:00Z`);
  if (r['period'] === 'week' && day.getUTCDay() !== 1) return `start of a weekly target is a Monday; ${start} is not one`;
  if (r['period'] === 'month' && day.getUTCDate() !== 1) return `start of a monthly target is the first of a month; got ${start}`;
  if (typeof r['value'] !== 'string' || !DECIMAL.test(r['value'])) return `value must be a decimal number with at most 6 decimals; got '${String(r['value'])}'`;
  const wc = r['weekly_change'];
  if (wc !== undefined && wc !== null && wc !== '') {
    if (typeof wc !== 'string' || !DECIMAL.test(wc)) return `weekly_change must be a decimal number; got '${String(wc)}'`;
    if (TARGET_METRICS[metric] === 'total') return `weekly_change applies to rates and averages, not to the total ${metric}`;
  }
  return null;
}

/** Checks the whole list: every row valid and no metric given twice for one start. */
export function checkTargets(value: unknown): string | null {
  if (!Array.isArray(value)) return 'analysis.targets takes a list of targets';
  const seen = new Set<string>();
  for (const [i, row] of value.entries()) {
    const bad = rowProblem(row);
    if (bad !== null) return `target ${i + 1}: ${bad}`;
    const r = row as TargetRow;
    const key = `${r.metric}@${r.start}`;
    if (seen.has(key)) return `target ${i + 1}: ${r.metric} starting ${r.start} is given twice`;
    seen.add(key);
  }
  return null;
}
