/**
 * The campaign definition: what a CRM team writes (or the console builds) before launch,
 * validated from JSON with the path and reason of every problem.
 */
import { validateRule, type SegmentRule } from '../segments/index.js';

export const GOALS = ['purchases', 'revenue', 'reactivation', 'second_purchase'] as const;
export type Goal = (typeof GOALS)[number];

/** A condition on earlier waves of the same run, evaluated when the wave is planned. */
export type WaveCondition =
  | { readonly sent: string }
  | { readonly delivered: string }
  /** Opened the wave's message (a click counts as an open: image blocking hides many opens). */
  | { readonly opened: string }
  | { readonly clicked: string }
  | { readonly not: WaveCondition }
  | { readonly all: readonly WaveCondition[] }
  | { readonly any: readonly WaveCondition[] };

export interface WaveTemplate {
  readonly subject?: string;
  readonly text: string;
  readonly html?: string;
}

export interface Wave {
  readonly id: string;
  /** Name of a stored message channel (`regulars channels set NAME`). */
  readonly channel: string;
  /** Offset from the campaign time T: `-5d`, `-1d`, `-1h`, `-30m`, `+2d`, `0`. */
  readonly at: string;
  /** Send at each member's best send hour (tag) on the wave's day instead of at one time. */
  readonly best_hour?: boolean;
  readonly when?: WaveCondition;
  readonly template: WaveTemplate;
}

export interface CampaignDefinition {
  /**
   * A stable key given at creation: the campaign ID, and so the control assignment (a hash of
   * campaign and member), derive from it. Without one they derive from the whole definition.
   */
  readonly key?: string;
  readonly name: string;
  readonly goal: Goal;
  /** A saved segment by ID, or a rule tree; frozen at launch. */
  readonly audience: { readonly segment: string } | { readonly rule: SegmentRule };
  /** Campaign time T (shop-local, `YYYY-MM-DD HH:MM`), for example the start of a sale. */
  readonly starts_at: string;
  /** Control share in percent (default 10) and optional stratification by lifecycle stage. */
  readonly control: { readonly percent: number; readonly stratify_by_lifecycle: boolean };
  /** Purchases from the first wave's time until T + this many days are attributed. */
  readonly attribution_days: number;
  /** Decimal strings: per message by channel name, per redeemed coupon, fixed. */
  readonly cost: { readonly per_message: Readonly<Record<string, string>>; readonly per_coupon: string; readonly fixed: string };
  /** A repeated campaign: a new run (new audience freeze) every `every_days` days, `runs` times. */
  readonly repeat?: { readonly every_days: number; readonly runs: number };
  /** The uplift the team wants to be able to detect, in percentage points (power check). */
  readonly detect_uplift_points: number;
  readonly waves: readonly Wave[];
}

export interface FieldError {
  readonly path: string;
  readonly reason: string;
}

const MONEY = /^\d{1,14}(\.\d{1,4})?$/;
const OFFSET = /^([+-]?)(\d{1,4})([dhm])$|^0$/;
const WAVE_ID = /^[A-Za-z0-9_-]{1,32}$/;
const KEY = /^[A-Za-z0-9_.:-]{1,64}$/;
const TIME = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?$/;

/** Offset text to minutes: `-5d` is -7200. */
export function offsetMinutes(at: string): number {
  const m = OFFSET.exec(at);
  if (m === null) throw new Error(`bad offset ${at}`);
  if (at === '0') return 0;
  const n = Number(m[2]) * (m[3] === 'd' ? 1440 : m[3] === 'h' ? 60 : 1);
  return m[1] === '-' ? -n : n;
}

