/** `regulars loyalty ...`: a thin shell over src/loyalty on the operational store. */
import { config } from '../core/config.js';
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { systemClock, fixedClock, type Clock } from '../core/clock.js';
import {
  adjust,
  backfill,
  balanceOf,
  checkLedger,
  findAccount,
  historyOf,
  listProgrammes,
  loadProgramme,
  lotsOf,
  parseProgramme,
  pointsReport,
  readBackfillOrders,
  runExpiry,
  runTierJob,
  saveProgramme,
  syncJob,
  arrivalsJob,
  publishLoyalty,
  tierStatus,
  toJson,
  type Json,
  type LoyaltyError,
  type Who,
} from '../loyalty/index.js';
import { common, jsonArg, out, UsageError, withDb, withOps, type Common } from './shell.js';
import { table } from './table.js';

interface LoyaltyOpts extends Common {
  member?: string;
  phone?: string;
  card?: string;
  scope?: string;
  account?: string;
  programme?: string;
  at?: string;
}

const read = (f: string): string => readFileSync(f, 'utf8');

function clockOf(opts: LoyaltyOpts): Clock {
  if (opts.at === undefined) return systemClock;
  if (Number.isNaN(Date.parse(opts.at))) throw new UsageError(`--at ${opts.at} is not a time`);
  return fixedClock(opts.at);
}

function programmeOf(opts: LoyaltyOpts): string {
  return opts.programme ?? config().programme;
}

function refused(e: LoyaltyError): never {
  throw new UsageError(`${e.type}: ${e.message}`);
}

function who(opts: LoyaltyOpts): Who {
  if (opts.member !== undefined) return { member_id: opts.member };
  if (opts.account !== undefined) return { account_id: opts.account };
  if (opts.phone !== undefined) return { kind: 'phone', value: opts.phone };
  if (opts.card !== undefined) return { kind: 'pos_card', scope: opts.scope ?? '', value: opts.card };
  throw new UsageError('name the account: --member, --phone, --card (with --scope) or --account');
}

function loyaltyCommand(cmd: Command): Command {
  return common(cmd).option('--programme <id>', 'programme (default: $REGULARS_PROGRAMME or main)').option('--at <time>', 'act as of this UTC time instead of now (jobs and reports)');
}

function whoOptions(cmd: Command): Command {
  return cmd
    .option('--member <id>', 'member ID')
    .option('--phone <phone>', 'phone as presented')
    .option('--card <card>', 'POS card')
    .option('--scope <channel>', 'channel of a card')
    .option('--account <id>', 'account ID');
}

function balanceText(doc: Json): string {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return JSON.stringify(doc);
  const b = doc['balance'];
  const t = doc['tier'];
  const lots = doc['lots'];
  const lines: string[] = [];
  if (b !== null && typeof b === 'object' && !Array.isArray(b))
    lines.push(
      `account ${String(b['account_id'])} (member ${String(b['member_id'] ?? 'not yet resolved')}): balance ${String(b['balance'])}, pending ${String(b['pending'])}, debt ${String(b['debt'])}`,
    );
  if (t !== null && typeof t === 'object' && !Array.isArray(t))
    lines.push(
      `tier ${String(t['name'] ?? t['tier'] ?? 'none')}: qualifying ${String(t['qualifying'])}, ${String(t['to_keep'])} to keep it by ${String(t['year_ends'] ?? '-')}${t['next'] === null ? '' : `, ${String(t['to_next'])} to ${String(t['next'])}`}`,
    );
  if (Array.isArray(lots))
    lines.push(
      table(
        lots.map((l) =>
          l !== null && typeof l === 'object' && !Array.isArray(l)
            ? {
                lot: String(l['lot_id']),
                order: String(l['order_id'] ?? ''),
                points: String(l['points']),
                remaining: String(l['remaining']),
                pending_until: String(l['pending_until']),
                expires_at: String(l['expires_at']),
              }
            : {},
        ),
      ),
    );
  return lines.join('\n');
}

