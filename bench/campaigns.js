#!/usr/bin/env node
// Campaign launch at scale, for every member of the base as the audience:
//   1. audience freeze + 10% control by md5 bucket,
//   2. the same stratified by lifecycle stage (exact share per stage),
//   3. a whole launch: freeze + control + planning one wave's sends for the treated members.
// Baseline in the same run: copying the member IDs into a table.
//   node bench/campaigns.js [--db FILE] [--runs 3]
// Default database: a copy of the segment benchmark's 1M-member database.
import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { openStores } from '../dist/open.js';
import { createCampaign, freezeAudience, getCampaign, launchCampaign } from '../dist/campaigns/index.js';
import { fixedClock } from '../dist/core/clock.js';
import { defaultAsOf } from '../dist/analytics/index.js';

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
};
const runs = Number(arg('runs', '3'));
let dbFile = arg('db', undefined);
if (dbFile === undefined) {
  const source = join('.bench', 'segments-1m.duckdb');
  dbFile = join('.bench', 'campaigns-1m.duckdb');
  if (!existsSync(dbFile)) {
    if (!existsSync(source)) throw new Error(`no ${source}: run node bench/segments.js first (it copies the 1M refresh database)`);
    copyFileSync(source, dbFile);
  }
}
const { db, ops, close } = await openStores(dbFile, null);
const clock = fixedClock('2026-11-01T10:00:00Z');
const asOf = await defaultAsOf(db, clock);
const members = Number((await db.one('SELECT count(*) AS n FROM members'))?.n ?? 0);
const everyone = { kind: 'lifecycle', stages: ['Suspect', 'Prospect', 'New', 'Regular', 'Fan', 'Holding', 'Lapsed'] };
console.log(`campaign launch: ${members.toLocaleString('en-US')} members in the base; audience = every member with a lifecycle stage, as of ${asOf}; median of ${runs} runs`);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function time(fn) {
  const t = [];
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    await fn();
    t.push(performance.now() - s);
  }
  return median(t);
}

const base = await time(() => db.run('CREATE OR REPLACE TABLE bench_copy AS SELECT member_id FROM members'));
await db.run('DROP TABLE IF EXISTS bench_copy');

let seq = 0;
const campaign = async (control) => {
  const c = await createCampaign(ops, clock, {
    name: `bench ${++seq} ${Date.now()}`,
    audience: { rule: everyone },
    starts_at: '2026-11-11 10:00',
    control,
    waves: [{ id: 'sms', channel: 'sms', at: '-1d', template: { text: 'Sale tomorrow' } }],
  });
  return c.campaign_id;
};
const freezeOnly = async (control) => {
  const id = await campaign(control);
  const def = (await getCampaign(ops, id)).definition;
  await db.transaction(() => freezeAudience(db, ops, id, 1, def, asOf, '2026-11-01 10:00:00'));
  return id;
};
const sizes = async (id) => {
  const r = await db.one("SELECT count(*) AS n, count(*) FILTER (WHERE grp = 'control') AS c FROM campaign_members WHERE campaign_id = $1", [id]);
  return `${Number(r.n).toLocaleString('en-US')} frozen, ${Number(r.c).toLocaleString('en-US')} control`;
};

let last = '';
const shapes = [
  ['freeze + 10% control (md5 bucket)', async () => (last = await freezeOnly({ percent: 10 }))],
  ['freeze + 10% control stratified by lifecycle', async () => (last = await freezeOnly({ percent: 10, stratify_by_lifecycle: true }))],
  [
    'launch: freeze + control + plan one wave',
    async () => {
      last = await campaign({ percent: 10 });
      await launchCampaign(db, ops, clock, last, { asOf });
    },
  ],
];
for (const [name, fn] of shapes) {
  const ms = await time(fn);
  const planned = Number((await db.one('SELECT count(*) AS n FROM campaign_sends WHERE campaign_id = $1', [last])).n);
  console.log(
    `  ${name.padEnd(48)} ${(ms / 1000).toFixed(2)} s  ${(ms / base).toFixed(1)}x baseline  (${await sizes(last)}${planned > 0 ? `, ${planned.toLocaleString('en-US')} sends planned` : ''})`,
  );
}
console.log(`  ${'baseline: copy the member IDs into a table'.padEnd(48)} ${(base / 1000).toFixed(2)} s`);
await close();
