/**
 * The regulars command line: a thin shell over the core. Every command takes --db and --json;
 * human output otherwise. Errors are one clear line on stderr and a non-zero exit code.
 */
import { config } from '../core/config.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { systemClock } from '../core/clock.js';
import { DatabaseLockedError, EngineSettingError, type Db } from '../core/db/index.js';
import { identityReport, resolveIdentities, unmerge, UnmergeError } from '../identity/index.js';
import { FileRefused, importFile, PRESETS, type AlsoReport, type ImportReport } from '../ingest/index.js';
import { findMember, memberBaseStats, memberView, MemberLookupError } from '../members/index.js';
import { analyze, AnalysisError, defaultAsOf, refresh, reportResult, REPORTS, type AnalysisDocument, BY_OPTIONS, type By, type Period, type Report } from '../analytics/index.js';
import { countSegment, createSegment, deleteSegment, exportSegmentCsv, getSegment, listSegments, parseRule, segmentHistory, SegmentError, snapshotSegment } from '../segments/index.js';
import { readFileSync } from 'node:fs';
import type { KpiResult } from '../contracts/index.js';
import { CampaignError } from '../campaigns/index.js';
import { createProgress } from './progress.js';
import { common, EXIT_LOCKED, EXIT_REFUSED, jsonArg, out, UsageError, withDb, withDbIfFree, withOps, type Common } from './shell.js';
import { addCampaignCommands } from './campaigns.js';
import { addCouponCommands } from './coupons.js';
import { addOperationalCommands } from './operational.js';
import { addExperimentCommands } from './experiments.js';
import { addModelCommands, memberScoresText } from './models.js';
import { productFlags, ruleOptions, type RuleFlags } from './products.js';
import { addLoyaltyCommands } from './loyalty.js';
import { keyValues, table } from './table.js';
import { cliLang, sectionTitle, translateRows, type CliLang } from './labels.js';

function fail(err: unknown): never {
  const message = err instanceof Error ? err.message : String(err);
  let code = 1;
  if (err instanceof DatabaseLockedError) code = EXIT_LOCKED;
  else if (
    err instanceof FileRefused ||
    err instanceof AnalysisError ||
    err instanceof MemberLookupError ||
    err instanceof UnmergeError ||
    err instanceof UsageError ||
    err instanceof SegmentError ||
    err instanceof CampaignError ||
    err instanceof EngineSettingError
  ) {
    code = EXIT_REFUSED;
  }
  process.stderr.write(`regulars: ${message}\n`);
  if (code === 1 && config().debug && err instanceof Error) process.stderr.write(`${err.stack ?? ''}\n`);
  process.exit(code);
}

/** The counts of one entity's rows, in words (zeros left out). */
function rowParts(r: AlsoReport | ImportReport): string[] {
  return [
    `${r.rows_read} rows read`,
    `${r.loaded} loaded`,
    r.guest > 0 ? `${r.guest} guest` : '',
    r.return > 0 ? `${r.return} returns` : '',
    r.non_product > 0 ? `${r.non_product} non-product` : '',
    r.duplicate > 0 ? `${r.duplicate} already known` : '',
    r.updated > 0 ? `${r.updated} updated` : '',
    r.conflict > 0 ? `${r.conflict} in conflict with stored orders` : '',
    r.skipped > 0 ? `${r.skipped} skipped by the map's filter` : '',
    r.refunds > 0 ? `${r.refunds} refunds made returns` : '',
    r.rejected > 0 ? `${r.rejected} rejected` : '',
  ].filter((p) => p !== '');
}

function importSummary(r: ImportReport): string {
  const parts = rowParts(r);
  if (r.rejects_file !== null) parts.push(`rejects and conflicts -> ${r.rejects_file}`);
  const lines = [`${r.checked ? 'CHECK (nothing written) ' : ''}${r.file} (${r.preset} ${r.entity}, ${r.format} ${r.encoding}): ${parts.join(', ')}; ${r.seconds}s`];
  for (const reason of r.reject_reasons.slice(0, 5)) lines.push(`  rejected ${reason.rows}: ${reason.field} ${reason.reason}`);
  if (r.also !== null) {
    lines.push(`  also ${r.also.entity} from the same rows: ${rowParts(r.also).join(', ')}`);
    for (const reason of r.also.reject_reasons.slice(0, 5)) lines.push(`  rejected as ${r.also.entity} ${reason.rows}: ${reason.field} ${reason.reason}`);
  }
  if (r.warnings.count > 0) lines.push(`  ${r.warnings.count} identifiers ignored (masked or malformed), e.g. line ${r.warnings.sample[0]?.line ?? 0} ${r.warnings.sample[0]?.field ?? ''}`);
  for (const n of r.notices) lines.push(`  note: ${n.message}`);
  if (r.merges > 0 || r.identities_new > 0) lines.push(`  ${r.identities_new} new identifiers, ${r.merges} merges, ${r.quarantined} quarantined identifiers in total`);
  return lines.join('\n');
}

