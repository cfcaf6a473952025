/**
 * `regulars coupons ...`: templates, batches (shared, generated, imported codes), issue to a
 * member, a segment or a campaign's treatment group, the till (validate, reserve, redeem,
 * release, return) and reports. A thin shell over src/coupons; only commands that read a segment
 * or a campaign open the analytical file, the rest work while `serve` runs.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { systemClock } from '../core/clock.js';
import {
  batchReports,
  createBatch,
  createTemplate,
  failureMessage,
  issueCoupon,
  exchangeForPoints,
  cancelExchange,
  grantAllowances,
  publishCoupons,
  couponAnalytics,
  issueToCampaign,
  issueToSegment,
  listTemplates,
  memberCoupons,
  parseBasket,
  parseCodeFile,
  redeem,
  release,
  reserve,
  returnOrder,
  sweepLapsed,
  toJson,
  validateCodes,
  type BatchCodes,
  type Result,
} from '../coupons/index.js';
import { createProgress } from './progress.js';
import { common, EXIT_REFUSED, jsonArg, out, UsageError, withDb, withOps, type Common } from './shell.js';
import { table } from './table.js';

const read = (f: string): string => readFileSync(f, 'utf8');

/** Prints the value, or the refusal on stderr with exit code 2. */
function show<T>(opts: Common, r: Result<T>, human: (v: T) => string): void {
  if (r.ok) {
    out(opts, toJson(r.value), () => human(r.value));
    return;
  }
  if (opts.json === true) process.stdout.write(`${JSON.stringify({ error: toJson(r.error), message: failureMessage(r.error) }, null, 2)}\n`);
  process.stderr.write(`regulars: ${failureMessage(r.error)}\n`);
  process.exit(EXIT_REFUSED);
}

const keyOf = (k: string | undefined, what: string): string => {
  if (k === undefined || k === '') throw new UsageError(`--key is required: the idempotency key of this ${what} (a retry with the same key changes nothing)`);
  return k;
};

type Opts = Common & Record<string, string | undefined>;