/** A shop-local `YYYY-MM-DD HH:MM[:SS]` plus minutes, as `YYYY-MM-DD HH:MM:SS` (wall clock, no zone). */
export function addMinutes(ts: string, minutes: number): string {
  const t = new Date(`${ts.replace(' ', 'T').slice(0, 16)}:${ts.length >= 19 ? ts.slice(17, 19) : '00'}Z`);
  return new Date(t.getTime() + minutes * 60_000).toISOString().replace('T', ' ').slice(0, 19);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkCondition(v: unknown, path: string, earlier: ReadonlySet<string>, errors: FieldError[]): WaveCondition | null {
  if (!isObject(v) || Object.keys(v).length !== 1) {
    errors.push({ path, reason: 'must be an object with one of sent, delivered, opened, clicked, not, all, any' });
    return null;
  }
  const [key = '', arg] = Object.entries(v)[0] ?? [];
  switch (key) {
    case 'sent':
    case 'delivered':
    case 'opened':
    case 'clicked': {
      if (typeof arg !== 'string' || !earlier.has(arg)) {
        errors.push({ path: `${path}.${key}`, reason: 'must name an earlier wave of this campaign' });
        return null;
      }
      return key === 'sent' ? { sent: arg } : key === 'delivered' ? { delivered: arg } : key === 'opened' ? { opened: arg } : { clicked: arg };
    }
    case 'not': {
      const inner = checkCondition(arg, `${path}.not`, earlier, errors);
      return inner === null ? null : { not: inner };
    }
    case 'all':
    case 'any': {
      if (!Array.isArray(arg) || arg.length === 0) {
        errors.push({ path: `${path}.${key}`, reason: 'must be a non-empty list of conditions' });
        return null;
      }
      const parts = arg.map((c, i) => checkCondition(c, `${path}.${key}[${i}]`, earlier, errors));
      const ok = parts.filter((p): p is WaveCondition => p !== null);
      if (ok.length !== parts.length) return null;
      return key === 'all' ? { all: ok } : { any: ok };
    }
    default:
      errors.push({ path, reason: `unknown condition ${key}: use sent, delivered, opened, clicked, not, all, any` });
      return null;
  }
}

function checkWave(v: unknown, path: string, earlier: Set<string>, errors: FieldError[]): Wave | null {
  if (!isObject(v)) {
    errors.push({ path, reason: 'must be an object' });
    return null;
  }
  const before = errors.length;
  const id = v['id'];
  if (typeof id !== 'string' || !WAVE_ID.test(id)) errors.push({ path: `${path}.id`, reason: 'must be 1-32 letters, digits, _ or -' });
  else if (earlier.has(id)) errors.push({ path: `${path}.id`, reason: `duplicate wave id ${id}` });
  const channel = v['channel'];
  if (typeof channel !== 'string' || channel === '') errors.push({ path: `${path}.channel`, reason: 'must name a message channel' });
  const at = v['at'];
  if (typeof at !== 'string' || !OFFSET.test(at)) errors.push({ path: `${path}.at`, reason: 'must be an offset from T such as -5d, -1d, -1h, -30m, +2d or 0' });
  const bestHour = v['best_hour'];
  if (bestHour !== undefined && typeof bestHour !== 'boolean') errors.push({ path: `${path}.best_hour`, reason: 'must be true or false' });
  const when = v['when'] === undefined ? undefined : checkCondition(v['when'], `${path}.when`, earlier, errors);
  const t = v['template'];
  let template: WaveTemplate | null = null;
  if (!isObject(t) || typeof t['text'] !== 'string' || t['text'] === '') {
    errors.push({ path: `${path}.template.text`, reason: 'a template needs a non-empty text' });
  } else {
    for (const k of ['subject', 'html']) {
      if (t[k] !== undefined && typeof t[k] !== 'string') errors.push({ path: `${path}.template.${k}`, reason: 'must be text' });
    }
    template = {
      text: t['text'],
      ...(typeof t['subject'] === 'string' ? { subject: t['subject'] } : {}),
      ...(typeof t['html'] === 'string' ? { html: t['html'] } : {}),
    };
  }
  if (typeof id === 'string') earlier.add(id);
  if (errors.length > before || typeof id !== 'string' || typeof channel !== 'string' || typeof at !== 'string' || template === null || when === null) return null;
  return { id, channel, at, template, ...(bestHour === true ? { best_hour: true } : {}), ...(when === undefined ? {} : { when }) };
}

function positiveInt(v: unknown, path: string, errors: FieldError[], fallback: number, max: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > max) {
    errors.push({ path, reason: `must be a whole number from 1 to ${max}` });
    return fallback;
  }
  return v;
}

function money(v: unknown, path: string, errors: FieldError[]): string {
  if (v === undefined) return '0';
  if (typeof v !== 'string' || !MONEY.test(v)) {
    errors.push({ path, reason: 'must be a decimal string such as "0.05" (at most 4 decimals)' });
    return '0';
  }
  return v;
}