/** Registers `regulars loyalty`. */
export function addLoyaltyCommands(program: Command): void {
  const loyalty = program.command('loyalty').description('points and tiers on the operational store (docs/loyalty.md)');

  loyaltyCommand(loyalty.command('programme-set').description('create or replace a programme from a JSON file').requiredOption('--file <json|file>', 'the programme')).action(
    async (opts: LoyaltyOpts & { file: string }) => {
      const p = parseProgramme(jsonArg(opts.file, 'the programme', read));
      if (!p.ok) throw new UsageError(`invalid programme: ${p.error.errors.join('; ')}`);
      await withOps(opts, (s) => saveProgramme(s, p.config, clockOf(opts).now()));
      out(opts, p.config, () => `programme ${p.config.programme_id} '${p.config.name}' saved`);
    },
  );
  loyaltyCommand(loyalty.command('programme-show').description('a programme as stored, or the list of programmes')).action(async (opts: LoyaltyOpts) => {
    const doc = await withOps(opts, async (s) => (opts.programme === undefined ? { programmes: await listProgrammes(s) } : ((await loadProgramme(s, opts.programme)) ?? null)));
    out(opts, doc, () => JSON.stringify(doc, null, 2));
  });

  whoOptions(loyaltyCommand(loyalty.command('balance').description("an account's balance, tier, lots and latest entries"))).action(async (opts: LoyaltyOpts) => {
    const doc = await withOps(opts, async (s) => {
      const pid = programmeOf(opts);
      const config = (await loadProgramme(s, pid)) ?? refused({ type: 'programme_not_found', message: `no programme ${pid}` });
      const found = await findAccount(s, pid, who(opts), config.phone_country);
      if (!found.ok) refused(found.error);
      const now = clockOf(opts).now();
      return toJson({
        balance: await balanceOf(s, found.account, now),
        tier: await tierStatus(s, config, found.account, now),
        lots: await lotsOf(s, found.account.account_id),
        history: await historyOf(s, found.account.account_id, 20),
      });
    });
    out(opts, doc, () => balanceText(doc));
  });

  whoOptions(loyaltyCommand(loyalty.command('adjust').description('a manual adjustment with an operator and a reason (audited)')))
    .requiredOption('--points <n>', 'points to add (negative to take)')
    .requiredOption('--reason <text>', 'why')
    .requiredOption('--operator <name>', 'who')
    .requiredOption('--key <key>', 'idempotency key (a retry with the same key changes nothing)')
    .action(async (opts: LoyaltyOpts & { points: string; reason: string; operator: string; key: string }) => {
      if (!/^-?\d+$/.test(opts.points)) throw new UsageError('--points must be an integer');
      const r = await withOps(opts, (s) => adjust(s, clockOf(opts), programmeOf(opts), { who: who(opts), points: BigInt(opts.points), operator: opts.operator, reason: opts.reason, key: opts.key }));
      if (!r.ok) refused(r.error);
      out(opts, toJson(r), () => `${r.replayed ? 'already done: ' : ''}entry ${r.value.entry_id}: ${r.value.points} points to account ${r.value.account_id}`);
    });

  loyaltyCommand(loyalty.command('backfill').description('earn points for orders of the member base paid in [--from, --to) (audited; a re-run changes nothing)'))
    .requiredOption('--from <day>', 'first day')
    .requiredOption('--to <day>', 'day after the last')
    .option('--operator <name>', 'who runs it', 'cli')
    .action(async (opts: LoyaltyOpts & { from: string; to: string; operator: string }) => {
      const r = await withDb(opts, async (db, ops) => {
        const orders = await readBackfillOrders(db, opts.from, opts.to);
        return backfill(ops, clockOf(opts), programmeOf(opts), orders, opts.operator, (n) => process.stderr.write(`${n} / ${orders.length} orders\n`));
      });
      out(
        opts,
        toJson(r),
        () => `backfill: ${r.orders} orders, ${r.earned} earned ${r.points} points, ${r.replayed} already earned${Object.keys(r.refused).length > 0 ? `, refused ${JSON.stringify(r.refused)}` : ''}`,
      );
    });

  loyaltyCommand(loyalty.command('arrivals').description('earn new paid orders and reverse new cancellations and returns of the member base (after each load; a re-run changes nothing)')).action(
    async (opts: LoyaltyOpts) => {
      const r = await withDb(opts, (db, ops) => arrivalsJob(db, ops, clockOf(opts), programmeOf(opts)));
      out(
        opts,
        r,
        () =>
          `${r.orders} orders: ${r.earned} earned, ${r.cancelled} cancelled; ${r.returns} returns: ${r.reversed} reversed${Object.keys(r.skipped).length > 0 ? `; skipped ${JSON.stringify(r.skipped)}` : ''} (through import ${r.through_import})`,
      );
    },
  );
  loyaltyCommand(loyalty.command('expire').description('the expiry job: expire lots past their expiry')).action(async (opts: LoyaltyOpts) => {
    const r = await withOps(opts, (s) => runExpiry(s, clockOf(opts), programmeOf(opts)));
    out(opts, toJson(r), () => `expired ${r.points} points in ${r.lots} lots of ${r.accounts} accounts`);
  });
  loyaltyCommand(loyalty.command('tiers').description('the tier job: upgrades, renewals and downgrades of every account')).action(async (opts: LoyaltyOpts) => {
    const r = await withOps(opts, (s) => runTierJob(s, clockOf(opts), programmeOf(opts)));
    if (r === undefined) throw new UsageError(`programme ${programmeOf(opts)} is missing or has no tiers`);
    out(opts, r, () => `${r.accounts} accounts: ${r.upgrades} upgrades, ${r.renewals} renewals, ${r.downgrades} downgrades`);
  });
  loyaltyCommand(loyalty.command('sync').description('join till accounts to the members the published identity map now names')).action(async (opts: LoyaltyOpts) => {
    const r = await withOps(opts, (s) => syncJob(s, clockOf(opts), programmeOf(opts)));
    out(opts, r, () => `${r.joined} accounts joined to their member, ${r.merged} merged into the member's account`);
  });
  loyaltyCommand(
    loyalty
      .command('publish')
      .description("hand each member's tier, balance, points expiring within 30 days and lifetime points to the analytical store (segments read them; the server does this after its loyalty jobs)"),
  ).action(async (opts: LoyaltyOpts) => {
    const r = await withDb(opts, (db, ops) => publishLoyalty(ops, db, clockOf(opts)));
    out(
      opts,
      r,
      () =>
        Object.entries(r)
          .map(([p, n]) => `programme ${p}: ${n} members published`)
          .join('\n') || 'no programmes',
    );
  });
  loyaltyCommand(loyalty.command('check').description('consistency check: every balance equals its ledger (exit 1 when not)')).action(async (opts: LoyaltyOpts) => {
    const r = await withOps(opts, (s) => checkLedger(s, programmeOf(opts)));
    out(opts, toJson(r), () =>
      r.ok ? `ok: ${r.accounts} accounts, ${r.entries} entries, ${r.lots} lots; ledger total ${r.ledger_total} = open lots - debt` : `NOT CONSISTENT:\n${r.problems.join('\n')}`,
    );
    if (!r.ok) process.exitCode = 1;
  });
  loyaltyCommand(loyalty.command('report').description('points issued, spent, expired and reversed per month; liability; tiers')).action(async (opts: LoyaltyOpts) => {
    const r = await withOps(opts, (s) => pointsReport(s, programmeOf(opts), clockOf(opts).now()));
    out(opts, toJson(r), () =>
      [
        table(
          r.months.map((m) => ({
            month: m.month,
            issued: m.issued.toString(),
            spent: m.spent.toString(),
            expired: m.expired.toString(),
            reversed: m.reversed.toString(),
            adjusted: m.adjusted.toString(),
          })),
        ),
        `liability ${r.liability} points (pending ${r.pending}, debt ${r.debt}) over ${r.accounts} accounts`,
        table(r.tiers),
        table(r.top.map((t) => ({ account: t.account_id.toString(), member: t.member_id ?? '', tier: t.tier ?? '', points: t.points.toString() }))),
      ].join('\n'),
    );
  });
}
