/**
 * Synthetic data generator: writes a realistic multi-channel retail dataset as
 * CSV files in the importer's canonical layouts (members, consents, products,
 * orders, order_lines, returns, events) plus truth.csv, the real person behind
 * every channel account, for scoring identity resolution. The same options give
 * the same bytes; memory does not grow with the number of members.
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Rng } from '../core/random.js';
import { productRow, POSTAGE } from './catalogue.js';
import { isStem, LAYOUTS, Sink, STEMS, type Stem } from './csv.js';
import { Out } from './emit.js';
import { MAX_MEMBERS } from './people.js';
import { simulatePerson } from './simulate.js';
import { World } from './world.js';

export { STEMS, LAYOUTS, type Stem } from './csv.js';
export { CHANNELS } from './world.js';
export { PLACEHOLDER_PHONE } from './people.js';

export interface GenerateOptions {
  members: number;
  days: number;
  seed: string | number;
  /** Output folder, created if missing. */
  out: string;
  /** First day, 'YYYY-MM-DD'; default '2024-01-01'. */
  start?: string;
  /** File stems to write (e.g. ['order_lines']); default all. Written files are identical either way. */
  only?: readonly string[];
  onProgress?: (p: { people: number; total: number }) => void;
}

export interface GenerateReport {
  out: string;
  seed: string;
  people: number;
  files: Record<string, { path: string; rows: number; bytes: number }>;
  seconds: number;
}

/** People simulated between checks for full buffers and progress reports. */
const BATCH = 256;

/**
 * Writes a synthetic dataset of `members` people over `days` days into `out`.
 * @example await generate({ members: 20000, days: 730, seed: 1, out: 'demo-data' })
 */
export async function generate(opts: GenerateOptions): Promise<GenerateReport> {
  const t0 = performance.now();
  const { members, days } = opts;
  if (!Number.isSafeInteger(members) || members < 0 || members > MAX_MEMBERS) throw new Error(`members must be a whole number from 0 to ${MAX_MEMBERS}`);
  if (!Number.isSafeInteger(days) || days < 1) throw new Error('days must be a positive whole number');
  const wanted = opts.only ?? STEMS;
  for (const s of wanted) if (!isStem(s)) throw new Error(`unknown file '${s}'; expected some of ${STEMS.join(', ')}`);
  const stems = STEMS.filter((s) => wanted.includes(s));

  const seed = String(opts.seed);
  const root = new Rng(seed);
  const world = new World(seed, root, members, opts.start ?? '2024-01-01', days);
  const dir = resolve(opts.out);
  await mkdir(dir, { recursive: true });
  const sinks: Partial<Record<Stem, Sink>> = {};
  for (const s of stems) sinks[s] = new Sink(join(dir, `${s}.csv`), LAYOUTS[s]);
  const all = Object.values(sinks);

  try {
    const products = sinks.products;
    if (products !== undefined) {
      for (const p of world.products) products.add(productRow(p, world.cal));
      products.add(productRow(POSTAGE, world.cal));
    }
    const out = new Out(sinks, world.cal, world.counters);
    const people = root.fork('people');
    for (let i = 0; i < members; i++) {
      simulatePerson(world, out, people, i);
      if ((i + 1) % BATCH === 0 || i + 1 === members) {
        for (const s of all) if (s.full) await s.flush();
        opts.onProgress?.({ people: i + 1, total: members });
      }
    }
  } finally {
    for (const s of all) await s.close();
  }

  const files: GenerateReport['files'] = {};
  for (const s of stems) {
    const sink = sinks[s];
    if (sink !== undefined) files[s] = { path: sink.path, rows: sink.rows, bytes: sink.bytes };
  }
  return { out: dir, seed, people: members, files, seconds: Math.round((performance.now() - t0) / 10) / 100 };
}
