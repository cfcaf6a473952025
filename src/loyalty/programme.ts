/**
 * A loyalty programme as data: earn rules, pending period, expiry model, reversal setting and
 * tiers. One runtime schema (TypeBox) gives the type, the validation and the API's document.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { isoTime, text, type OpQueries } from '../ops/index.js';

const Decimal = Type.String({ pattern: '^\\d+(\\.\\d+)?$', description: 'a non-negative decimal number as text' });
const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' });
const Points = Type.Integer({ minimum: 0 });

export const MultiplierRule = Type.Object({
  factor: Decimal,
  tier: Type.Optional(Type.String()),
  category: Type.Optional(Type.String()),
  brand: Type.Optional(Type.String()),
  sku: Type.Optional(Type.String()),
  channel: Type.Optional(Type.String()),
  from: Type.Optional(Day),
  to: Type.Optional(Day),
});
export type MultiplierRule = Static<typeof MultiplierRule>;

export const Cap = Type.Object({
  per: Type.Union([Type.Literal('member'), Type.Literal('programme')]),
  period: Type.Union([Type.Literal('day'), Type.Literal('week'), Type.Literal('month')]),
  points: Points,
});
export type Cap = Static<typeof Cap>;

export const Expiry = Type.Union([
  Type.Object({ model: Type.Literal('days'), days: Type.Integer({ minimum: 1 }) }),
  Type.Object({ model: Type.Literal('period_end'), period: Type.Union([Type.Literal('month'), Type.Literal('quarter'), Type.Literal('year')]), periods: Type.Integer({ minimum: 0 }) }),
  Type.Object({ model: Type.Literal('yearly_wipe'), month: Type.Integer({ minimum: 1, maximum: 12 }), day: Type.Integer({ minimum: 1, maximum: 31 }) }),
  Type.Object({ model: Type.Literal('never') }),
]);
export type Expiry = Static<typeof Expiry>;

export const TierLevel = Type.Object({
  code: Type.String({ minLength: 1 }),
  name: Type.String(),
  threshold: Points,
  multiplier: Type.Optional(Decimal),
});
export type TierLevel = Static<typeof TierLevel>;

/**
 * Growth value (成长值): a qualifying value of its own, never spendable. Orders add `rate` per
 * currency unit of the earning base net of returns (rounded down per order) plus `per_order`;
 * activities add their own amounts (per activity that earned points).
 */
export const GrowthRules = Type.Object({
  rate: Decimal,
  per_order: Type.Optional(Points),
  activities: Type.Optional(Type.Record(Type.String(), Points)),
});
export type GrowthRules = Static<typeof GrowthRules>;

export const TierRules = Type.Object({
  metric: Type.Union([Type.Literal('qualifying_points'), Type.Literal('spend'), Type.Literal('orders'), Type.Literal('growth')]),
  growth: Type.Optional(GrowthRules),
  window: Type.Union([Type.Literal('rolling_365'), Type.Literal('calendar_year'), Type.Literal('anniversary')]),
  levels: Type.Array(TierLevel, { minItems: 1 }),
  downgrade: Type.Union([Type.Literal('one_step'), Type.Literal('to_earned')]),
  grace_days: Type.Integer({ minimum: 0 }),
});
export type TierRules = Static<typeof TierRules>;

export const ProgrammeConfig = Type.Object({
  programme_id: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }),
  name: Type.String(),
  starts_on: Day,
  phone_country: Type.String({ pattern: '^\\d{1,4}$' }),
  rate: Decimal,
  multipliers: Type.Array(MultiplierRule),
  first_purchase_bonus: Points,
  birthday_factor: Type.Optional(Decimal),
  activities: Type.Record(Type.String(), Points),
  caps: Type.Array(Cap),
  pending_days: Type.Integer({ minimum: 0 }),
  expiry: Expiry,
  shortfall: Type.Union([Type.Literal('negative_balance'), Type.Literal('deduct_next_earns')]),
  tiers: Type.Optional(TierRules),
});
export type ProgrammeConfig = Static<typeof ProgrammeConfig>;

