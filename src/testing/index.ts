/** Shared helpers for tests: temporary folders and databases, dataset location, CSV reading. */
import { mkdtempSync, rmSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fixedClock, type Clock } from '../core/clock.js';
import type { Db } from '../core/db/index.js';
import { importFile, type ImportOptions, type ImportReport, type RowAccount } from '../ingest/index.js';
import { parseCsv } from '../core/csv.js';
import { openRegulars } from '../open.js';
import { openOps, type OpStore } from '../ops/index.js';

export const clock: Clock = fixedClock('2026-01-01T00:00:00Z');

/** Project root (dist/testing/ is two levels down). */
export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

export interface Sandbox {
  dir: string;
  db: Db;
  /** The operational store beside it (test.sqlite). */
  ops: OpStore;
  write(name: string, content: string | Buffer): string;
  import(file: string, opts?: ImportOptions): Promise<ImportReport>;
  close(): void;
}

/** A fresh folder with a fresh database file in it; close() removes both. */
export async function sandbox(): Promise<Sandbox> {
  const dir = mkdtempSync(join(tmpdir(), 'regulars-test-'));
  const db = await openRegulars(join(dir, 'test.duckdb'));
  const ops = await openOps({ sqlite: join(dir, 'test.sqlite') });
  return {
    dir,
    db,
    ops,
    write(name, content) {
      const p = join(dir, name);
      writeFileSync(p, content);
      return p;
    },
    import(file, opts = {}) {
      return importFile(db, clock, file, { rejectsDir: join(dir, 'rejects'), ...opts });
    },
    close() {
      db.close();
      void ops.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Where the shared real datasets are, or a skip reason (a failure under CI). */
export function datasets(relative: string): { path: string } | { skip: string } {
  const base = process.env['REGULARS_DATASETS'] ?? resolve(ROOT, '..', 'shared', 'datasets');
  const p = join(base, relative);
  if (existsSync(p)) return { path: p };
  const reason = `dataset ${relative} not found under ${base} (set REGULARS_DATASETS)`;
  if (process.env['CI'] !== undefined) throw new Error(`${reason}; CI must not skip dataset tests`);
  return { skip: reason };
}

/**
 * Where a Chromium for the browser tests is (REGULARS_CHROMIUM, else Debian's package `chromium`
 * at /usr/bin/chromium), or a skip reason; under CI a missing browser is a failure, not a skip.
 */
export function chromiumPath(): { path: string } | { skip: string } {
  const candidates = [process.env['REGULARS_CHROMIUM'], '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((p): p is string => p !== undefined && p !== '');
  const found = candidates.find((p) => existsSync(p));
  if (found !== undefined) return { path: found };
  const reason = `no Chromium found (install Debian's package chromium, or set REGULARS_CHROMIUM to a Chromium binary); looked at ${candidates.join(', ')}`;
  if (process.env['CI'] !== undefined) throw new Error(`${reason}; CI must not skip browser tests`);
  return { skip: reason };
}

/** The flags the browser tests start Chromium with (headless, no sandbox, nothing in the background). */
export const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export { parseCsv } from '../core/csv.js';

export function readCsv(path: string): Array<Record<string, string>> {
  const [header = [], ...rows] = parseCsv(readFileSync(path, 'utf8'));
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
}

/** Number of rows a query returns as a plain number. */
export async function countOf(db: Db, sql: string, params: Array<string | number> = []): Promise<number> {
  const row = await db.one(`SELECT count(*) AS n FROM (${sql})`, params);
  return Number(row?.['n'] ?? 0);
}

/** Sum of the report's outcome counts: must equal rows_read. */
export function accounted(r: RowAccount): number {
  return r.loaded + r.guest + r.return + r.non_product + r.rejected + r.duplicate + r.updated + r.conflict + r.skipped;
}
