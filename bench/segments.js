#!/usr/bin/env node
// Segment count latency: several rule shapes counted against a member base, each timed
// repeatedly, against `SELECT count(*) FROM members` measured in the same run.
//   node bench/segments.js [--db FILE] [--runs 15]
// Default database: a copy of the refresh benchmark's 1M-member database (node bench/refresh.js --size 1m --setup-only).
import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { openRegulars } from '../dist/open.js';
import { compileSegment, countSegment, parseRule } from '../dist/segments/index.js';
import { defaultAsOf, refresh } from '../dist/analytics/index.js';
import { systemClock } from '../dist/core/clock.js';

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
};
const runs = Number(arg('runs', '15'));
let dbFile = arg('db', undefined);
if (dbFile === undefined) {
  const source = join('.bench', 'refresh-1000000-2800', 'regulars.duckdb');
  dbFile = join('.bench', 'segments-1m.duckdb');
  if (!existsSync(dbFile)) {
    if (!existsSync(source)) throw new Error(`no ${source}: run node bench/refresh.js --size 1m --setup-only first`);
    copyFileSync(source, dbFile);
  }
}
const db = await openRegulars(dbFile);
if (Number((await db.one('SELECT count(*) AS n FROM member_lifecycle'))?.n ?? 0) === 0) {
  console.log('no stored analytics: refreshing once ...');
  await refresh(db, systemClock);
}
const asOf = await defaultAsOf(db, systemClock);
const n = (await db.one('SELECT count(*) AS m FROM members'))?.m;
console.log(`segment count latency: ${Number(n).toLocaleString('en-US')} members, as of ${asOf}, ${runs} runs each (best of the first is dropped as warm-up)`);

const SHAPES = {
  'lifecycle stage': { kind: 'lifecycle', stages: ['Holding', 'Lapsed'] },
  'RFM groups': { kind: 'rfm', r: [4, 5], f: [3, 5] },
  'attribute + consent': {
    kind: 'and',
    rules: [
      { kind: 'attribute', field: 'gender', op: 'eq', value: 'F' },
      { kind: 'consent', channel: 'sms', status: 'granted' },
    ],
  },
  'viewed twice in 7 days': { kind: 'behaviour', event: 'view', days: 7, op: 'gte', count: 2 },
  'carted, not ordered (7 days)': { kind: 'journey', state: 'carted_not_ordered', days: 7 },
  'spend >= 500 in 365 days': { kind: 'purchase', fact: 'spend', op: 'gte', value: '500', days: 365 },
  'stage + RFM + not tag': {
    kind: 'and',
    rules: [
      { kind: 'lifecycle', stages: ['Regular', 'Fan'] },
      { kind: 'rfm', m: [4, 5] },
      { kind: 'not', rule: { kind: 'tag', tag: 'price_sensitivity', value: 'high' } },
    ],
  },
};

async function time(fn) {
  const t = [];
  for (let i = 0; i < runs + 1; i++) {
    const s = performance.now();
    await fn();
    t.push(performance.now() - s);
  }
  t.shift();
  t.sort((a, b) => a - b);
  return { p50: t[Math.floor(t.length / 2)], p95: t[Math.min(t.length - 1, Math.ceil(t.length * 0.95) - 1)] };
}
const base = await time(() => db.one('SELECT count(*) FROM members'));
console.log(`  ${'baseline: count(*) FROM members'.padEnd(36)} p50 ${base.p50.toFixed(1)} ms  p95 ${base.p95.toFixed(1)} ms`);
for (const [label, json] of Object.entries(SHAPES)) {
  const rule = parseRule(json);
  compileSegment(rule, asOf);
  let members = 0;
  const t = await time(async () => {
    members = await countSegment(db, rule, asOf);
  });
  console.log(`  ${label.padEnd(36)} p50 ${t.p50.toFixed(1)} ms  p95 ${t.p95.toFixed(1)} ms  (${members.toLocaleString('en-US')} members; p95 ${(t.p95 / base.p95).toFixed(0)}x baseline)`);
}
console.log('goal: a live count under 300 ms at 1M members');
db.close();
