/**
 * What every person of a generated dataset shares: the calendar, the catalogue,
 * the marketing campaigns (send time, contact channel, reach, coupon), the
 * customer-service agents (speed, verbosity, shift hours) and the running id
 * counters. All of it derives from the seed, never from which files are written.
 */
import type { Rng } from '../core/random.js';
import { Calendar, DAY } from './calendar.js';
import { catalogueSize, makeCatalogue, Shelf, type Product } from './catalogue.js';

export const CHANNELS = ['tmall', 'jd', 'shopify', 'wechat', 'pos'] as const;
export type Channel = (typeof CHANNELS)[number];
export type ChannelIndex = 0 | 1 | 2 | 3 | 4;
export const CONTACTS = ['sms', 'email', 'wechat', 'app_push'] as const;
export type Contact = (typeof CONTACTS)[number];

export interface Coupon {
  readonly valueCents: number;
  readonly thresholdCents: number;
  readonly days: number;
}

export interface Campaign {
  readonly id: string;
  readonly send: number;
  readonly via: Contact;
  /** Share of reachable accounts targeted. */
  readonly reach: number;
  readonly coupon: Coupon | null;
}

export interface Agent {
  readonly id: string;
  /** Median seconds to answer within shift hours. */
  readonly medianReply: number;
  /** Mean words per reply. */
  readonly words: number;
  /** Relative chance that an inquiry handled by this agent ends in an order. */
  readonly skill: number;
}

const COUPONS: readonly Coupon[] = [
  { valueCents: 2000, thresholdCents: 9900, days: 14 },
  { valueCents: 3000, thresholdCents: 19900, days: 10 },
  { valueCents: 5000, thresholdCents: 29900, days: 7 },
  { valueCents: 10000, thresholdCents: 59900, days: 7 },
];
/** The welcome coupon given on joining through an owned channel. */
export const WELCOME: Coupon = { valueCents: 1000, thresholdCents: 9900, days: 30 };

/** Fixed campaign dates (MM-DD): before 3.8, 618 and Double 11, and the December holidays. */
const KEY_DATES = ['03-06', '06-10', '06-17', '11-01', '11-10', '12-20'];

function makeCampaigns(rng: Rng, cal: Calendar): Campaign[] {
  const days: number[] = [];
  for (let d = rng.int(5, 20); d < cal.days; d += rng.int(18, 30)) days.push(d);
  for (let d = 0; d < cal.days; d++) if (KEY_DATES.includes(cal.date(d).slice(5))) days.push(d);
  days.sort((a, b) => a - b);
  const vias: Contact[] = [...CONTACTS];
  return days.map((d, i) => {
    const via = rng.weighted(vias, [35, 20, 30, 15]);
    const hour = via === 'email' ? rng.int(8, 11) : rng.int(10, 20);
    return {
      id: `CMP${String(i + 1).padStart(3, '0')}-${cal.date(d).replace(/-/g, '')}-${via.toUpperCase()}`,
      send: d * DAY + hour * 3600 + rng.int(0, 59) * 60,
      via,
      reach: 0.05 + rng.next() * 0.1,
      coupon: rng.chance(0.5) ? rng.pick(COUPONS) : null,
    };
  });
}

function makeAgents(rng: Rng): Agent[] {
  return Array.from({ length: 10 }, (_, i) => ({
    id: `A${String(i + 1).padStart(2, '0')}`,
    medianReply: Math.round(12 * rng.logNormal(1.2, 0.6)),
    words: rng.int(10, 45),
    skill: 0.6 + rng.next() * 0.8,
  }));
}

/** Running counters for ids that must be unique per channel. */
export class Counters {
  /** Last number handed out per channel. */
  readonly orders = new Float64Array(CHANNELS.length);
  readonly events = new Float64Array(CHANNELS.length);
  readonly returns = new Float64Array(CHANNELS.length);
  readonly sessions = new Float64Array(CHANNELS.length);
  coupons = 0;

  /** The next number of a kind on a channel. */
  next(kind: Float64Array, ch: ChannelIndex): number {
    const n = (kind[ch] ?? 0) + 1;
    kind[ch] = n;
    return n;
  }
}

/** The shared, seed-derived setting of one generated dataset. */
export class World {
  readonly cal: Calendar;
  readonly products: readonly Product[];
  readonly shelf: Shelf;
  readonly campaigns: readonly Campaign[];
  readonly agents: readonly Agent[];
  readonly counters = new Counters();
  /** Offsets that make identifiers differ between seeds. */
  readonly idSalt: number;

  constructor(
    readonly seed: string,
    readonly root: Rng,
    readonly members: number,
    start: string,
    days: number,
  ) {
    this.cal = new Calendar(start, days, root.fork('calendar'));
    this.products = makeCatalogue(root.fork('catalogue'), catalogueSize(members), days);
    this.shelf = new Shelf(this.products);
    this.campaigns = makeCampaigns(root.fork('campaigns'), this.cal);
    this.agents = makeAgents(root.fork('agents'));
    this.idSalt = root.fork('ids').int(0, 1_000_000_000);
  }

  /** When an agent answers a message sent at t: minutes in shift (09:00-23:00), else after the next shift starts. */
  replyAt(rng: Rng, agent: Agent, t: number): number {
    const day = Math.floor(t / DAY);
    const sec = t - day * DAY;
    const delay = Math.max(3, Math.round(agent.medianReply * rng.logNormal(0, 0.8)));
    if (sec >= 9 * 3600 && sec < 23 * 3600) return t + delay;
    const opens = (sec < 9 * 3600 ? day : day + 1) * DAY + 9 * 3600;
    return opens + rng.int(0, 1800) + delay;
  }
}
