/**
 * One compiler from rule trees to DuckDB SQL. Each node becomes a boolean expression over
 * `m.member_id` (members m); every value is bound as a parameter, never written into the text.
 * `$1` is always the evaluation date.
 */
import type { SqlParam } from '../core/db/index.js';
import type { Attribute, Comparison, JourneyState, ModelScore, PurchaseFact, SegmentRule } from './rules.js';
import { OPS, zeroSatisfies } from './compare.js';
import { compileLoyalty } from './loyalty-node.js';
import { compileCouponRule } from './coupon-node.js';

export interface CompiledSegment {
  /** `SELECT m.member_id FROM members m WHERE ...`, with `$1` the evaluation date. */
  readonly sql: string;
  readonly params: readonly SqlParam[];
}

const ATTRIBUTE_SQL: Record<Attribute, string> = {
  gender: 'm.gender',
  city: 'm.city',
  registration_channel: 'm.registration_channel',
  birthday_month: 'month(m.birthday)',
  age: "(date_diff('year', m.birthday, $1::DATE) - CASE WHEN strftime($1::DATE, '%m%d') < strftime(m.birthday, '%m%d') THEN 1 ELSE 0 END)",
  registered_days_ago: '($1::DATE - m.registered_at::DATE)',
};

/** Events of members (anonymous and unresolved actors left out). */
const MEMBER_EVENTS = 'events e JOIN identities i ON i.identity_id = e.actor_id';
/** Orders of members. */
const MEMBER_ORDERS = 'orders o JOIN identities i ON i.identity_id = o.buyer_id';
const IS_PURCHASE = "(o.paid_at IS NOT NULL OR o.status IN ('paid', 'shipped', 'completed'))";

class Builder {
  readonly params: SqlParam[];
  constructor(asOf: string) {
    this.params = [asOf];
  }
  /** Binds a value and returns its placeholder. */
  bind(v: SqlParam): string {
    this.params.push(v);
    return `$${this.params.length}`;
  }
  /** The window of the last `days` days ending on the evaluation date, on a timestamp column. */
  window(column: string, days: number): string {
    return `${column} >= $1::DATE - ${this.bind(days)}::INTEGER + 1 AND ${column} < $1::DATE + 1`;
  }
  list(values: readonly string[]): string {
    return `(SELECT unnest(from_json(${this.bind(JSON.stringify(values))}, '["VARCHAR"]')))`;
  }
  /** A category path equal to the given one or below it ('Women' matches 'Women > Shoes'). */
  category(column: string, category: string): string {
    const c = this.bind(category);
    return `(${column} = ${c} OR starts_with(${column}, ${c} || ' >'))`;
  }
}

/**
 * Members first seen by the date `$1` (PRODUCT.md: every member count as of D includes only the
 * members first seen by D), by the lifecycle report's rule: first seen is the earliest of the
 * member's identities and its first purchase occasion; a member with neither date counts.
 */
export const FIRST_SEEN_BY = `coalesce(least(m.first_seen::DATE, (SELECT min(fo.day) FROM member_occasions fo WHERE fo.member_id = m.member_id)) <= $1::DATE, true)`;

/** Compiles a validated rule tree as of a date (YYYY-MM-DD); members first seen after it are never in. */
export function compileSegment(rule: SegmentRule, asOf: string): CompiledSegment {
  const b = new Builder(asOf);
  const where = node(rule, b);
  return { sql: `SELECT m.member_id FROM members m WHERE ${FIRST_SEEN_BY} AND (${where})`, params: b.params };
}

/** `m.member_id IN (q)`, or when members without rows qualify too, `NOT IN` the ones failing. */
function counted(b: Builder, from: string, measure: string, op: Comparison, value: number, bound: string, group = 'i.member_id'): string {
  const test = `${measure} ${OPS[op]} ${bound}`;
  return zeroSatisfies(op, value)
    ? `m.member_id NOT IN (SELECT ${group} FROM ${from} AND ${group} IS NOT NULL GROUP BY ${group} HAVING NOT (${test}))`
    : `m.member_id IN (SELECT ${group} FROM ${from} AND ${group} IS NOT NULL GROUP BY ${group} HAVING ${test})`;
}

