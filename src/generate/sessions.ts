/**
 * Online behaviour around a moment of shopping: a visit from a traffic source,
 * searches, product views with dwell time, cart and favourite clicks, and
 * conversations with customer-service agents (inbound questions, outbound
 * answers after the agent's response time, outside shift hours the next morning).
 */
import type { Rng } from '../core/random.js';
import type { Product } from './catalogue.js';
import type { Out } from './emit.js';
import type { Account, Person } from './people.js';
import { CATEGORIES, GENERIC_QUERIES, QUERIES } from './vocab.js';
import type { Agent, World } from './world.js';

/** What a person's simulation step needs. */
export interface Ctx {
  readonly w: World;
  readonly out: Out;
  readonly rng: Rng;
  readonly p: Person;
}

const SOURCES = ['search', 'ads', 'affiliate', 'social', 'community', 'direct'] as const;
const SOURCE_W: ReadonlyArray<readonly number[]> = [
  [45, 22, 10, 10, 3, 10],
  [45, 25, 10, 5, 2, 13],
  [30, 25, 8, 17, 5, 15],
  [5, 10, 5, 40, 25, 15],
  [0, 0, 0, 0, 0, 1],
];

/** 'Skincare > Serum' for a product ('' for postage). */
export function categoryPath(p: Product): string {
  return CATEGORIES[p.category]?.[0] ?? '';
}

function query(rng: Rng, p: Product): string {
  const code = CATEGORIES[p.category]?.[1] ?? '';
  const words = QUERIES[code];
  return words === undefined || rng.chance(0.2) ? rng.pick(GENERIC_QUERIES) : rng.pick(words);
}

/**
 * A visit that ends at `until` (an order, or leaving): visit, maybe a search, views of the
 * products, maybe cart and favourite. Returns the session id.
 */
export function visit(c: Ctx, a: Account, until: number, products: readonly Product[], buying: boolean, campaign: string): string {
  const { rng, out } = c;
  const session = out.newSession(a.ch);
  const start = Math.max(a.reg, 0, until - rng.int(90, 2400));
  const source = campaign !== '' ? 'direct' : rng.weighted(SOURCES, SOURCE_W[a.ch] ?? [1, 1, 1, 1, 1, 1]);
  out.event(a, 'visit', start, campaign !== '' ? { session, source, campaign } : { session, source });
  const first = products[0];
  if (first === undefined || (!buying && rng.chance(0.3))) return session;
  const span = Math.max(1, until - start);
  if (rng.chance(0.3)) out.event(a, 'search', start + rng.int(0, Math.min(60, span)), { session, query: query(rng, first) });
  products.forEach((p, i) => {
    if (i > 0 && rng.chance(buying ? 0.65 : 0.3)) return;
    const dwell = Math.max(2, Math.round(rng.logNormal(3.6, 0.8)));
    out.event(a, 'view', start + rng.int(0, span), { session, sku: p.sku, category: categoryPath(p), dwell });
    if (rng.chance(0.04)) out.event(a, 'favourite', start + rng.int(0, span), { session, sku: p.sku, category: categoryPath(p) });
  });
  if (rng.chance(buying ? 0.5 : 0.15)) {
    out.event(a, 'cart', Math.max(start, until - rng.int(20, 300)), { session, sku: first.sku, category: categoryPath(first) });
  }
  return session;
}

/** A conversation with an agent starting at t about a product; returns the agent and the time of the last answer. */
export function inquiry(c: Ctx, a: Account, t: number, p: Product, session: string): { agent: Agent; last: number } {
  const { rng, out, w } = c;
  const agent = rng.pick(w.agents);
  let at = t;
  const rounds = rng.int(1, 3);
  for (let r = 0; r < rounds; r++) {
    out.event(a, 'inquiry', at, { session, sku: p.sku, agent: agent.id, direction: 'inbound', words: rng.int(3, 40) });
    at = w.replyAt(rng, agent, at);
    const words = Math.max(2, Math.round(agent.words * rng.logNormal(0, 0.4)));
    out.event(a, 'inquiry', at, { session, sku: p.sku, agent: agent.id, direction: 'outbound', words });
    at += rng.int(20, 240);
  }
  return { agent, last: at };
}