/** Validates campaign JSON: the definition, or every problem with its path. */
export function validateCampaign(json: unknown): { ok: true; campaign: CampaignDefinition } | { ok: false; errors: FieldError[] } {
  const errors: FieldError[] = [];
  if (!isObject(json)) return { ok: false, errors: [{ path: '$', reason: 'a campaign is a JSON object' }] };
  const name = json['name'];
  if (typeof name !== 'string' || name.trim() === '') errors.push({ path: '$.name', reason: 'must be a non-empty string' });
  const key = json['key'];
  if (key !== undefined && (typeof key !== 'string' || !KEY.test(key))) errors.push({ path: '$.key', reason: 'must be 1-64 letters, digits, _ . : or -' });
  const goal = json['goal'] ?? 'purchases';
  const goalOk = GOALS.find((g) => g === goal);
  if (goalOk === undefined) errors.push({ path: '$.goal', reason: `must be one of ${GOALS.join(', ')}` });

  const a = json['audience'];
  let audience: CampaignDefinition['audience'] | null = null;
  if (isObject(a) && typeof a['segment'] === 'string' && a['rule'] === undefined) audience = { segment: a['segment'] };
  else if (isObject(a) && a['rule'] !== undefined && a['segment'] === undefined) {
    const v = validateRule(a['rule']);
    if (v.ok) audience = { rule: v.rule };
    else for (const e of v.errors) errors.push({ path: `$.audience.rule${e.path.replace(/^\$/, '')}`, reason: e.reason });
  } else errors.push({ path: '$.audience', reason: 'must be {"segment": "ID"} or {"rule": {...}}' });

  const startsAt = json['starts_at'];
  if (typeof startsAt !== 'string' || !TIME.test(startsAt) || Number.isNaN(Date.parse(`${startsAt.replace(' ', 'T')}Z`))) {
    errors.push({ path: '$.starts_at', reason: 'must be a shop-local time YYYY-MM-DD HH:MM' });
  }

  const c = json['control'] ?? {};
  let control = { percent: 10, stratify_by_lifecycle: false };
  if (!isObject(c)) errors.push({ path: '$.control', reason: 'must be an object {percent, stratify_by_lifecycle}' });
  else {
    const pct = c['percent'] ?? 10;
    if (typeof pct !== 'number' || !(pct > 0 && pct < 100) || Math.round(pct * 100) !== pct * 100) {
      errors.push({ path: '$.control.percent', reason: 'must be a percentage above 0 and below 100 with at most 2 decimals (a campaign without a control group cannot be measured)' });
    } else control = { ...control, percent: pct };
    const s = c['stratify_by_lifecycle'] ?? false;
    if (typeof s !== 'boolean') errors.push({ path: '$.control.stratify_by_lifecycle', reason: 'must be true or false' });
    else control = { ...control, stratify_by_lifecycle: s };
  }
  const attribution = positiveInt(json['attribution_days'], '$.attribution_days', errors, 7, 365);
  const detect = json['detect_uplift_points'] ?? 1;
  if (typeof detect !== 'number' || !(detect > 0 && detect < 100)) errors.push({ path: '$.detect_uplift_points', reason: 'must be a number of percentage points above 0' });

  const k = json['cost'] ?? {};
  const perMessage: Record<string, string> = {};
  let perCoupon = '0';
  let fixed = '0';
  if (!isObject(k)) errors.push({ path: '$.cost', reason: 'must be an object {per_message, per_coupon, fixed}' });
  else {
    const pm = k['per_message'] ?? {};
    if (!isObject(pm)) errors.push({ path: '$.cost.per_message', reason: 'must map channel names to decimal strings' });
    else for (const [ch, v] of Object.entries(pm)) perMessage[ch] = money(v, `$.cost.per_message.${ch}`, errors);
    perCoupon = money(k['per_coupon'], '$.cost.per_coupon', errors);
    fixed = money(k['fixed'], '$.cost.fixed', errors);
  }

  let repeat: CampaignDefinition['repeat'];
  const r = json['repeat'];
  if (r !== undefined) {
    if (!isObject(r)) errors.push({ path: '$.repeat', reason: 'must be {every_days, runs}' });
    else repeat = { every_days: positiveInt(r['every_days'], '$.repeat.every_days', errors, 7, 366), runs: positiveInt(r['runs'] ?? 0, '$.repeat.runs', errors, 1, 520) };
  }

  const w = json['waves'];
  const waves: Wave[] = [];
  if (!Array.isArray(w) || w.length === 0) errors.push({ path: '$.waves', reason: 'a campaign needs at least one wave' });
  else {
    const earlier = new Set<string>();
    w.forEach((x, i) => {
      const wave = checkWave(x, `$.waves[${i}]`, earlier, errors);
      if (wave !== null) waves.push(wave);
    });
    const offsets = waves.map((x) => offsetMinutes(x.at));
    offsets.forEach((o, i) => {
      if (i > 0 && o < (offsets[i - 1] ?? o)) errors.push({ path: `$.waves[${i}].at`, reason: 'waves must be listed in time order' });
    });
  }
  if (repeat !== undefined && waves.length > 0) {
    // Run k attributes purchases from its first wave to T + attribution days; run k + 1 starts
    // every_days later. Overlapping windows would count one purchase in two runs.
    const first = Math.min(0, ...waves.map((x) => offsetMinutes(x.at)));
    const span = attribution * 1440 - first;
    if (span > repeat.every_days * 1440) {
      errors.push({
        path: '$.attribution_days',
        reason: `the attribution window (${(span / 1440).toFixed(2).replace(/\.00$/, '')} days from the first wave) is longer than the ${repeat.every_days} days between runs: consecutive runs would count the same purchases twice`,
      });
    }
  }
  if (errors.length > 0 || typeof name !== 'string' || goalOk === undefined || audience === null || typeof startsAt !== 'string' || typeof detect !== 'number') {
    return { ok: false, errors };
  }
  return {
    ok: true,
    campaign: {
      ...(typeof key === 'string' ? { key } : {}),
      name,
      goal: goalOk,
      audience,
      starts_at: startsAt.replace('T', ' ').slice(0, 16),
      control,
      attribution_days: attribution,
      cost: { per_message: perMessage, per_coupon: perCoupon, fixed },
      ...(repeat === undefined ? {} : { repeat }),
      detect_uplift_points: detect,
      waves,
    },
  };
}
