#!/usr/bin/env node
// Import benchmarks. Each prints data size, time, rows/s, peak RSS and a ratio against
// DuckDB's plain read_csv of the same file measured in the same run.
//   node bench/import.js online-retail     Online Retail (needs $REGULARS_DATASETS)
//   node bench/import.js generated [--lines 10000000]   a generated order_lines file
import { mkdtempSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { openRegulars } from '../dist/open.js';
import { importFile } from '../dist/ingest/index.js';
import { fixedClock } from '../dist/core/clock.js';

const which = process.argv[2] ?? 'online-retail';
const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
};
const work = mkdtempSync(join(tmpdir(), 'regulars-bench-'));
const mb = () => Math.round(process.resourceUsage().maxRSS / 1024);
const fmt = (n) => Math.round(n).toLocaleString('en-US');

async function plainReadCsv(file, inFile) {
  const dbPath = inFile ? join(work, 'baseline.duckdb') : ':memory:';
  const instance = await DuckDBInstance.create(dbPath);
  const conn = await instance.connect();
  const t = performance.now();
  await conn.run(`CREATE TABLE x AS SELECT * FROM read_csv('${file.replace(/'/g, "''")}')`);
  const secs = (performance.now() - t) / 1000;
  conn.closeSync();
  instance.closeSync();
  if (inFile) rmSync(dbPath, { force: true });
  return secs;
}

async function regularsImport(file, opts) {
  const db = await openRegulars(join(work, 'bench.duckdb'));
  const t = performance.now();
  const report = await importFile(db, fixedClock('2026-01-01T00:00:00Z'), file, { rejectsDir: join(work, 'rejects'), ...opts });
  const secs = (performance.now() - t) / 1000;
  db.close();
  return { secs, report };
}

async function run(file, opts, label) {
  const size = statSync(file).size;
  const memory = await plainReadCsv(file, false);
  const onDisk = await plainReadCsv(file, true);
  const { secs, report } = await regularsImport(file, opts);
  console.log(`${label}: ${fmt(report.rows_read)} rows, ${(size / 1e6).toFixed(1)} MB on disk`);
  console.log(
    `  regulars import          ${secs.toFixed(2)} s  (${fmt(report.rows_read / secs)} rows/s; loaded ${fmt(report.loaded)}, guest ${fmt(report.guest)}, return ${fmt(report.return)}, non-product ${fmt(report.non_product)}, rejected ${fmt(report.rejected)})`,
  );
  console.log(`  read_csv into a db file  ${onDisk.toFixed(2)} s  -> ratio ${(secs / onDisk).toFixed(2)}x`);
  console.log(`  read_csv into memory     ${memory.toFixed(2)} s  -> ratio ${(secs / memory).toFixed(2)}x`);
  console.log(`  peak RSS ${mb()} MB`);
}

try {
  if (which === 'online-retail') {
    const base = process.env.REGULARS_DATASETS ?? resolve('..', 'shared', 'datasets');
    const file = join(base, 'online-retail', 'online_retail.csv.gz');
    if (!existsSync(file)) throw new Error(`${file} not found (set REGULARS_DATASETS)`);
    await run(file, { preset: 'online-retail' }, 'Online Retail (online_retail.csv.gz)');
  } else if (which === 'generated') {
    const lines = Number(arg('lines', '10000000'));
    const { generate } = await import('../dist/generate/index.js');
    // The generator gives about 6.2 order lines per member over two years; order lines only.
    const members = Number(arg('members', String(Math.ceil(lines / 6.19))));
    const t = performance.now();
    const g = await generate({ members, days: 730, seed: 'bench', out: join(work, 'gen'), only: ['order_lines'] });
    const f = g.files['order_lines'];
    console.log(`generated ${fmt(f.rows)} order lines for ${fmt(members)} members in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    await run(f.path, { preset: 'regulars' }, 'generated order_lines.csv');
  } else {
    throw new Error(`unknown benchmark ${which}; use online-retail or generated`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
