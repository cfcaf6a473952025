import { str, type Db } from '../db/index.js';
import type { Clock } from '../clock.js';
import { sqlTimestamp } from '../clock.js';
import { checkTargets, type TargetRow } from './targets.js';
import { callingCode } from './countries.js';
import { currencyProblem, timeZoneProblem } from './zones.js';

export { checkTargets, checkTargetRow, TARGET_METRICS, type TargetRow } from './targets.js';
export { callingCode, CALLING_CODES } from './countries.js';

/** Every setting Regulars knows, with its default and a one-line meaning. */
export const SETTINGS = {
  'shop.timezone': { default: 'UTC', help: 'Shop time zone; days and ISO weeks are shop-local.' },
  'shop.currency': { default: 'CNY', help: 'ISO 4217 currency of all money in this database (one currency per database).' },
  'identity.default_country': { default: '86', help: 'Country of phones written without a country code: a calling code (86, +1) or an ISO country (CN, US); stored as the calling code.' },
  'identity.merge_kinds': {
    default: ['phone', 'email', 'wechat_unionid'],
    help: 'Identifier kinds strong enough to make two accounts one member.',
  },
  'identity.quarantine_max_accounts': {
    default: 10,
    help: 'An identifier linked to more accounts than this (whole graph) is quarantined: never merged on.',
  },
  'identity.quarantine_max_per_channel': {
    default: 2,
    help: 'An identifier linked to more accounts than this within one channel is quarantined.',
  },
  'analysis.rfm_window_days': { default: 365, help: 'RFM analysis window in days (buyers, F and M are counted in it).' },
  'analysis.second_purchase_days': { default: 45, help: 'Days after a first purchase within which a second one counts (second-purchase and active repeat rates).' },
  'analysis.period': { default: 'month', help: 'Default cohort and period length for repeat and cohort reports: week or month.' },
  'analysis.targets': {
    default: [] as readonly TargetRow[],
    help: 'Targets per metric: {metric, period: week|month, start, value, weekly_change?}; load a file with `regulars targets import`.',
  },
  'tags.window_days': { default: 365, help: 'Member tags look at the purchases and events of this many days before the as-of date.' },
  'tags.preference_percent': { default: 30, help: "A category, brand or item is preferred when it holds at least this percent of the member's spend (items: bought on 2+ days)." },
  'tags.high_percent': { default: 50, help: 'Sensitivity is high at or above this percent (share of spend at a discount, on new products, in the top brand or category).' },
  'tags.medium_percent': { default: 20, help: 'Sensitivity is medium at or above this percent, low below it.' },
  'tags.new_product_days': { default: 30, help: "A purchase within this many days of the product's launch counts as a new-product purchase." },
  'tags.min_activities': { default: 3, help: 'Hour and weekday habits and the best send hour need at least this many timed activities; below it the shop-wide best hour is used.' },
  'tags.return_rate_percent': { default: 30, help: 'Integrity: a return rate (returned / purchased value) at or above this percent is flagged.' },
  'tags.unpaid_orders': { default: 2, help: 'Integrity: this many orders left unpaid in the window are flagged.' },
  'campaigns.pressure_cap_messages': { default: 2, help: 'Contact pressure: at most this many campaign messages per member (all campaigns, all channels) ...' },
  'campaigns.pressure_cap_days': { default: 7, help: '... within this many trailing days; a send over the cap is suppressed.' },
  'campaigns.quiet_hours': {
    default: '21:00-09:00',
    help: 'Shop-local hours when no campaign message is sent (HH:MM-HH:MM, may wrap midnight; "none" to switch off); sends due then wait for the end.',
  },
  'campaigns.max_attempts': { default: 8, help: 'A send whose channel keeps answering "try later" fails after this many attempts (backoff doubles from 1 minute, capped at 6 hours).' },
  'campaigns.default_margin_percent': { default: 30, help: 'Gross margin assumed for order lines without a cost (on the line or the product), in percent of the line value.' },
  'campaigns.reactivation_days': { default: 180, help: "Reactivation goal: a purchase counts when the member's previous one was at least this many days before the campaign window." },
  'campaigns.pre_period_days': { default: 180, help: "CUPED: each member's spend and purchases in this many days before the audience was frozen reduce the variance of the revenue uplift." },
  'campaigns.cap_percentile': { default: 95, help: 'Revenue and margin per member are capped at this percentile of the positive values of both groups together (100 caps nothing).' },
  'campaigns.min_responders': { default: 20, help: 'Revenue and margin verdicts are withheld when the control or the treatment group has fewer members with a purchase.' },
  'tags.exchange_words': { default: ['exchange', '换货', '调换'], help: 'A return whose reason contains one of these words is an exchange.' },
} as const;