/** Registers the coupons commands. */
export function addCouponCommands(program: Command): void {
  const coupons = program.command('coupons').description('coupon templates, batches, issue, the till, reports (docs/coupons.md)');
  const template = coupons.command('template').description('coupon templates');
  common(template.command('create').description('save a template from JSON').requiredOption('--file <json|file>', 'the template')).action(async (opts: Opts) => {
    const r = await withOps(opts, (ops) => createTemplate(ops, systemClock, jsonArg(opts['file'] ?? '', 'the template', read), 'cli'));
    show(opts, r, (t) => `template ${t.template_id} '${t.template.name}' (${t.template.reward.kind}) saved`);
  });
  common(template.command('list').description('templates, newest first')).action(async (opts: Opts) => {
    const rows = await withOps(opts, (ops) => listTemplates(ops));
    out(opts, rows, () => (rows.length === 0 ? 'no templates' : table(rows)));
  });

  const batch = coupons.command('batch').description('batches of codes');
  common(
    batch
      .command('create')
      .description('one shared code, N generated unique codes, or codes imported from a file')
      .requiredOption('--template <id>')
      .option('--shared <code>', 'one code for everyone')
      .option('--generate <n>', 'unique codes to generate')
      .option('--pattern <p>', '# = one random character (default ########)')
      .option('--charset <chars>', 'characters for # (default without 0 O 1 I L)')
      .option('--prefix <text>', 'written before every code')
      .option('--import <file>', 'codes printed elsewhere: one per line or first CSV column')
      .option('--campaign <id>', 'the campaign this batch belongs to (its cost counts redeemed discounts)'),
  ).action(async (opts: Opts) => {
    const chosen = ['shared', 'generate', 'import'].filter((k) => opts[k] !== undefined);
    if (chosen.length !== 1) throw new UsageError('give exactly one of --shared, --generate, --import');
    let codes: BatchCodes;
    if (opts['shared'] !== undefined) codes = { shared: opts['shared'] };
    else if (opts['import'] !== undefined) {
      const parsed = parseCodeFile(read(opts['import']));
      if (!parsed.ok)
        throw new UsageError(
          `${opts['import']} refused: ${parsed.errors
            .slice(0, 10)
            .map((e) => `${e.path}: ${e.reason}`)
            .join('; ')}`,
        );
      codes = { imported: parsed.codes };
    } else {
      const n = Number(opts['generate']);
      const spec = {
        ...(opts['pattern'] === undefined ? {} : { pattern: opts['pattern'] }),
        ...(opts['charset'] === undefined ? {} : { charset: opts['charset'] }),
        ...(opts['prefix'] === undefined ? {} : { prefix: opts['prefix'] }),
      };
      codes = { generate: n, spec };
    }
    const campaign = opts['campaign'];
    const r = await withOps(opts, (ops) =>
      createBatch(ops, systemClock, { template_id: opts['template'] ?? '', codes, ...(campaign === undefined ? {} : { campaign_id: campaign }) }, undefined, 'cli'),
    );
    show(opts, r, (b) => `batch ${b.batch_id} (${b.mode}${b.mode === 'shared' ? ` ${b.shared_code ?? ''}` : `, ${b.pool_size} codes`}) of template ${b.template_id}`);
  });
  common(batch.command('list').description('batches with their counts by state').option('--template <id>').option('--campaign <id>')).action(async (opts: Opts) => {
    const filter = { ...(opts['template'] === undefined ? {} : { template_id: opts['template'] }), ...(opts['campaign'] === undefined ? {} : { campaign_id: opts['campaign'] }) };
    const rows = await withOps(opts, (ops) => batchReports(ops, systemClock, filter));
    out(opts, rows, () => (rows.length === 0 ? 'no batches' : table(rows.map((r) => ({ ...r, redemption_rate: r.redemption_rate === null ? '' : `${(r.redemption_rate * 100).toFixed(1)}%` })))));
  });
  common(batch.command('codes').description("write a batch's codes to a file, one per line (for printing)").argument('<batch>').requiredOption('--out <file>')).action(
    async (id: string, opts: Opts) => {
      const rows = await withOps(opts, (ops) => ops.all('SELECT code FROM coupon_codes WHERE batch_id = ? ORDER BY seq', [id]));
      writeFileSync(opts['out'] ?? 'codes.txt', `code\n${rows.map((r) => String(r['code'])).join('\n')}\n`);
      out(opts, { batch_id: id, codes: rows.length, file: opts['out'] }, () => `${rows.length} codes written to ${opts['out'] ?? ''}`);
    },
  );

  common(
    coupons
      .command('issue')
      .description('issue a coupon of a batch to one member (--member, --key) or to a saved segment as one job (--segment)')
      .requiredOption('--batch <id>')
      .option('--member <id>')
      .option('--key <key>', 'idempotency key for one member')
      .option('--segment <id>', 'a saved segment: its members as of --as-of')
      .option('--as-of <date>', 'segment date (default: today)')
      .option('--job <id>', 'resume this job (same snapshot; members already issued are skipped)')
      .option('--campaign <id>', "a launched campaign: its run's treatment group (the batch must be the campaign's)")
      .option('--run <n>', 'the campaign run (default: the latest)'),
  ).action(async (opts: Opts) => {
    const batchId = opts['batch'] ?? '';
    const campaign = opts['campaign'];
    if (campaign !== undefined) {
      const run = opts['run'];
      const r = await withDb(opts, (db, ops) => issueToCampaign(db, ops, systemClock, { campaign_id: campaign, batch_id: batchId, ...(run === undefined ? {} : { run_id: Number(run) }) }));
      return show(opts, r, (j) => `job ${j.job_id}: ${j.members} treatment members, ${j.issued} issued, ${j.skipped} skipped (${j.state}); the control group gets none`);
    }
    const segment = opts['segment'];
    if (segment !== undefined) {
      const progress = createProgress(process.stderr, opts.json === true && process.stderr.isTTY !== true);
      const asOf = opts['asOf'] ?? systemClock.now().toISOString().slice(0, 10);
      const job = opts['job'];
      const r = await withDb(opts, (db, ops) =>
        issueToSegment(db, ops, systemClock, { batch_id: batchId, segment_id: segment, as_of: asOf, ...(job === undefined ? {} : { job_id: job }) }, (done, total) =>
          progress.update('issue', done, total, done),
        ),
      );
      progress.done('');
      return show(opts, r, (j) => `job ${j.job_id}: ${j.members} members, ${j.issued} issued, ${j.skipped} skipped (${j.state})`);
    }
    const member = opts['member'];
    if (member === undefined) throw new UsageError('give --member (with --key) or --segment');
    const r = await withOps(opts, (ops) => issueCoupon(ops, systemClock, { key: keyOf(opts['key'], 'issue'), batch_id: batchId, member_id: member }, 'cli'));
    show(opts, r, (c) => `coupon ${c.code} issued to ${c.member_id}, valid ${c.valid_from ?? 'now'} to ${c.valid_until ?? 'open'}`);
  });

  common(
    coupons
      .command('exchange')
      .description("exchange a member's points for a coupon of the batch (the template's points_price); one transaction spends and issues")
      .requiredOption('--batch <id>')
      .requiredOption('--member <id>')
      .requiredOption('--key <key>', 'idempotency key: a retry replays the first answer'),
  ).action(async (opts: Opts) => {
    const r = await withOps(opts, (ops) => exchangeForPoints(ops, systemClock, { key: keyOf(opts['key'], 'exchange'), batch_id: opts['batch'] ?? '', member_id: opts['member'] ?? '' }, 'cli'));
    show(opts, r, (x) => `coupon ${x.coupon.code} issued to ${x.coupon.member_id} for ${x.points} points of programme ${x.programme_id}`);
  });

  common(
    coupons
      .command('cancel-exchange')
      .description('cancel a coupon bought with points while unused: void, and the points back on the same lots (once)')
      .argument('<coupon_id>')
      .requiredOption('--key <key>'),
  ).action(async (id: string, opts: Opts) => {
    if (!/^\d+$/.test(id)) throw new UsageError(`coupon_id: '${id}' is not a coupon number`);
    const r = await withOps(opts, (ops) => cancelExchange(ops, systemClock, { key: keyOf(opts['key'], 'cancellation'), coupon_id: Number(id) }, 'cli'));
    show(opts, r, (x) => `coupon ${x.code} void; ${x.points} points back in programme ${x.programme_id}`);
  });

  common(
    coupons
      .command('allowances')
      .description("grant this month's tier allowance of the batch's template to every member of its tiers not yet granted (run daily from cron; reruns grant nothing twice)")
      .requiredOption('--batch <id>'),
  ).action(async (opts: Opts) => {
    const r = await withOps(opts, (ops) => grantAllowances(ops, systemClock, { batch_id: opts['batch'] ?? '' }, 'cli'));
    show(opts, r, (a) => `${a.period}: ${a.members} members in the tiers, ${a.granted_members} granted ${a.coupons} coupons, ${a.skipped} already granted or at the limit`);
  });

  common(coupons.command('publish').description('publish every coupon to the analytical store, for reports by segment and stage and the segment node coupon')).action(async (opts: Opts) => {
    const r = await withDb(opts, (db, ops) => publishCoupons(db, ops, systemClock));
    out(opts, r, () => `${r.coupons} coupons published`);
  });

  common(
    coupons
      .command('report')
      .description('issued, redeemed, redemption rate and redeemed discount by template and lifecycle stage (and inside or outside --segment), from the last publish')
      .option('--as-of <date>', 'evaluation date (default: today)')
      .option('--template <id>')
      .option('--segment <id|name>'),
  ).action(async (opts: Opts) => {
    const r = await withDb(opts, (db, ops) =>
      couponAnalytics(db, ops, {
        as_of: opts['asOf'] ?? systemClock.now().toISOString().slice(0, 10),
        ...(opts['template'] === undefined ? {} : { template_id: opts['template'] }),
        ...(opts['segment'] === undefined ? {} : { segment: opts['segment'] }),
      }),
    );
    out(opts, r, () =>
      [
        `as of ${r.as_of} (published ${r.published_at ?? 'never: run regulars coupons publish'})`,
        'by template:',
        table(r.by_template.map((l) => ({ ...l }))),
        'by lifecycle stage:',
        table(r.by_stage.map((l) => ({ ...l }))),
        ...(r.by_segment === null ? [] : [`segment ${r.by_segment.segment}:`, table(r.by_segment.lines.map((l) => ({ ...l })))]),
      ].join('\n'),
    );
  });

  common(coupons.command('member').description("a member's coupons").argument('<member>')).action(async (member: string, opts: Opts) => {
    const rows = await withOps(opts, (ops) => memberCoupons(ops, systemClock, member));
    out(opts, rows, () => (rows.length === 0 ? 'no coupons' : table(rows.map((r) => ({ ...r })))));
  });

  const till = coupons.command('till').description('checkout steps, for scripted tills and support (the API is the usual way)');
  const basketOpt = (c: Command): Command =>
    c
      .requiredOption('--member <id>')
      .requiredOption('--codes <a,b>', 'comma-separated codes')
      .requiredOption('--basket <json|file>', '{"lines":[{"sku","quantity","unit_price","category","brand"}],"shipping","channel","store"}');
  const basketOf = (opts: Opts) => {
    const b = parseBasket(jsonArg(opts['basket'] ?? '', 'the basket', read));
    if (!b.ok) throw new UsageError(`invalid basket: ${b.errors.map((e) => `${e.path} ${e.reason}`).join('; ')}`);
    return b.basket;
  };
  const codesOf = (opts: Opts): string[] =>
    (opts['codes'] ?? '')
      .split(',')
      .map((c) => c.trim())
      .filter((c) => c !== '');
  common(basketOpt(till.command('validate').description('which discount each code gives on the basket, or why not'))).action(async (opts: Opts) => {
    const v = await withOps(opts, (ops) => validateCodes(ops, systemClock, { member_id: opts['member'] ?? '', codes: codesOf(opts), basket: basketOf(opts) }));
    out(opts, toJson(v), () =>
      [table(v.coupons.map((c) => ({ code: c.code, applies: c.applicable ? c.discount : `no: ${c.reason.type}` }))), `basket ${v.basket_value}, discount ${v.total_discount}, to pay ${v.to_pay}`].join(
        '\n',
      ),
    );
  });
  common(
    basketOpt(till.command('reserve').description('reserve the codes for the basket (budget taken; lapses after --ttl seconds)'))
      .requiredOption('--key <key>')
      .option('--ttl <seconds>', 'time-to-live', '900'),
  ).action(async (opts: Opts) => {
    const r = await withOps(opts, (ops) =>
      reserve(ops, systemClock, { key: keyOf(opts['key'], 'reservation'), member_id: opts['member'] ?? '', codes: codesOf(opts), basket: basketOf(opts), ttl_seconds: Number(opts['ttl']) }, 'cli'),
    );
    show(opts, r, (v) => `reservation ${v.reservation_id} until ${v.expires_at}: discount ${v.total_discount}, to pay ${v.to_pay}`);
  });
  common(till.command('redeem').description('redeem (核销) a reservation for an order').argument('<reservation>').requiredOption('--order <id>').requiredOption('--key <key>')).action(
    async (id: string, opts: Opts) => {
      const r = await withOps(opts, (ops) => redeem(ops, systemClock, { key: keyOf(opts['key'], 'redemption'), reservation_id: id, order_id: opts['order'] ?? '' }, 'cli'));
      show(opts, r, (v) => `redeemed ${v.coupons.map((c) => c.code).join(', ')} on order ${v.order_id}: ${v.total_discount}`);
    },
  );
  common(till.command('release').description('release a reservation').argument('<reservation>').requiredOption('--key <key>')).action(async (id: string, opts: Opts) => {
    const r = await withOps(opts, (ops) => release(ops, systemClock, { key: keyOf(opts['key'], 'release'), reservation_id: id }, 'cli'));
    show(opts, r, (v) => `released ${v.released.join(', ') || 'nothing'}`);
  });
  common(
    till
      .command('return')
      .description('an order came back: --whole re-issues its coupons while valid; otherwise they stay redeemed')
      .argument('<order>')
      .requiredOption('--key <key>')
      .option('--whole', 'the whole order was returned'),
  ).action(async (order: string, opts: Common & { key?: string; whole?: boolean }) => {
    const r = await withOps(opts, (ops) => returnOrder(ops, systemClock, { key: keyOf(opts.key, 'return'), order_id: order, whole: opts.whole === true }, 'cli'));
    show(opts, r, (v) => v.coupons.map((c) => `${c.code} ${c.state}`).join('\n'));
  });
  common(coupons.command('sweep').description('return lapsed reservations and their budget (reserving sweeps its own template; run this from cron for the rest)')).action(async (opts: Opts) => {
    const n = await withOps(opts, (ops) => sweepLapsed(ops, systemClock));
    out(opts, { lapsed: n }, () => `${n} reservations lapsed`);
  });
}
