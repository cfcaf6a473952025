/**
 * Time for the generator. Times are whole seconds since 00:00:00 of the first day
 * (shop-local, no zone). The calendar formats them, and holds the shape of demand:
 * a daily intensity (weekday pattern, mild growth, 3.8 Women's Day, 520, 618,
 * Double 11, Double 12, December holidays and a few seeded promotions), its
 * cumulative sum (used to draw purchase times from a person's rate), the price cut
 * of each day, and hour-of-day profiles for online and in-store shopping.
 */
import { type Rng, WeightedTable } from '../core/random.js';

export const DAY = 86400;

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

let clock: string[] | null = null;
/** 'HH:MM:SS' for every second of a day, built once. */
function clockStrings(): string[] {
  if (clock === null) {
    clock = new Array<string>(DAY);
    for (let s = 0; s < DAY; s++) clock[s] = `${pad2(Math.floor(s / 3600))}:${pad2(Math.floor(s / 60) % 60)}:${pad2(s % 60)}`;
  }
  return clock;
}

const ONLINE_HOURS = [3, 1.6, 0.8, 0.4, 0.3, 0.4, 0.9, 1.8, 2.8, 3.8, 4.4, 5, 5.8, 5, 4.4, 4.4, 4.5, 4.6, 5, 6, 7.4, 8.8, 8.6, 6.2];
const STORE_HOURS = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 5, 6, 6, 6.5, 7, 7.5, 8, 8.5, 9, 8, 5, 0, 0];
const MEGA_HOURS = ONLINE_HOURS.map((w, h) => (h === 0 ? 30 : h === 1 ? 9 : w));
const HOURS = Array.from({ length: 24 }, (_, h) => h);
/** Weekday demand, indexed by Date.getUTCDay() (0 = Sunday). */
const WEEKDAY = [1.1, 0.92, 0.92, 0.95, 0.97, 1.02, 1.12];

/** Demand multiplier and price cut (percent) of a calendar day, before seeded promotions. */
function festival(month: number, mday: number): [number, number] {
  if (month === 6) {
    if (mday === 18) return [4.5, 20];
    if (mday >= 16 && mday <= 17) return [1.8, 12];
    if (mday <= 15) return [1.3, 10];
    if (mday <= 21) return [0.75, 0];
  }
  if (month === 11) {
    if (mday === 11) return [6, 25];
    if (mday <= 10) return [1.4, 10];
    if (mday <= 14) return [0.7, 0];
  }
  if (month === 10 && mday >= 24) return [1.25, 10];
  if (month === 12 && mday === 12) return [2.2, 15];
  if (month === 12 && mday >= 20) return [1.35, 8];
  if (month === 3 && mday === 8) return [2, 15];
  if (month === 5 && mday === 20) return [1.6, 10];
  return [1, 0];
}

/** The calendar of one generated period. */
export class Calendar {
  readonly days: number;
  /** First second after the period. */
  readonly end: number;
  /** Daily demand for ordinary shoppers and for deal seekers (each averages 1 per day). */
  readonly intensity: Float64Array;
  /** Cumulative demand: cum[d] = sum of intensity before day d; length days + 1. */
  readonly cumNormal: Float64Array;
  readonly cumDeal: Float64Array;
  /** Percent taken off list prices on each day. */
  readonly cut: Uint8Array;
  /** Days of 618 and Double 11 themselves. */
  readonly mega: Uint8Array;
  readonly months: Uint8Array;
  private readonly startMs: number;
  private readonly dates: string[];
  private readonly clock = clockStrings();
  private readonly online = new WeightedTable(HOURS, ONLINE_HOURS);
  private readonly store = new WeightedTable(HOURS, STORE_HOURS);
  private readonly megaHours = new WeightedTable(HOURS, MEGA_HOURS);

  constructor(start: string, days: number, rng: Rng) {
    const ms = /^\d{4}-\d{2}-\d{2}$/.test(start) ? Date.parse(`${start}T00:00:00Z`) : NaN;
    if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== start) throw new Error(`start must be a date as YYYY-MM-DD, got '${start}'`);
    this.startMs = ms;
    this.days = days;
    this.end = days * DAY;
    this.dates = new Array<string>(days);
    this.intensity = new Float64Array(days);
    this.cut = new Uint8Array(days);
    this.mega = new Uint8Array(days);
    this.months = new Uint8Array(days);
    const promo = new Uint8Array(days);
    for (let d = rng.int(10, 30); d < days; d += rng.int(30, 50)) {
      const len = rng.int(2, 3);
      for (let k = d; k < Math.min(days, d + len); k++) promo[k] = 1;
    }
    const deal = new Float64Array(days);
    for (let d = 0; d < days; d++) {
      const dt = new Date(ms + d * DAY * 1000);
      this.dates[d] = dt.toISOString().slice(0, 10);
      const month = dt.getUTCMonth() + 1;
      this.months[d] = month;
      let [f, cut] = festival(month, dt.getUTCDate());
      if (cut > 0 && f >= 4) this.mega[d] = 1;
      if (promo[d] === 1 && cut === 0 && f === 1) {
        f = 1.8;
        cut = 12;
      }
      this.cut[d] = cut;
      const base = (WEEKDAY[dt.getUTCDay()] ?? 1) * (1 + (0.25 * d) / days) * Math.exp(rng.normal(0, 0.08));
      this.intensity[d] = base * f;
      deal[d] = base * f ** 1.8;
    }
    normalise(this.intensity);
    normalise(deal);
    this.cumNormal = cumulate(this.intensity);
    this.cumDeal = cumulate(deal);
  }

  /** 'YYYY-MM-DD' of a day index (negative before the period). */
  date(day: number): string {
    return this.dates[day] ?? new Date(this.startMs + day * DAY * 1000).toISOString().slice(0, 10);
  }

  /** 'YYYY-MM-DD HH:MM:SS' of a time in seconds since the start. */
  stamp(t: number): string {
    const day = Math.floor(t / DAY);
    return `${this.date(day)} ${this.clock[t - day * DAY] ?? ''}`;
  }

  /** A time of day in seconds, from the hour profile of the channel (stores keep opening hours; 618 and Double 11 peak at midnight). */
  timeOfDay(rng: Rng, inStore: boolean, day: number): number {
    const table = inStore ? this.store : this.mega[day] === 1 ? this.megaHours : this.online;
    return table.sample(rng) * 3600 + rng.int(0, 3599);
  }

  /** Demand accumulated from the start up to time t (operational time). */
  opTime(cum: Float64Array, t: number): number {
    if (t <= 0) return 0;
    const day = Math.floor(t / DAY);
    if (day >= this.days) return cum[this.days] ?? 0;
    const a = cum[day] ?? 0;
    return a + ((cum[day + 1] ?? a) - a) * ((t - day * DAY) / DAY);
  }

  /** The day on which accumulated demand reaches u, or -1 when it is beyond the period. */
  dayAt(cum: Float64Array, u: number): number {
    if (u >= (cum[this.days] ?? 0)) return -1;
    // The first day d with cum[d + 1] > u.
    let lo = 0;
    let hi = this.days - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((cum[mid + 1] ?? 0) > u) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}

function normalise(xs: Float64Array): void {
  let s = 0;
  for (const x of xs) s += x;
  const k = xs.length / s;
  for (let i = 0; i < xs.length; i++) xs[i] = (xs[i] ?? 0) * k;
}

function cumulate(xs: Float64Array): Float64Array {
  const c = new Float64Array(xs.length + 1);
  for (let i = 0; i < xs.length; i++) c[i + 1] = (c[i] ?? 0) + (xs[i] ?? 0);
  return c;
}