export type SettingKey = keyof typeof SETTINGS;
type Widen<T> = T extends string ? string : T extends number ? number : T extends readonly string[] ? string[] : T extends readonly TargetRow[] ? TargetRow[] : T;
export type SettingValue<K extends SettingKey> = Widen<(typeof SETTINGS)[K]['default']>;

/** True when the name is a known setting. */
export function isSettingKey(key: string): key is SettingKey {
  return Object.hasOwn(SETTINGS, key);
}

/** Reads a setting from the database, falling back to its default. */
export async function getSetting<K extends SettingKey>(db: Db, key: K): Promise<SettingValue<K>> {
  const row = await db.one('SELECT value FROM settings WHERE key = $1', [key]);
  const text = str(row, 'value');
  const value: unknown = text === null ? SETTINGS[key].default : JSON.parse(text);
  return value as SettingValue<K>;
}

/** True when the setting was set (stored), false while it keeps its default. */
export async function isSettingStored(db: Db, key: SettingKey): Promise<boolean> {
  return (await db.one('SELECT value FROM settings WHERE key = $1', [key])) !== undefined;
}

/** Validates a setting value against the type of its default; returns an error message or null. */
export function checkSetting(key: SettingKey, value: unknown): string | null {
  const def: unknown = SETTINGS[key].default;
  if (key === 'identity.default_country') {
    return callingCode(value) === null ? `${key} is a country calling code (86, +86, +1) or an ISO country code (CN, US)` : null;
  }
  if (key === 'shop.timezone') return timeZoneProblem(value);
  if (key === 'shop.currency') return currencyProblem(value);
  if (key === 'analysis.period') return value === 'week' || value === 'month' ? null : `${key} is week or month`;
  if (key === 'analysis.targets') return checkTargets(value);
  if (key === 'campaigns.quiet_hours') return value === 'none' || (typeof value === 'string' && quietHours(value) !== null) ? null : `${key} is HH:MM-HH:MM (for example 21:00-09:00) or none`;
  if (Array.isArray(def)) {
    return Array.isArray(value) && value.every((v) => typeof v === 'string') ? null : `${key} takes a list of strings`;
  }
  if (typeof def === 'number') {
    return typeof value === 'number' && Number.isInteger(value) && value > 0 ? null : `${key} takes a positive integer`;
  }
  return typeof value === 'string' && value.length > 0 ? null : `${key} takes a non-empty string`;
}

/** The stored form of a valid value: a default country as its calling code digits (US -> 1). */
function normalForm(key: SettingKey, value: unknown): unknown {
  if (key === 'identity.default_country') return callingCode(value) ?? value;
  return value;
}

/** Stores a setting (the value is validated by the caller with checkSetting). */
export async function setSetting(db: Db, clock: Clock, key: SettingKey, input: unknown): Promise<void> {
  const value = normalForm(key, input);
  await db.run(
    `INSERT INTO settings VALUES ($1, $2, $3::TIMESTAMP)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    [key, JSON.stringify(value), sqlTimestamp(clock.now())],
  );
}

/** All settings with their effective values. */
export async function listSettings(db: Db): Promise<Array<{ key: SettingKey; value: unknown; help: string }>> {
  const out: Array<{ key: SettingKey; value: unknown; help: string }> = [];
  for (const key of Object.keys(SETTINGS)) {
    if (!isSettingKey(key)) continue;
    out.push({ key, value: await getSetting(db, key), help: SETTINGS[key].help });
  }
  return out;
}

/** Quiet hours text (`21:00-09:00`) as start and end minutes of the day; null for 'none' or bad text. */
export function quietHours(text: string): { start: number; end: number } | null {
  const m = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  if (m === null) return null;
  const start = Number(m[1]) * 60 + Number(m[2]);
  const end = Number(m[3]) * 60 + Number(m[4]);
  return start === end ? null : { start, end };
}