function purchase(b: Builder, fact: PurchaseFact, op: Comparison, value: number | string, days: number | undefined): string {
  const within = days === undefined ? 'o.day <= $1::DATE' : `o.day > $1::DATE - ${b.bind(days)}::INTEGER AND o.day <= $1::DATE`;
  // Occasions as stored by the latest refresh (the view would total every order line per count).
  const from = `member_occasions o WHERE ${within}`;
  switch (fact) {
    case 'first_purchase_days_ago':
      return `m.member_id IN (SELECT o.member_id FROM ${from} GROUP BY o.member_id HAVING $1::DATE - min(o.day) ${OPS[op]} ${b.bind(Number(value))})`;
    case 'last_purchase_days_ago':
      return `m.member_id IN (SELECT o.member_id FROM ${from} GROUP BY o.member_id HAVING $1::DATE - max(o.day) ${OPS[op]} ${b.bind(Number(value))})`;
    case 'purchases':
      return counted(b, from, 'count(*)', op, Number(value), b.bind(Number(value)), 'o.member_id');
    case 'spend':
      return counted(b, from, 'sum(o.value)', op, Number(value), `${b.bind(String(value))}::DECIMAL(18,4)`, 'o.member_id');
    default: {
      const never: never = fact;
      return never;
    }
  }
}

function journey(b: Builder, state: JourneyState, days: number): string {
  const ev = (types: string, extra = ''): string => `SELECT i.member_id FROM ${MEMBER_EVENTS} WHERE e.type IN (${types}) AND ${b.window('e.occurred_at', days)}${extra}`;
  const ordered = (): string => `SELECT i.member_id FROM ${MEMBER_ORDERS} WHERE ${b.window('o.created_at', days)}`;
  const notOrdered = (types: string, extra = ''): string => `(m.member_id IN (${ev(types, extra)}) AND m.member_id NOT IN (SELECT member_id FROM (${ordered()}) WHERE member_id IS NOT NULL))`;
  switch (state) {
    case 'bounced':
      return `m.member_id IN (SELECT member_id FROM (SELECT i.member_id, e.session_id FROM ${MEMBER_EVENTS} WHERE e.session_id IS NOT NULL AND ${b.window('e.occurred_at', days)} GROUP BY 1, 2 HAVING count(*) = 1 AND bool_and(e.type IN ('visit', 'view'))))`;
    case 'browsed_not_ordered':
      return notOrdered("'view'");
    case 'carted_not_ordered':
      return notOrdered("'cart'");
    case 'asked_not_ordered':
      return notOrdered("'inquiry'", " AND coalesce(e.direction, 'inbound') = 'inbound'");
    case 'ordered_not_paid':
      return `m.member_id IN (SELECT i.member_id FROM ${MEMBER_ORDERS} WHERE ${b.window('o.created_at', days)} AND o.paid_at IS NULL AND o.status = 'created')`;
    case 'awaiting_delivery':
      return `m.member_id IN (SELECT i.member_id FROM ${MEMBER_ORDERS} WHERE ${b.window('o.created_at', days)} AND (o.paid_at IS NOT NULL OR o.status = 'paid') AND o.shipped_at IS NULL AND o.completed_at IS NULL AND o.cancelled_at IS NULL AND o.status NOT IN ('shipped', 'completed', 'cancelled', 'closed'))`;
    case 'returned':
      return `m.member_id IN (SELECT i.member_id FROM returns r JOIN identities i ON i.identity_id = r.buyer_id WHERE ${b.window('r.returned_at', days)})`;
    case 'bad_review':
      return `m.member_id IN (${ev("'review'", ' AND e.rating <= 2')})`;
    case 'good_review':
      return `m.member_id IN (${ev("'review'", ' AND e.rating >= 4')})`;
    case 'recommends_others':
      return `m.member_id IN (${ev("'share'")})`;
    default: {
      const never: never = state;
      return never;
    }
  }
}

/** A test on the latest customer-model scores (members without scores never match). */
function modelScore(b: Builder, score: ModelScore, op: Comparison, value: number | string): string {
  switch (score) {
    case 'p_alive':
    case 'expected_purchases':
      return `${score} ${OPS[op]} ${b.bind(Number(value))}::DOUBLE`;
    case 'clv':
    case 'expected_average_spend':
      return `${score} ${OPS[op]} ${b.bind(String(value))}::DECIMAL(18,4)`;
    case 'next_purchase_in_days':
      return `(next_purchase_date - $1::DATE) ${OPS[op]} ${b.bind(Number(value))}::INTEGER`;
    case 'churn_risk':
      return `churn_risk ${OPS[op]} ${b.bind(String(value))}`;
    default: {
      const never: never = score;
      return never;
    }
  }
}

