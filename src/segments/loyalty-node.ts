/**
 * The `loyalty` rule node: a member's loyalty figures in one programme, as last published to the
 * analytical store (`member_loyalty`, written by the loyalty domain after its jobs; never read
 * from the operational store). Tier is one of a list; balance, points expiring within 30 days and
 * lifetime earned points compare with a whole number of points (a member without an account
 * counts as 0). Validation and compilation of the node live here, beside each other.
 */
import type { SqlParam } from '../core/db/index.js';
import { COMPARISONS, OPS, zeroSatisfies, type Comparison } from './compare.js';

export const LOYALTY_FIELDS = ['tier', 'balance', 'expiring_30d', 'lifetime_earned'] as const;
export type LoyaltyField = (typeof LOYALTY_FIELDS)[number];
type PointsField = Exclude<LoyaltyField, 'tier'>;

export type LoyaltyRule =
  | { readonly kind: 'loyalty'; readonly programme: string; readonly field: 'tier'; readonly tiers: readonly string[] }
  | { readonly kind: 'loyalty'; readonly programme: string; readonly field: PointsField; readonly op: Comparison; readonly value: number | string };

/** The published column of each points field (fixed text, never from the rule). */
const COLUMN: Record<PointsField, string> = { balance: 'balance', expiring_30d: 'expiring_30d', lifetime_earned: 'lifetime_earned' };

const oneOf = <T extends string>(list: readonly T[], v: unknown): v is T => typeof v === 'string' && (list as readonly string[]).includes(v);
const isPoints = (v: unknown): v is number | string => (typeof v === 'number' && Number.isSafeInteger(v)) || (typeof v === 'string' && /^-?\d{1,18}$/.test(v));

/** Validates a `loyalty` node; problems are added to `errors` with their JSON path. */
export function checkLoyalty(v: Readonly<Record<string, unknown>>, path: string, errors: Array<{ path: string; reason: string }>): LoyaltyRule | null {
  const before = errors.length;
  const bad = (where: string, reason: string): null => {
    errors.push({ path: where, reason });
    return null;
  };
  const programme = typeof v['programme'] === 'string' && v['programme'].trim() !== '' ? v['programme'] : bad(`${path}.programme`, 'is required (the programme ID, for example "main")');
  const field = oneOf(LOYALTY_FIELDS, v['field']) ? v['field'] : bad(`${path}.field`, `must be one of ${LOYALTY_FIELDS.join(', ')}`);
  if (programme === null || field === null) return null;
  if (field === 'tier') {
    if (v['op'] !== undefined || v['value'] !== undefined) return bad(`${path}.op`, 'does not apply to tier: list the tier codes in "tiers"');
    const tiers = v['tiers'];
    if (!Array.isArray(tiers) || tiers.length === 0 || !tiers.every((t) => typeof t === 'string' && t !== '')) return bad(`${path}.tiers`, 'must be a non-empty list of tier codes');
    return { kind: 'loyalty', programme, field, tiers: tiers.map(String) };
  }
  const op = oneOf(COMPARISONS, v['op']) ? v['op'] : bad(`${path}.op`, `must be one of ${COMPARISONS.join(', ')}`);
  const value = isPoints(v['value']) ? v['value'] : bad(`${path}.value`, 'must be a whole number of points');
  if (op === null || value === null || errors.length > before) return null;
  return { kind: 'loyalty', programme, field, op, value };
}

/** What the compiler lends a node: bound parameters and bound lists. */
export interface Binder {
  bind(v: SqlParam): string;
  list(values: readonly string[]): string;
}

/** Compiles a validated `loyalty` node to a condition on `m.member_id`, every value bound. */
export function compileLoyalty(rule: LoyaltyRule, b: Binder): string {
  const from = `member_loyalty WHERE programme_id = ${b.bind(rule.programme)}`;
  if (rule.field === 'tier') return `m.member_id IN (SELECT member_id FROM ${from} AND tier IN ${b.list(rule.tiers)})`;
  const test = `${COLUMN[rule.field]} ${OPS[rule.op]} ${b.bind(String(rule.value))}::BIGINT`;
  return zeroSatisfies(rule.op, Number(rule.value)) ? `m.member_id NOT IN (SELECT member_id FROM ${from} AND NOT (${test}))` : `m.member_id IN (SELECT member_id FROM ${from} AND ${test})`;
}
