/**
 * Rows out of the simulation. Every id is assigned here whether or not its file
 * is being written, so writing a subset of files (`only`) leaves the content of
 * the written ones unchanged; formatting is skipped for files not written.
 */
import type { Calendar } from './calendar.js';
import type { Product } from './catalogue.js';
import { money, quote, type Sink, type Stem } from './csv.js';
import type { Account, Consent, Person } from './people.js';
import { CHANNELS, type ChannelIndex, type Counters } from './world.js';

const PREFIX = ['TM', 'JD', 'SP', 'WX', 'PO'] as const;

/** Optional columns of an events.csv row. */
export interface EventFields {
  session?: string;
  source?: string;
  sku?: string;
  category?: string;
  query?: string;
  dwell?: number;
  agent?: string;
  direction?: 'inbound' | 'outbound';
  words?: number;
  rating?: number;
  text?: string;
  order?: string;
  campaign?: string;
  coupon?: string;
  properties?: string;
}

export interface OrderRow {
  id: string;
  storeId: string;
  agent: string;
  created: number;
  paid: number;
  shipped: number;
  completed: number;
  cancelled: number;
  status: 'created' | 'paid' | 'shipped' | 'completed' | 'cancelled';
  itemTotal: number;
  discount: number;
  shipping: number;
  coupons: string;
}

export interface LineRow {
  product: Product;
  quantity: number;
  unitCents: number;
}

/** Formats rows into the sinks being written and hands out ids. */
export class Out {
  readonly members: Sink | null;
  readonly consents: Sink | null;
  readonly orders: Sink | null;
  readonly lines: Sink | null;
  readonly returns: Sink | null;
  readonly events: Sink | null;
  readonly truth: Sink | null;

  constructor(
    sinks: Partial<Record<Stem, Sink>>,
    private readonly cal: Calendar,
    private readonly ids: Counters,
  ) {
    this.members = sinks.members ?? null;
    this.consents = sinks.consents ?? null;
    this.orders = sinks.orders ?? null;
    this.lines = sinks.order_lines ?? null;
    this.returns = sinks.returns ?? null;
    this.events = sinks.events ?? null;
    this.truth = sinks.truth ?? null;
  }

  private stamp(t: number): string {
    return t === Infinity || Number.isNaN(t) ? '' : this.cal.stamp(t);
  }

  /** The next order id of a channel, in the channel's own style. */
  newOrderId(ch: ChannelIndex, storeId: string): string {
    const n = this.ids.next(this.ids.orders, ch);
    switch (ch) {
      case 0:
        return `3${String(n).padStart(15, '0')}`;
      case 1:
        return `2${String(n).padStart(11, '0')}`;
      case 2:
        return `5${String(n).padStart(12, '0')}`;
      case 3:
        return `WX${String(n).padStart(12, '0')}`;
      case 4:
        return `${storeId}-${String(n).padStart(9, '0')}`;
    }
  }

  /** The next browsing-session id of a channel. */
  newSession(ch: ChannelIndex): string {
    return `${PREFIX[ch]}S${this.ids.next(this.ids.sessions, ch)}`;
  }

  /** The members.csv row of an account (none for marketplace buyers known only from orders). */
  member(a: Account): void {
    if (!a.member) return;
    a.used = true;
    this.members?.add(`${a.channel},${a.externalId},${a.memberIds},${a.memberProfile},${this.stamp(a.reg)}`);
  }

  /** A consent as granted, and its withdrawal if any. */
  consent(a: Account, c: Consent): void {
    if (this.consents === null) return;
    this.consents.add(`${a.channel},${a.externalId},${c.contact},granted,${this.stamp(c.at)},${c.source}`);
    if (c.withdrawn !== Infinity) this.consents.add(`${a.channel},${a.externalId},${c.contact},withdrawn,${this.stamp(c.withdrawn)},unsubscribe`);
  }

  /** Which person an account belongs to. */
  truthRow(p: Person, a: Account): void {
    this.truth?.add(`${p.id},${a.channel},${a.externalId}`);
  }

  /** One order; `a` null makes a guest order without identifiers. */
  order(a: Account | null, ch: ChannelIndex, o: OrderRow, buyerName: string): void {
    if (a !== null) a.used = true;
    if (this.orders === null) return;
    const paid = o.paid !== Infinity;
    const ids = a === null ? ',,,,,' : a.buyerIds;
    this.orders.add(
      `${CHANNELS[ch]},${o.id},${ids},${buyerName},${o.storeId},${o.agent},${this.stamp(o.created)},${this.stamp(o.paid)},` +
        `${this.stamp(o.shipped)},${this.stamp(o.completed)},${this.stamp(o.cancelled)},${o.status},${money(o.itemTotal)},` +
        `${money(o.discount)},${money(o.shipping)},${paid ? money(o.itemTotal - o.discount + o.shipping) : ''},${o.coupons}`,
    );
  }

  /** One order line; amount = unit price x quantity. */
  line(ch: ChannelIndex, orderId: string, lineNo: number, l: LineRow): void {
    if (this.lines === null) return;
    const p = l.product;
    this.lines.add(
      `${CHANNELS[ch]},${orderId},${lineNo},${p.sku},${quote(p.name)},${p.lineType},${l.quantity},${money(l.unitCents)},` +
        `${money(l.unitCents * l.quantity)},${money(p.priceCents)},${money(p.costCents)}`,
    );
  }

  /** A return of several lines of one order; returns its id. */
  returned(a: Account | null, ch: ChannelIndex, orderId: string, items: ReadonlyArray<readonly [number, LineRow, number]>, reason: string, at: number): string {
    const id = `R${PREFIX[ch]}${this.ids.next(this.ids.returns, ch)}`;
    if (this.returns === null) return id;
    const ids = a === null ? ',,,,,' : a.buyerIds;
    const when = this.stamp(at);
    items.forEach(([orderLine, l, qty], i) => {
      this.returns?.add(`${CHANNELS[ch]},${id},${i + 1},${orderId},${orderLine},${ids},${l.product.sku},${l.product.lineType},${qty},${money(l.unitCents * qty)},${quote(reason)},${when}`);
    });
    return id;
  }

  /** One event; events after the end of the period are not recorded. */
  event(a: Account, type: string, at: number, f: EventFields): void {
    if (at >= this.cal.end) return;
    const n = this.ids.next(this.ids.events, a.ch);
    a.used = true;
    if (this.events === null) return;
    this.events.add(
      `${a.channel},${PREFIX[a.ch]}E${n},${type},${this.cal.stamp(at)},${a.eventIds},${f.session ?? ''},${f.source ?? ''},${f.sku ?? ''},` +
        `${f.category ?? ''},${f.query === undefined ? '' : quote(f.query)},${f.dwell ?? ''},${f.agent ?? ''},${f.direction ?? ''},` +
        `${f.words ?? ''},${f.rating ?? ''},${f.text === undefined ? '' : quote(f.text)},${f.order ?? ''},${f.campaign ?? ''},` +
        `${f.coupon ?? ''},${f.properties === undefined ? '' : quote(f.properties)}`,
    );
  }
}