function node(rule: SegmentRule, b: Builder): string {
  switch (rule.kind) {
    case 'and':
    case 'or':
      return `(${rule.rules.map((r) => node(r, b)).join(rule.kind === 'and' ? ' AND ' : ' OR ')})`;
    case 'not':
      return `(NOT coalesce(${node(rule.rule, b)}, false))`;
    case 'attribute': {
      const col = ATTRIBUTE_SQL[rule.field];
      if (rule.op === 'in') return `${col} IN ${b.list(typeof rule.value === 'object' ? rule.value : [String(rule.value)])}`;
      return `${col} ${OPS[rule.op]} ${b.bind(typeof rule.value === 'object' ? '' : rule.value)}`;
    }
    case 'lifecycle':
      return `m.member_id IN (SELECT member_id FROM member_lifecycle WHERE as_of = (SELECT max(as_of) FROM member_lifecycle WHERE as_of <= $1::DATE) AND stage IN ${b.list(rule.stages)})`;
    case 'rfm': {
      const conds: string[] = [];
      for (const [key, col] of [
        ['r', 'r_score'],
        ['f', 'f_score'],
        ['m', 'm_score'],
      ] as const) {
        const range = rule[key];
        if (range !== undefined) conds.push(`${col} BETWEEN ${b.bind(range[0])} AND ${b.bind(range[1])}`);
      }
      if (rule.groups !== undefined) conds.push(`segment IN ${b.list(rule.groups)}`);
      if (rule.groups_cn !== undefined) conds.push(`group_cn IN ${b.list(rule.groups_cn)}`);
      return `m.member_id IN (SELECT member_id FROM member_rfm WHERE (as_of, window_days) = (SELECT (as_of, window_days) FROM member_rfm WHERE as_of <= $1::DATE ORDER BY as_of DESC, window_days LIMIT 1) AND ${conds.join(' AND ')})`;
    }
    case 'behaviour': {
      let where = `e.type = ${b.bind(rule.event)} AND ${b.window('e.occurred_at', rule.days)}`;
      if (rule.category !== undefined) where += ` AND ${b.category('e.category', rule.category)}`;
      if (rule.sku !== undefined) where += ` AND e.sku = ${b.bind(rule.sku)}`;
      // Counted per actor first: the join to identities then builds on the few actors of the
      // window instead of on every identity (twice as fast at 23M events).
      const from = `(SELECT e.actor_id, count(*) AS n FROM events e WHERE ${where} GROUP BY e.actor_id) e JOIN identities i ON i.identity_id = e.actor_id WHERE true`;
      return counted(b, from, 'sum(e.n)', rule.op, rule.count, b.bind(rule.count));
    }
    case 'purchase':
      return purchase(b, rule.fact, rule.op, rule.value, rule.days);
    case 'bought': {
      let where = `${IS_PURCHASE} AND l.line_type = 'product'`;
      if (rule.days !== undefined) where += ` AND ${b.window('o.created_at', rule.days)}`;
      if (rule.category !== undefined) where += ` AND ${b.category('p.category_path', rule.category)}`;
      if (rule.brand !== undefined) where += ` AND p.brand = ${b.bind(rule.brand)}`;
      return `m.member_id IN (SELECT i.member_id FROM ${MEMBER_ORDERS} JOIN order_lines l ON l.channel_id = o.channel_id AND l.order_id = o.order_id JOIN products p ON p.sku = l.sku WHERE ${where})`;
    }
    case 'bundle_part': {
      let where = `${IS_PURCHASE} AND l.line_type = 'product' AND l.sku IN (${rule.skus.map((x) => b.bind(x)).join(', ')})`;
      if (rule.days !== undefined) where += ` AND ${b.window('o.created_at', rule.days)}`;
      return `m.member_id IN (SELECT i.member_id FROM ${MEMBER_ORDERS} JOIN order_lines l ON l.channel_id = o.channel_id AND l.order_id = o.order_id WHERE ${where} GROUP BY i.member_id HAVING count(DISTINCT l.sku) < ${b.bind(rule.skus.length)})`;
    }
    case 'journey':
      return journey(b, rule.state, rule.days);
    case 'consent': {
      const latest = `SELECT i.member_id, arg_max(c.status, c.changed_at) AS status FROM consents c JOIN identities i ON i.identity_id = c.anchor_id WHERE c.contact_channel = ${b.bind(rule.channel)} AND c.changed_at < $1::DATE + 1 AND i.member_id IS NOT NULL GROUP BY i.member_id`;
      return rule.status === 'unknown' ? `m.member_id NOT IN (SELECT member_id FROM (${latest}))` : `m.member_id IN (SELECT member_id FROM (${latest}) WHERE status = ${b.bind(rule.status)})`;
    }
    case 'tag':
      return `m.member_id IN (SELECT member_id FROM member_tags WHERE tag = ${b.bind(rule.tag)} AND value = ${b.bind(rule.value)})`;
    case 'loyalty':
      return compileLoyalty(rule, b);
    case 'model':
      return `m.member_id IN (SELECT member_id FROM member_model_scores WHERE ${modelScore(b, rule.score, rule.op, rule.value)})`;
    case 'coupon':
      return compileCouponRule(rule, b);
    default: {
      const never: never = rule;
      return never;
    }
  }
}
