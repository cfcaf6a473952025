#!/usr/bin/env node
// The demo: generate a modest synthetic merchant (about 20k members over two years), import it
// into a fresh database, print the member base, then serve it (with --no-serve: stop there).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const args = process.argv.slice(2);
const noServe = args.includes('--no-serve');
const option = (name, def) => (args.includes(name) ? (args[args.indexOf(name) + 1] ?? def) : def);
// --members and --dir make a smaller demo elsewhere (the test that runs it twice).
const members = option('--members', '20000');
const dir = option('--dir', 'demo-data');
const db = join(dir, 'regulars.duckdb');
const cli = join('bin', 'regulars.js');
const t0 = performance.now();

function regulars(...argv) {
  const r = spawnSync(process.execPath, [cli, ...argv], { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`demo: 'regulars ${argv.join(' ')}' failed (exit ${r.status ?? 'signal'})`);
    process.exit(r.status ?? 1);
  }
}

console.log(`== generating a synthetic merchant: ${Number(members).toLocaleString('en-US')} members, 730 days, seed 42`);
regulars('generate', '--members', members, '--days', '730', '--seed', '42', '--start', '2024-01-01', '--out', dir);
// Both stores start fresh: the analytical file and the operational SQLite file beside it.
const ops = join(dir, 'regulars.sqlite');
for (const f of [db, `${db}.wal`, ops, `${ops}-wal`, `${ops}-shm`]) if (existsSync(f)) rmSync(f);
const files = ['products', 'members', 'consents', 'orders', 'order_lines', 'returns', 'events'].map((s) => join(dir, `${s}.csv`));
console.log(`\n== importing into ${db}`);
regulars('import', ...files, '--preset', 'regulars', '--db', db, '--rejects', join(dir, 'rejects'));
console.log('\n== refreshing analytics (KPI tree, seven links, RFM, repeat purchase, cohorts, lifecycle, migration, tags, weekly review)');
regulars('refresh', '--db', db);
{
  // The weekly review: written as Markdown and HTML; its headline printed here.
  const r = spawnSync(process.execPath, [cli, 'analyze', 'review', '--db', db, '--out', join(dir, 'reviews'), '--json'], { stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) {
    console.error(`demo: 'regulars analyze review' failed (exit ${r.status ?? 'signal'})`);
    process.exit(r.status ?? 1);
  }
  const md = JSON.parse(r.stdout.toString('utf8')).result.markdown;
  console.log(md.split('\n\n').slice(0, 2).join('\n\n'));
}
{
  // Two saved segments with a first snapshot, and one report split by them.
  console.log('\n== segments: saved, snapshotted, and the repeat report split by segment');
  for (const [name, rule] of [
    [
      'Lapsed high spenders',
      {
        kind: 'and',
        rules: [
          { kind: 'lifecycle', stages: ['Lapsed'] },
          { kind: 'purchase', fact: 'spend', op: 'gte', value: '1000.00' },
        ],
      },
    ],
    [
      'Fans and regulars, SMS ok',
      {
        kind: 'and',
        rules: [
          { kind: 'lifecycle', stages: ['Fan', 'Regular'] },
          { kind: 'consent', channel: 'sms', status: 'granted' },
        ],
      },
    ],
  ]) {
    const made = spawnSync(process.execPath, [cli, 'segments', 'create', '--name', name, '--rule', JSON.stringify(rule), '--db', db, '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
    if (made.status !== 0) process.exit(made.status ?? 1);
    regulars('segments', 'snapshot', JSON.parse(made.stdout.toString('utf8')).segment_id, '--db', db);
  }
  const split = spawnSync(process.execPath, [cli, 'analyze', 'repeat', '--by', 'segment', '--db', db, '--json'], { stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024 });
  if (split.status !== 0) process.exit(split.status ?? 1);
  for (const part of JSON.parse(split.stdout.toString('utf8')).result.segments) {
    const a = part.result.active_repeat;
    console.log(`  ${part.name}: ${part.members} members, active repeat-purchase rate ${a.rate ?? 'n/a'} (${a.repeated} of ${a.eligible} eligible)`);
  }
}
{
  // A campaign with a 10% control group: frozen audience, one SMS wave written to a CSV list,
  // sent by the scheduler, and judged against the control group. The synthetic shop does not
  // react to it, so the honest answer is "no winner".
  console.log('\n== a campaign measured against its control group');
  const list = join(dir, 'campaign-list.csv');
  if (existsSync(list)) rmSync(list);
  const file = join(dir, 'campaign.json');
  // The key fixes the campaign ID and so the control group: the same verdict on every run.
  writeFileSync(
    file,
    JSON.stringify(
      {
        key: 'winter-sale-demo',
        name: 'Winter sale (demo)',
        goal: 'purchases',
        audience: {
          rule: {
            kind: 'and',
            rules: [
              { kind: 'consent', channel: 'sms', status: 'granted' },
              { kind: 'purchase', fact: 'purchases', op: 'gte', value: 1 },
            ],
          },
        },
        starts_at: '2025-12-05 10:00',
        control: { percent: 10 },
        attribution_days: 14,
        cost: { per_message: { list: '0.05' }, fixed: '100.00' },
        waves: [{ id: 'sms', channel: 'list', at: '-2d', template: { text: '{{name|Hi}}: our winter sale starts on 5 December at 10:00.' } }],
      },
      null,
      2,
    ),
  );
  // The demo's dates are in the past: no quiet hours, so the catch-up sends at any time of day.
  regulars('settings', 'set', 'campaigns.quiet_hours', 'none', '--db', db);
  regulars('channels', 'set', 'list', '--config', JSON.stringify({ kind: 'csv', file: list, consent_channel: 'sms' }), '--db', db);
  const made = spawnSync(process.execPath, [cli, 'campaigns', 'create', '--file', file, '--db', db, '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
  if (made.status !== 0) process.exit(made.status ?? 1);
  const id = JSON.parse(made.stdout.toString('utf8')).campaign_id;
  regulars('campaigns', 'launch', id, '--as-of', '2025-12-01', '--db', db);
  regulars('campaigns', 'run', '--once', '--db', db);
  // A coupon for the campaign: 满200减20, issued to the treatment group only (the control group
  // gets none), some redeemed at a scripted till; the evaluation counts their discount as cost.
  console.log('\n== a coupon batch through the campaign, redeemed at a scripted till');
  const json = (...argv) => {
    const r = spawnSync(process.execPath, [cli, ...argv, '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
    if (r.status !== 0) process.exit(r.status ?? 1);
    return JSON.parse(r.stdout.toString('utf8'));
  };
  const tpl = json(
    'coupons',
    'template',
    'create',
    '--file',
    JSON.stringify({ name: 'Winter sale 满200减20', kind: 'threshold', spend: '200', off: '20', validity: { days_after_issue: 30 }, budget: { value: '20000' } }),
    '--db',
    db,
  );
  const batch = json('coupons', 'batch', 'create', '--template', tpl.template_id, '--generate', '20000', '--prefix', 'WS-', '--pattern', '####-####', '--campaign', id, '--db', db);
  regulars('coupons', 'issue', '--batch', batch.batch_id, '--campaign', id, '--db', db);
  const { openOps } = await import('../dist/ops/index.js');
  const { parseBasket, redeem, reserve } = await import('../dist/coupons/index.js');
  const { systemClock } = await import('../dist/core/clock.js');
  const store = await openOps({ sqlite: ops });
  const held = await store.all('SELECT member_id, code FROM coupons WHERE batch_id = ? ORDER BY member_id', [batch.batch_id]);
  const basket = parseBasket({ lines: [{ sku: 'DEMO-COAT', quantity: 1, unit_price: '259.00' }], channel: 'store' });
  let redeemed = 0;
  for (const [i, c] of held.entries()) {
    if (i % 8 !== 0) continue; // one in eight treated members comes to the till with the coupon
    const r = await reserve(store, systemClock, { key: `demo-r-${c.code}`, member_id: String(c.member_id), codes: [String(c.code)], basket: basket.basket });
    if (r.ok && (await redeem(store, systemClock, { key: `demo-d-${c.code}`, reservation_id: r.value.reservation_id, order_id: `DEMO-${c.code}` })).ok) redeemed++;
  }
  await store.close();
  console.log(`  ${held.length} coupons issued to treated members, ${redeemed} redeemed at the till`);
  regulars('coupons', 'batch', 'list', '--campaign', id, '--db', db);
  regulars('campaigns', 'evaluate', id, '--db', db);
}
{
  // A loyalty programme on the operational store: the demo's orders earn through an audited
  // backfill (they were paid before the programme started), then the tier and expiry jobs run.
  console.log('\n== loyalty: a programme, a backfill over the demo orders, the tier and expiry jobs');
  const file = join(dir, 'loyalty-programme.json');
  writeFileSync(
    file,
    JSON.stringify(
      {
        programme_id: 'main',
        name: 'Regulars 会员积分',
        starts_on: '2025-12-01',
        rate: '1',
        multipliers: [{ from: '2025-11-11', to: '2025-11-11', factor: '2' }],
        first_purchase_bonus: 100,
        activities: { review: 20, sign_in: 5, referral: 200 },
        caps: [{ per: 'member', period: 'day', points: 20000 }],
        pending_days: 7,
        expiry: { model: 'period_end', period: 'year', periods: 1 },
        shortfall: 'negative_balance',
        tiers: {
          metric: 'qualifying_points',
          window: 'rolling_365',
          downgrade: 'one_step',
          grace_days: 30,
          levels: [
            { code: 'member', name: '会员 Member', threshold: 0 },
            { code: 'silver', name: '银卡 Silver', threshold: 2000, multiplier: '1.2' },
            { code: 'gold', name: '金卡 Gold', threshold: 8000, multiplier: '1.5' },
          ],
        },
      },
      null,
      2,
    ),
  );
  regulars('inbox', 'load', '--db', db); // publishes the identity map: tills find members by phone or card
  regulars('loyalty', 'programme-set', '--file', file, '--db', db);
  regulars('loyalty', 'backfill', '--from', '2024-01-01', '--to', '2026-01-01', '--operator', 'demo', '--db', db);
  regulars('loyalty', 'tiers', '--db', db);
  regulars('loyalty', 'expire', '--db', db);
  regulars('loyalty', 'check', '--db', db);
  const report = spawnSync(process.execPath, [cli, 'loyalty', 'report', '--db', db, '--json'], { stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024 });
  if (report.status !== 0) process.exit(report.status ?? 1);
  const r = JSON.parse(report.stdout.toString('utf8'));
  console.log(`  liability ${r.liability} points over ${r.accounts} accounts; tiers ${r.tiers.map((t) => `${t.tier} ${t.accounts}`).join(', ')}`);
  const top = r.top[0];
  if (top !== undefined && top.member_id !== null) regulars('loyalty', 'balance', '--member', top.member_id, '--db', db);
}
// Customer models: BG/NBD validated on a holdout (the last quarter), then every member scored
// as of the last day (P(alive), expected purchases, next purchase date, CLV, churn band).
console.log('\n== customer models: a holdout validation and every member scored');
regulars('models', 'validate', 'bgnbd', '--calibration-end', '2025-09-30', '--db', db);
regulars('models', 'score', '--db', db);
console.log('\n== the member base');
regulars('stats', '--db', db);
console.log(`\ndemo data ready in ${((performance.now() - t0) / 1000).toFixed(1)}s; try: npx regulars members show <member-id> --db ${db}`);
if (noServe) process.exit(0);

// Serve the API and the console on PORT (default 3000) with a fresh admin key for this demo.
const made = spawnSync(process.execPath, [cli, 'keys', 'create', '--scope', 'admin', '--name', 'demo', '--db', db, '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
if (made.status !== 0) process.exit(made.status ?? 1);
const key = JSON.parse(made.stdout.toString('utf8')).key;
const port = process.env.PORT ?? '3000';
console.log(`\n== serving: console http://localhost:${port}/#key=${key}`);
console.log(`   API docs http://localhost:${port}/api/docs (send Authorization: Bearer ${key}); Ctrl-C stops`);
const server = spawn(process.execPath, [cli, 'serve', '--db', db, '--port', port], { stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => server.kill(sig));
server.on('exit', (code) => process.exit(code ?? 0));