export function buildProgram(): Command {
  const program = new Command('regulars').description('Regulars: one member base from every channel, measured marketing, loyalty.').showHelpAfterError();

  common(
    program
      .command('import')
      .description('import export files into the member base (each file lands whole or not at all)')
      .argument('<files...>', 'CSV (any delimiter, UTF-8 or GBK), NDJSON or Parquet; .gz is read transparently')
      .addOption(new Option('--preset <name>', 'file layout').choices(Object.keys(PRESETS)).default('regulars'))
      .option('--map <file>', 'JSON column map for any other layout (see docs/import.md)')
      .option('--channel <id>', 'channel the rows belong to (overrides the file/preset default)')
      .option('--entity <name>', 'entity of a regulars-preset file when its name does not say')
      .option('--encoding <enc>', 'auto (default), utf-8 or gbk')
      .option('--delimiter <char>', 'CSV delimiter (sniffed when absent; \\t for tab)')
      .option('--check', 'validate the file (and a --map) and print what would load, without writing anything')
      .option('--store <name>', 'the store the orders belong to: part of their key (Shopify numbers orders per shop)')
      .addOption(new Option('--date-order <order>', 'how 03/12/2010 reads where a layout allows both (default: judged from the file)').choices(['dmy', 'mdy']))
      .addOption(new Option('--decimal-separator <char>', 'decimal separator of amounts (default .)').choices(['.', ',']))
      .option('--rejects <dir>', 'where reject files go', 'rejects')
      .option('--date <day>', 'baskets preset: the day of the baskets (default: the import day)'),
  ).action(
    async (
      files: string[],
      opts: Common & {
        preset: string;
        map?: string;
        channel?: string;
        entity?: string;
        encoding?: string;
        delimiter?: string;
        rejects: string;
        store?: string;
        dateOrder?: 'dmy' | 'mdy';
        decimalSeparator?: '.' | ',';
        date?: string;
        check?: boolean;
      },
    ) => {
      const progress = createProgress(process.stderr, opts.json === true && process.stderr.isTTY !== true);
      const reports: ImportReport[] = [];
      const refused: Array<{ file: string; reason: string }> = [];
      await withDb(opts, async (db) => {
        for (const [i, file] of files.entries()) {
          try {
            const report = await importFile(db, systemClock, file, {
              preset: opts.preset,
              rejectsDir: opts.rejects,
              ...(opts.map !== undefined ? { mapFile: opts.map } : {}),
              ...(opts.channel !== undefined ? { channel: opts.channel } : {}),
              ...(opts.entity !== undefined ? { entity: opts.entity } : {}),
              ...(opts.encoding !== undefined ? { encoding: opts.encoding } : {}),
              ...(opts.delimiter !== undefined ? { delimiter: opts.delimiter } : {}),
              ...(opts.store !== undefined ? { store: opts.store } : {}),
              ...(opts.check === true ? { check: true } : {}),
              ...(opts.dateOrder !== undefined ? { dateOrder: opts.dateOrder } : {}),
              ...(opts.decimalSeparator !== undefined ? { decimalSeparator: opts.decimalSeparator } : {}),
              ...(opts.date !== undefined ? { date: opts.date } : {}),
              onPhase: (phase, rows) => progress.update(`${file} ${phase}`, i, files.length, rows),
            });
            reports.push(report);
            progress.update(`${file} done`, i + 1, files.length, report.rows_read);
            if (opts.json !== true) progress.done(importSummary(report));
          } catch (err) {
            if (!(err instanceof FileRefused)) throw err;
            refused.push({ file, reason: err.message });
            progress.done(`refused: ${err.message}`);
          }
        }
      });
      if (opts.json === true) out(opts, { files: reports, refused }, () => '');
      if (refused.length > 0) process.exitCode = EXIT_REFUSED;
    },
  );

  common(program.command('stats').description('counts and revenue (gross, refunds, net) of the member base, per channel')).action(async (opts: Common) => {
    const stats = await withDb(opts, (db) => memberBaseStats(db));
    out(opts, stats, () => `Member base\n${keyValues(stats.totals)}\n\nPer channel\n${table(stats.channels)}`);
  });

  const members = program.command('members').description('member 360 and corrections');
  common(
    members.command('show').description('one member: identities per channel, orders, returns, events, purchases, merge history').argument('<ref>', 'member ID, phone, email or channel:external-id'),
  ).action(async (ref: string, opts: Common) => {
    const view = await withDb(opts, async (db) => memberView(db, await findMember(db, ref)));
    out(opts, view, () =>
      [
        `Member ${String(view.member['member_id'])}`,
        keyValues(view.member),
        `\nPurchases\n${keyValues(view.summary)}`,
        `\nIdentities\n${table(view.identities)}`,
        `\nConsents\n${table(view.consents)}`,
        `\nOrders\n${table(view.orders)}`,
        `\nReturns\n${table(view.returns)}`,
        `\nEvents\n${table(view.events)}`,
        `\nMerge history\n${table(view.merges)}`,
        `\nRFM and lifecycle (as stored by regulars refresh)\n${table(view.analytics)}`,
        `\nTags (as stored by regulars refresh)\n${view.tags.length === 0 ? '  none' : view.tags.map((t) => `  ${String(t['tag'])}: ${String(t['value'])}${t['measure'] === null ? '' : ` (${String(t['measure'])})`}\n    rule: ${String(t['rule'])}`).join('\n')}`,
        `\nCustomer models (as stored by regulars models score)\n${memberScoresText(view.models)}`,
      ].join('\n'),
    );
  });
  common(
    members
      .command('unmerge')
      .description('split a wrongly merged account off a member; later imports keep them apart')
      .argument('<member>', 'member ID (or phone/email/channel:id that names it)')
      .argument('<account>', 'the account to split off, as channel:external-id')
      .option('--reason <text>', 'why (kept in the merge audit)'),
  ).action(async (member: string, account: string, opts: Common & { reason?: string }) => {
    const result = await withDb(opts, async (db) => unmerge(db, systemClock, await findMember(db, member), account, opts.reason ?? null));
    out(opts, result, () => `Split ${account} off ${result.member_id}: now ${result.new_member_id ?? '-'} and ${result.remaining_member_id ?? '-'} (${result.rules_added} do-not-merge rules added)`);
  });

  const identity = program.command('identity').description('identity resolution');
  common(identity.command('report').description('quarantined identifiers and resolution totals')).action(async (opts: Common) => {
    const report = await withDb(opts, (db) => identityReport(db));
    out(opts, report, () => {
      const q = report['quarantine'] as Parameters<typeof table>[0];
      const k = report['by_kind'] as Parameters<typeof table>[0];
      const t = report['totals'] as Record<string, unknown>;
      return `Identity resolution\n${keyValues(t)}\n\nBy kind\n${table(k)}\n\nQuarantined (shared by too many accounts; never merged on)\n${table(q)}`;
    });
  });
  common(identity.command('resolve').description('re-resolve every identity from scratch (same result as the incremental runs)')).action(async (opts: Common) => {
    const result = await withDb(opts, (db) => db.transaction(() => resolveIdentities(db, systemClock, 'all', null)));
    out(opts, result, () => keyValues({ ...result }));
  });

  const analysisOptions = (cmd: Command): Command =>
    ruleOptions(
      common(
        cmd
          .option('--as-of <date>', 'YYYY-MM-DD (default: the last day with a purchase)')
          .addOption(new Option('--period <p>', 'cohort and period length (default: setting analysis.period)').choices(['week', 'month']))
          .option('--window-days <n>', 'RFM analysis window (default: setting analysis.rfm_window_days)')
          .option('--second-purchase-days <n>', 'days for the second-purchase rate (default: setting analysis.second_purchase_days)')
          .option('--from <date>', 'KPI period start (default: 27 days before --to)')
          .option('--to <date>', 'KPI period end (default: the as-of date)')
          .addOption(new Option('--by <dimension>', 'KPI drill-down (channel, store, category), or segment: the report once per saved segment').choices([...BY_OPTIONS]).default('all'))
          .option('--segment <ids>', 'with --by segment: segment IDs or names, comma-separated (default: every saved segment)')
          .option('--out <dir>', 'review: also write the Markdown and HTML files into this folder')
          .addOption(new Option('--lang <lang>', 'labels of the printed report (default: from the locale, LANG)').choices(['zh', 'en'])),
      ),
    );
  type AnalysisFlags = RuleFlags &
    Common & { lang?: string; asOf?: string; period?: Period; windowDays?: string; secondPurchaseDays?: string; from?: string; to?: string; by: By; segment?: string; out?: string };
  const toOptions = (o: AnalysisFlags): Parameters<typeof analyze>[3] => ({
    ...(o.asOf !== undefined ? { asOf: o.asOf } : {}),
    ...(o.period !== undefined ? { period: o.period } : {}),
    ...(o.windowDays !== undefined ? { windowDays: Number(o.windowDays) } : {}),
    ...(o.secondPurchaseDays !== undefined ? { secondPurchaseDays: Number(o.secondPurchaseDays) } : {}),
    by: o.segment !== undefined ? 'segment' : o.by,
    ...(o.segment !== undefined
      ? {
          segments: o.segment
            .split(',')
            .map((x) => x.trim())
            .filter((x) => x !== ''),
        }
      : {}),
    ...(o.from !== undefined ? { from: o.from } : {}),
    ...(o.to !== undefined ? { to: o.to } : {}),
    ...productFlags(o),
  });
  /** The KPI tree's sections as tables (the headline figures per period; each comparison's branches and contributions), or undefined for its other keys. */
  const kpiSection = (kpi: KpiResult, k: string): string[] | undefined => {
    if (k === 'summary') return [table(Object.entries(kpi.summary).map(([period, m]) => ({ period, ...m })))];
    if (k !== 'comparisons' && k !== 'traffic_view') return undefined;
    const out: string[] = [];
    for (const c of kpi[k]) {
      if ('without_visit_data' in c) for (const w of c.without_visit_data) out.push(`  ${w.channel}: ${w.note}`);
      out.push(`  against ${c.against} (${c.from}..${c.to}): change ${c.total} = sum of contributions ${c.sum}`);
      const rows = c.branches.map((b) => ({
        dim: b.dim,
        branch: b.branch,
        ...('visitors' in b.current ? { base_visitors: b.base.visitors, cur_visitors: b.current.visitors } : {}),
        base_gross: b.base.gross,
        gross: b.current.gross,
        ...b.contributions,
      }));
      out.push(table(rows));
    }
    return out;
  };
  const showDoc = (d: AnalysisDocument, lang: CliLang = 'en'): string => {
    const parts = [
      lang === 'zh'
        ? `${d.report} 截至 ${d.as_of}（计算于 ${d.computed_at}${d.from_store ? '，已存储' : ''}）`
        : `${d.report} as of ${d.as_of} (computed ${d.computed_at}${d.from_store ? ', stored' : ''})`,
    ];
    const rules = d.params['rules'];
    if (Array.isArray(rules)) parts.push(...rules.map((r) => `  rule: ${String(r)}`));
    const kpi = d.report === 'kpi' ? reportResult('kpi', d) : undefined;
    for (const [k, v] of Object.entries(d.result)) {
      const previous = kpi?.comparisons.find((c) => c.against === 'previous period');
      parts.push(`\n${sectionTitle(lang, k, previous === undefined ? {} : { from: previous.from, to: previous.to })}`);
      const section = kpi === undefined ? undefined : kpiSection(kpi, k);
      if (section !== undefined) {
        parts.push(...section);
      } else if (Array.isArray(v))
        parts.push(
          table(
            translateRows(
              lang,
              v.filter((x): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x)),
              k,
            ),
          ),
        );
      else if (typeof v === 'object' && v !== null) parts.push(keyValues(v as Record<string, unknown>));
      else parts.push(`  ${String(v)}`);
    }
    return parts.join('\n');
  };
  analysisOptions(
    program
      .command('analyze')
      .description('member analytics as of a date, stored so reading again does not recompute')
      .argument('<report>', `one of ${REPORTS.join(', ')}`),
  ).action(async (report: string, opts: AnalysisFlags) => {
    if (!(REPORTS as readonly string[]).includes(report)) throw new UsageError(`unknown report '${report}'; choose one of ${REPORTS.join(', ')}`);
    const doc = await withDb(opts, (db, ops) => analyze(db, systemClock, report as Report, { ...toOptions(opts), definitions: ops }));
    // With --by segment the document holds one part per segment, each shown as a report of its own.
    const parts: Array<{ doc: AnalysisDocument; title: string; suffix: string }> =
      doc.params['by'] === 'segment'
        ? (doc.result['segments'] as Array<Record<string, unknown>>).map((p) => ({
            doc: { ...doc, params: { ...doc.params, segment: p['segment_id'] }, computed_at: String(p['computed_at']), result: p['result'] as Record<string, unknown> },
            title: `segment ${String(p['name'])} (${String(p['segment_id'])}): ${String(p['members'])} members on ${doc.as_of}`,
            suffix: `-${String(p['segment_id'])}`,
          }))
        : [{ doc, title: '', suffix: '' }];
    const shown = (fn: (d: AnalysisDocument) => string): string => parts.map((p) => (p.title === '' ? fn(p.doc) : `== ${p.title}\n${fn(p.doc)}`)).join('\n\n');
    if (report === 'review') {
      const review = (d: AnalysisDocument) => reportResult('review', d);
      if (opts.out !== undefined) {
        mkdirSync(opts.out, { recursive: true });
        for (const p of parts) {
          const r = review(p.doc);
          const base = join(opts.out, `review-${r.period.from}_${r.period.to}${p.suffix}`);
          writeFileSync(`${base}.md`, r.markdown);
          writeFileSync(`${base}.html`, r.html);
          process.stderr.write(`wrote ${base}.md and ${base}.html\n`);
        }
      }
      out(opts, doc, () => shown((d) => review(d).markdown.trimEnd()));
      return;
    }
    const lang = cliLang(opts.lang, config().locale);
    out(opts, doc, () => shown((d) => showDoc(d, lang)));
  });
  analysisOptions(program.command('refresh').description('recompute and store every report as of a date'))
    .option('--only <reports>', `comma-separated reports to recompute (default: all: ${REPORTS.join(', ')})`)
    .action(async (opts: AnalysisFlags & { only?: string }) => {
      if (opts.by === 'segment' || opts.segment !== undefined)
        throw new UsageError('refresh stores the reports of the whole member base; split one report with `regulars analyze REPORT --by segment`');
      const only = opts.only
        ?.split(',')
        .map((x) => x.trim())
        .filter((x) => x !== '');
      const unknown = only?.filter((r) => !(REPORTS as readonly string[]).includes(r)) ?? [];
      if (unknown.length > 0) throw new UsageError(`unknown report '${unknown.join("', '")}' in --only; known: ${REPORTS.join(', ')}`);
      const docs = await withDb(opts, (db) => refresh(db, systemClock, { ...toOptions(opts), ...(only !== undefined ? { reports: only as Report[] } : {}) }));
      out(opts, docs, () => docs.map((d) => `${d.report} as of ${d.as_of}: computed ${d.computed_at}`).join('\n'));
    });

  addOperationalCommands(program);

  // Segments: a rule is JSON text or a file holding it.
  const segments = program.command('segments').description('segments: rule trees counted live, saved, snapshotted, exported (docs/segments.md)');
  const ruleOf = (text: string): ReturnType<typeof parseRule> => parseRule(jsonArg(text, 'the rule', (f) => readFileSync(f, 'utf8')));
  const asOfOf = async (db: Db, asOf: string | undefined): Promise<string> => asOf ?? (await defaultAsOf(db, systemClock));
  common(
    segments
      .command('count')
      .description('members matching a rule')
      .requiredOption('--rule <json|file>', 'the rule tree')
      .option('--as-of <date>', 'evaluation date (default: the latest purchase day)'),
  ).action(async (opts: Common & { rule: string; asOf?: string }) => {
    const rule = ruleOf(opts.rule);
    const r = await withDb(opts, async (db) => {
      const asOf = await asOfOf(db, opts.asOf);
      const t = performance.now();
      const members = await countSegment(db, rule, asOf);
      return { as_of: asOf, members, ms: Math.round(performance.now() - t) };
    });
    out(opts, r, () => `${r.members} members as of ${r.as_of} (${r.ms} ms)`);
  });
  common(segments.command('create').description('save a segment').requiredOption('--name <name>', 'its name').requiredOption('--rule <json|file>', 'the rule tree')).action(
    async (opts: Common & { name: string; rule: string }) => {
      const seg = await withOps(opts, (ops) => createSegment(ops, systemClock, opts.name, ruleOf(opts.rule)));
      out(opts, seg, () => `segment ${seg.segment_id} '${seg.name}' saved`);
    },
  );
  common(segments.command('list').description('saved segments with their latest size')).action(async (opts: Common) => {
    const rows = await withDbIfFree(opts, (db, ops) => listSegments(ops, db));
    out(opts, rows, () => (rows.length === 0 ? 'no segments' : table(rows)));
  });
  common(segments.command('show').description('a segment: its rule and size history').argument('<id>')).action(async (id: string, opts: Common) => {
    const r = await withDbIfFree(opts, async (db, ops) => ({ ...(await getSegment(ops, id)), history: db === null ? [] : await segmentHistory(db, ops, id) }));
    out(opts, r, () => `${r.segment_id} '${r.name}'\nrule: ${JSON.stringify(r.rule)}\n${r.history.length === 0 ? 'no snapshots' : table(r.history)}`);
  });
  common(segments.command('snapshot').description("store the segment's members as of a date").argument('<id>').option('--as-of <date>', 'evaluation date')).action(
    async (id: string, opts: Common & { asOf?: string }) => {
      const r = await withDb(opts, async (db, ops) => snapshotSegment(db, ops, systemClock, id, await asOfOf(db, opts.asOf)));
      out(opts, r, () => `snapshot ${r.snapshot_id}: ${r.size} members as of ${r.as_of}`);
    },
  );
  common(
    segments
      .command('export')
      .description('members of the latest snapshot as CSV')
      .argument('<id>')
      .option('--out <file>', 'write to a file (default: stdout)')
      .option('--as-of <date>', 'date of the snapshot taken when there is none'),
  ).action(async (id: string, opts: Common & { out?: string; asOf?: string }) => {
    const csv = await withDb(opts, async (db, ops) => exportSegmentCsv(db, ops, systemClock, id, await asOfOf(db, opts.asOf)));
    if (opts.out === undefined) process.stdout.write(csv);
    else {
      writeFileSync(opts.out, csv);
      process.stderr.write(`regulars: ${csv.split('\n').length - 2} members written to ${opts.out}\n`);
    }
  });
  common(segments.command('delete').description('delete a segment and its snapshots').argument('<id>')).action(async (id: string, opts: Common) => {
    const ok = await withDbIfFree(opts, (db, ops) => deleteSegment(ops, db, id));
    if (!ok) throw new UsageError(`no segment ${id}`);
    out(opts, { segment_id: id, deleted: true }, () => `segment ${id} deleted`);
  });

  addCampaignCommands(program);
  addExperimentCommands(program);
  addModelCommands(program);
  addLoyaltyCommands(program);
  addCouponCommands(program);

  program
    .command('generate')
    .description('write a synthetic, realistic dataset of canonical files (same seed, same bytes)')
    .option('--members <n>', 'people to generate', '20000')
    .option('--days <n>', 'days of history', '730')
    .option('--seed <s>', 'random seed', '1')
    .option('--start <date>', 'first day (YYYY-MM-DD)', '2024-01-01')
    .option('--out <dir>', 'output folder', 'demo-data')
    .option('--only <stems>', 'comma-separated files to write (e.g. order_lines)')
    .option('--json', 'print one JSON document on stdout')
    .action(async (opts: { members: string; days: string; seed: string; start: string; out: string; only?: string; json?: boolean }) => {
      const n = Number(opts.members);
      const days = Number(opts.days);
      if (!Number.isInteger(n) || n <= 0) throw new UsageError('--members must be a positive whole number');
      if (!Number.isInteger(days) || days <= 0) throw new UsageError('--days must be a positive whole number');
      const progress = createProgress(process.stderr, opts.json === true && process.stderr.isTTY !== true);
      let last = 0;
      const { generate } = await import('../generate/index.js');
      const report = await generate({
        members: n,
        days,
        seed: opts.seed,
        out: opts.out,
        start: opts.start,
        ...(opts.only !== undefined ? { only: opts.only.split(',').map((s) => s.trim()) } : {}),
        onProgress: (p) => {
          if (p.people - last >= Math.max(1, Math.floor(p.total / 20)) || p.people === p.total) {
            last = p.people;
            progress.update('people', p.people, p.total, p.people);
          }
        },
      });
      progress.done(`generated ${report.people} people in ${report.seconds}s into ${report.out}`);
      out({ json: opts.json === true }, report, () => table(Object.entries(report.files).map(([name, f]) => ({ file: name, rows: f.rows, bytes: f.bytes, path: f.path }))));
    });

  return program;
}

export async function main(argv: readonly string[]): Promise<void> {
  try {
    await buildProgram().parseAsync([...argv]);
  } catch (err) {
    fail(err);
  }
}

await main(process.argv);
