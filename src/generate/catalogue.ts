/**
 * The synthetic catalogue: SKUs with category, brand, list price and cost in
 * integer cents, launch day and popularity, plus one postage SKU. The shelf draws
 * products by popularity among those already launched on a given day, overall or
 * within a category, and the newest launches for novelty seekers, in O(log n).
 */
import type { Rng } from '../core/random.js';
import type { Calendar } from './calendar.js';
import { money, quote } from './csv.js';
import { ADJECTIVES, BRANDS, CATEGORIES } from './vocab.js';

export interface Product {
  readonly sku: string;
  readonly name: string;
  readonly category: number;
  readonly brand: number;
  readonly priceCents: number;
  readonly costCents: number;
  /** Day of launch, negative when before the period. */
  readonly launchDay: number;
  readonly weight: number;
  readonly lineType: 'product' | 'postage';
}

export const POSTAGE: Product = {
  sku: 'POSTAGE',
  name: '运费 Shipping fee',
  category: -1,
  brand: -1,
  priceCents: 800,
  costCents: 0,
  launchDay: -1000,
  weight: 0,
  lineType: 'postage',
};

/** Catalogue size for a population: one SKU per ten members, between 200 and 2000. */
export function catalogueSize(members: number): number {
  return Math.min(2000, Math.max(200, Math.round(members / 10)));
}

/** Makes `size` products; about a third launch during the period, the rest before it. */
export function makeCatalogue(rng: Rng, size: number, days: number): Product[] {
  const brandWeights = BRANDS.map((b) => b[3]);
  const products: Product[] = [];
  for (let i = 0; i < size; i++) {
    const category = rng.int(0, CATEGORIES.length - 1);
    const brand = rng.weighted(
      BRANDS.map((_, k) => k),
      brandWeights,
    );
    const [path, code, typical, spread, unit] = CATEGORIES[category] ?? CATEGORIES[0] ?? ['', 'XX', 9900, 0.3, ''];
    const [brandName, brandCode, position, popularity] = BRANDS[brand] ?? ['', 'XX', 1, 1];
    const yuan = Math.max(19, Math.round((typical / 100) * position * rng.logNormal(0, spread)));
    const priceCents = (yuan - (yuan % 10) + 9) * 100 - (rng.chance(0.1) ? 10 : 0);
    const costCents = Math.floor((priceCents * rng.int(18, 55)) / 100);
    // The first products always exist before the period, so every day has something to sell.
    const launchDay = i < 20 || rng.chance(0.65) ? -rng.int(1, 1000) : rng.int(0, Math.max(0, days - 1));
    const leaf = path.split(' > ')[1] ?? path;
    products.push({
      sku: `${brandCode}${code}${String(1000 + i).padStart(4, '0')}`,
      name: `${brandName} ${rng.pick(ADJECTIVES)} ${leaf} ${unit}`,
      category,
      brand,
      priceCents,
      costCents,
      launchDay,
      weight: (popularity / 10) * rng.int(1, size) ** -0.9,
      lineType: 'product',
    });
  }
  return products;
}

/** One products.csv row. */
export function productRow(p: Product, cal: Calendar): string {
  const path = p.category < 0 ? '' : (CATEGORIES[p.category]?.[0] ?? '');
  const brand = p.brand < 0 ? '' : (BRANDS[p.brand]?.[0] ?? '');
  return `${p.sku},${quote(p.name)},${quote(path)},${quote(brand)},${money(p.priceCents)},${money(p.costCents)},${cal.date(p.launchDay)},${p.lineType}`;
}

/** Products in launch order with cumulative popularity, for quick draws of what is on sale on a day. */
class LaunchList {
  readonly items: Product[];
  readonly launch: Int32Array;
  readonly cum: Float64Array;

  constructor(products: readonly Product[]) {
    this.items = [...products].sort((a, b) => a.launchDay - b.launchDay || (a.sku < b.sku ? -1 : 1));
    this.launch = Int32Array.from(this.items, (p) => p.launchDay);
    this.cum = new Float64Array(this.items.length);
    let s = 0;
    this.items.forEach((p, i) => {
      s += p.weight;
      this.cum[i] = s;
    });
  }

  /** How many products launched on or before the day. */
  available(day: number): number {
    let lo = 0;
    let hi = this.launch.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.launch[mid] ?? 0) <= day) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** A product among the first n, by popularity. */
  draw(rng: Rng, n: number): Product | undefined {
    const x = rng.next() * (this.cum[n - 1] ?? 0);
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.cum[mid] ?? 0) > x) hi = mid;
      else lo = mid + 1;
    }
    return this.items[lo];
  }
}

/** What is on the shelf on a given day. */
export class Shelf {
  private readonly all: LaunchList;
  private readonly byCategory: LaunchList[];

  constructor(readonly products: readonly Product[]) {
    this.all = new LaunchList(products);
    this.byCategory = CATEGORIES.map((_, c) => new LaunchList(products.filter((p) => p.category === c)));
  }

  /** A launched product, from the category when it has one on sale, else from the whole shelf. */
  draw(rng: Rng, day: number, category = -1): Product {
    const list = this.byCategory[category];
    if (list !== undefined) {
      const n = list.available(day);
      if (n > 0) {
        const p = list.draw(rng, n);
        if (p !== undefined) return p;
      }
    }
    const p = this.all.draw(rng, Math.max(1, this.all.available(day)));
    if (p === undefined) throw new Error('the catalogue is empty');
    return p;
  }

  /** A product launched in the 60 days up to the day, or undefined when there is none. */
  newest(rng: Rng, day: number): Product | undefined {
    const hi = this.all.available(day);
    const lo = this.all.available(day - 61);
    return hi > lo ? this.all.items[rng.int(lo, hi - 1)] : undefined;
  }
}
