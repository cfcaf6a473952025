/**
 * Budgets in count and discount value, total and per UTC day, per template. Taken at
 * reservation by a conditional UPDATE (the row lock makes a concurrent taker wait and re-check
 * the condition on the new value, on both engines), so a budget is never exceeded; given back
 * when a reservation is released or lapses, and when a whole order is returned.
 */
import { big, text, type OpQueries } from '../ops/index.js';
import { refuse } from './result.js';
import type { Budget } from './template.js';

/** No limit: a bound no sum of coupons reaches. */
const NONE = 1n << 62n;

/** Takes one coupon of `value` from the template's budget for `day` (true), or refuses (rolling back); false when the template has no budget. */
export async function takeBudget(tx: OpQueries, templateId: string, budget: Budget, day: string, value: bigint): Promise<boolean> {
  if (budget.count === null && budget.value === null && budget.daily_count === null && budget.daily_value === null) return false;
  await tx.run("INSERT INTO coupon_budget_use (template_id, day, used_count, used_value) VALUES (?, 'total', 0, 0), (?, ?, 0, 0) ON CONFLICT (template_id, day) DO NOTHING", [
    templateId,
    templateId,
    day,
  ]);
  const bounds: Array<[string, bigint | null, bigint | null, 'count' | 'daily_count', 'value' | 'daily_value']> = [
    ['total', budget.count === null ? null : BigInt(budget.count), budget.value, 'count', 'value'],
    [day, budget.daily_count === null ? null : BigInt(budget.daily_count), budget.daily_value, 'daily_count', 'daily_value'],
  ];
  for (const [d, count, val, countName, valueName] of bounds) {
    const changed = await tx.run(
      'UPDATE coupon_budget_use SET used_count = used_count + 1, used_value = used_value + ? WHERE template_id = ? AND day = ? AND used_count + 1 <= ? AND used_value + ? <= ?',
      [value, templateId, d, count ?? NONE, value, val ?? NONE],
    );
    if (changed === 0) {
      const row = await tx.one('SELECT used_count, used_value FROM coupon_budget_use WHERE template_id = ? AND day = ?', [templateId, d]);
      const usedCount = big(row, 'used_count');
      refuse({ type: 'budget_exhausted', template_id: templateId, limit: count !== null && usedCount + 1n > count ? countName : valueName });
    }
  }
  return true;
}

/** The limit of the template's budget already used up on `day` (nothing left for one more coupon), or null. */
export async function budgetSpent(q: OpQueries, templateId: string, budget: Budget, day: string): Promise<'count' | 'value' | 'daily_count' | 'daily_value' | null> {
  const rows = await q.all("SELECT day, used_count, used_value FROM coupon_budget_use WHERE template_id = ? AND day IN ('total', ?)", [templateId, day]);
  const use = (d: string) => {
    const r = rows.find((x) => text(x, 'day') === d);
    return r === undefined ? { n: 0n, v: 0n } : { n: big(r, 'used_count'), v: big(r, 'used_value') };
  };
  const total = use('total');
  const today = use(day);
  if (budget.count !== null && total.n >= BigInt(budget.count)) return 'count';
  if (budget.value !== null && total.v >= budget.value) return 'value';
  if (budget.daily_count !== null && today.n >= BigInt(budget.daily_count)) return 'daily_count';
  if (budget.daily_value !== null && today.v >= budget.daily_value) return 'daily_value';
  return null;
}

/** Gives one coupon of `value` back to the budget of the day it was taken on. */
export async function giveBackBudget(tx: OpQueries, templateId: string, day: string | null, value: bigint): Promise<void> {
  if (day === null) return;
  await tx.run("UPDATE coupon_budget_use SET used_count = used_count - 1, used_value = used_value - ? WHERE template_id = ? AND day IN ('total', ?)", [value, templateId, day]);
}

/** Budget used per day of a template ('total' first). */
export async function budgetUse(q: OpQueries, templateId: string): Promise<Array<{ day: string; used_count: bigint; used_value: bigint }>> {
  const rows = await q.all("SELECT day, used_count, used_value FROM coupon_budget_use WHERE template_id = ? ORDER BY CASE WHEN day = 'total' THEN 0 ELSE 1 END, day", [templateId]);
  return rows.map((r) => ({ day: text(r, 'day') ?? '', used_count: big(r, 'used_count'), used_value: big(r, 'used_value') }));
}
