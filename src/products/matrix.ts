/**
 * The product matrix (引流 / 利润 / 潜力 / 边缘): each product's traffic, conversion, sales, gross
 * margin, the new buyers it brings, its buyers' repeat rate and its price position, classed on
 * traffic and gross-margin rate, with the moves between classes since the previous period.
 */
import { namedStatements, sqlFile, str, type Db, type Row } from '../core/db/index.js';

const SQL = namedStatements(sqlFile(import.meta.url, 'matrix.sql'));

export const MATRIX_CLASSES = ['traffic_driver', 'profit_maker', 'potential', 'marginal'] as const;

/** Where the matrix splits its two axes (null: at the period's median). */
export interface MatrixSplits {
  readonly traffic: number | null;
  readonly marginRate: number | null;
}

/** One period's matrix. */
export interface MatrixPeriod {
  from: string;
  to: string;
  splits: Row;
  channels_without_views: Array<{ channel: string; note: string }>;
  products: Row[];
}

function shift(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86400000).toISOString().slice(0, 10);
}

/** The matrix of one period (temporary tables dropped afterwards). */
export async function matrixPeriod(db: Db, from: string, to: string, splits: MatrixSplits): Promise<MatrixPeriod> {
  try {
    await db.run(SQL('lines'), [from, to]);
    await db.run(SQL('views'), [from, to]);
    await db.run(SQL('compute'), [splits.traffic, splits.marginRate]);
    const without = await db.all(SQL('channels_without_views'));
    return {
      from,
      to,
      splits: (await db.one(SQL('splits'))) ?? {},
      channels_without_views: without.map((r) => ({
        channel: str(r, 'channel_id') ?? '',
        note: 'no product views recorded in the period: its buyers count as its traffic, and it has no conversion rate',
      })),
      products: await db.all(SQL('rows')),
    };
  } finally {
    for (const d of ['drop_lines', 'drop_views', 'drop_matrix']) await db.run(SQL(d));
  }
}

/**
 * The matrix of the period from..to and of the period of equal length before it, each split at
 * its own medians unless splits are given; every product carries its previous class, and
 * `movement` counts the products per (previous class, class).
 */
export async function productMatrix(db: Db, from: string, to: string, splits: MatrixSplits): Promise<Record<string, unknown>> {
  const days = Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86400000) + 1;
  const current = await matrixPeriod(db, from, to, splits);
  const previous = await matrixPeriod(db, shift(from, -days), shift(from, -1), splits);
  const before = new Map(previous.products.map((p) => [String(p['sku']), p['class'] ?? null]));
  const products: Row[] = current.products.map((p) => ({ ...p, previous_class: before.get(String(p['sku'])) ?? null }));
  const moves = new Map<string, number>();
  for (const p of products) {
    const key = `${String(p['previous_class'] ?? 'none')}\t${String(p['class'] ?? 'none')}`;
    moves.set(key, (moves.get(key) ?? 0) + 1);
  }
  const movement = [...moves]
    .map(([k, n]) => {
      const [a = '', b = ''] = k.split('\t');
      return { from_class: a, to_class: b, products: n };
    })
    .sort((x, y) => (x.from_class + x.to_class < y.from_class + y.to_class ? -1 : 1));
  return {
    period: { from, to },
    previous_period: { from: previous.from, to: previous.to },
    splits: current.splits,
    previous_splits: previous.splits,
    channels_without_views: current.channels_without_views,
    movement,
    products,
  };
}