/** The defaults of PRODUCT.md ("Loyalty") for what a programme file leaves out. */
export const PROGRAMME_DEFAULTS: Pick<ProgrammeConfig, 'phone_country' | 'rate' | 'multipliers' | 'first_purchase_bonus' | 'activities' | 'caps' | 'pending_days' | 'expiry' | 'shortfall'> = {
  phone_country: '86',
  rate: '1',
  multipliers: [],
  first_purchase_bonus: 0,
  activities: {},
  caps: [],
  pending_days: 7,
  expiry: { model: 'period_end', period: 'year', periods: 1 },
  shortfall: 'negative_balance',
};

/** Validates a programme file (defaults filled in): the config, or the reasons it is refused. */
export function parseProgramme(input: unknown): { ok: true; config: ProgrammeConfig } | { ok: false; error: { type: 'invalid_programme'; errors: string[] } } {
  const merged = input !== null && typeof input === 'object' && !Array.isArray(input) ? { ...PROGRAMME_DEFAULTS, ...input } : input;
  if (Value.Check(ProgrammeConfig, merged)) {
    const tiers = merged.tiers?.levels ?? [];
    for (let i = 1; i < tiers.length; i++) {
      const prev = tiers[i - 1];
      const cur = tiers[i];
      if (prev !== undefined && cur !== undefined && cur.threshold <= prev.threshold) {
        return { ok: false, error: { type: 'invalid_programme', errors: ['/tiers/levels: thresholds must rise from the lowest tier to the highest'] } };
      }
    }
    if (merged.tiers?.metric === 'growth' && merged.tiers.growth === undefined) {
      return { ok: false, error: { type: 'invalid_programme', errors: ['/tiers/growth: the metric growth needs its rules: {"rate": "1", "per_order": 0, "activities": {...}}'] } };
    }
    return { ok: true, config: merged };
  }
  return { ok: false, error: { type: 'invalid_programme', errors: [...Value.Errors(ProgrammeConfig, merged)].slice(0, 10).map((e) => `${e.path || '/'}: ${e.message}`) } };
}

/** Stores (creates or replaces) a programme. */
export async function saveProgramme(q: OpQueries, config: ProgrammeConfig, now: Date): Promise<void> {
  await q.run(
    'INSERT INTO loyalty_programmes (programme_id, config, created_at, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (programme_id) DO UPDATE SET config = excluded.config, updated_at = excluded.updated_at',
    [config.programme_id, JSON.stringify(config), isoTime(now), isoTime(now)],
  );
}

/** Stored programme texts already validated (every write reads its programme; the text is the key, so a change is seen at once). */
const parsedConfigs = new Map<string, ProgrammeConfig>();

/** A stored programme, or undefined. */
export async function loadProgramme(q: OpQueries, programmeId: string): Promise<ProgrammeConfig | undefined> {
  const raw = text(await q.one('SELECT config FROM loyalty_programmes WHERE programme_id = ?', [programmeId]), 'config');
  if (raw === null) return undefined;
  const cached = parsedConfigs.get(raw);
  if (cached !== undefined) return cached;
  const parsed = parseProgramme(JSON.parse(raw));
  if (!parsed.ok) throw new Error(`stored programme ${programmeId} is invalid: ${parsed.error.errors.join('; ')}`);
  if (parsedConfigs.size > 100) parsedConfigs.clear();
  parsedConfigs.set(raw, parsed.config);
  return parsed.config;
}

/** All stored programme IDs. */
export async function listProgrammes(q: OpQueries): Promise<string[]> {
  return (await q.all('SELECT programme_id FROM loyalty_programmes ORDER BY programme_id')).map((r) => text(r, 'programme_id') ?? '');
}
