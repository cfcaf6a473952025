/** `regulars models ...`: a thin shell over src/models. */
import { writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { systemClock } from '../core/clock.js';
import {
  clusterMembers,
  defaultScoreSettings,
  exportScoresCsv,
  fitModel,
  lastOccasionDay,
  ModelError,
  predictMember,
  scoreMembers,
  validateModel,
  type MemberScores,
  type ModelFit,
  type Period,
  type ValidationReport,
} from '../models/index.js';
import { findMember } from '../members/index.js';
import { common, out, UsageError, withDb, type Common } from './shell.js';
import { table } from './table.js';

type PeriodOpts = Common & { calibrationEnd: string; period: Period };

const periodOption = (): Option => new Option('--period <unit>', 'time unit of the model').choices(['week', 'day']).default('week');

/** Runs a command body, turning the models' expected failures into usage errors (exit code 2). */
async function guarded(fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof ModelError) throw new UsageError(err.message);
    throw err;
  }
}

function positiveNumber(value: string, what: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${what} must be a positive number, got '${value}'`);
  return n;
}

function fitText(f: ModelFit & { calibration_end: string; period: string }): string {
  const lines = [`${f.model} fitted on ${f.customers} members (${f.repeaters} repeaters), calibration ends ${f.calibration_end}, period ${f.period}`];
  for (const [k, v] of Object.entries(f.params)) {
    const se = f.standard_errors[k];
    lines.push(`  ${k.padEnd(6)} ${v.toFixed(4)}${se === null || se === undefined ? '' : `  (s.e. ${se.toFixed(4)})`}`);
  }
  lines.push(`  log-likelihood ${f.log_likelihood.toFixed(4)}${f.converged ? '' : '  (the optimiser did not converge)'}`);
  return lines.join('\n');
}

const pct = (e: number | null): string => (e === null ? 'n/a' : `${e >= 0 ? '+' : ''}${(e * 100).toFixed(2)}%`);

function validationText(v: ValidationReport): string {
  const lines = [fitText(v.fit), '', `holdout ${v.fit.calibration_end} to ${v.holdout_end} (${v.holdout.periods.toFixed(2)} ${v.fit.period}s); cohort from ${v.cohort_start}`];
  lines.push(`cumulative repeat occasions, actual against expected (week 1 starts ${v.cohort_start}; calibration ends in week ${v.calibration_week}):`);
  const shown = v.tracking.filter((p) => p.week % 4 === 0 || v.checkpoints.some((c) => c.week === p.week));
  lines.push(table(shown.map((p) => ({ week: p.week, ends: p.ends, actual: p.actual, expected: p.expected.toFixed(1), error: pct(p.actual > 0 ? (p.expected - p.actual) / p.actual : null) }))));
  lines.push(`error at weeks ${v.checkpoints.map((c) => `${c.week}: ${pct(c.error)}`).join(', ')}`);
  lines.push(`holdout repeat occasions: actual ${v.holdout.actual}, expected ${v.holdout.expected.toFixed(1)} (${pct(v.holdout.error)})`);
  lines.push('', 'mean holdout repeat occasions by calibration repeat occasions:');
  lines.push(table(v.conditional.map((c) => ({ x: c.x, members: c.members, actual: c.actual.toFixed(3), expected: c.expected.toFixed(3) }))));
  lines.push('', `fit: ${v.verdict}`, ...v.notes.map((n) => `  ${n}`));
  return lines.join('\n');
}

/** A member's stored model scores as profile lines. */
export function memberScoresText(m: MemberScores | null): string {
  if (m === null) return '  none (run regulars models score)';
  return [
    `  ${m.model} as of ${m.calibration_end} (${m.period}s): P(alive) ${m.p_alive.toFixed(3)}, churn risk ${m.churn_risk}`,
    `  expected purchases in the next ${m.horizon ?? '?'} ${m.period}s: ${m.expected_purchases.toFixed(2)}; expected next purchase: ${m.next_purchase_date ?? 'none within two years'}`,
    `  expected average spend ${m.expected_average_spend ?? 'n/a'}; CLV ${m.clv ?? 'n/a'}`,
  ].join('\n');
}

/** Registers the models commands. */
export function addModelCommands(program: Command): void {
  const models = program.command('models').description('customer models: BG/NBD, Pareto/NBD, Gamma-Gamma; scores and validation (docs/models.md)');

  common(
    models
      .command('fit')
      .description('fit a model on the occasions up to the calibration end and store it')
      .addArgument(new Command().createArgument('<model>', 'bgnbd, paretonbd or gammagamma').choices(['bgnbd', 'paretonbd', 'gammagamma']))
      .requiredOption('--calibration-end <day>', 'last day of the calibration period (YYYY-MM-DD; its occasions count)')
      .addOption(periodOption()),
  ).action((model: ModelFit['model'], opts: PeriodOpts) =>
    guarded(() =>
      withDb(opts, async (db) => {
        const fit = await fitModel(db, systemClock, model, opts.calibrationEnd, opts.period);
        out(opts, fit, () => fitText(fit));
      }),
    ),
  );

  common(
    models
      .command('predict')
      .description("one member's P(alive), expected purchases and spend from the stored fit (fitted first when missing)")
      .argument('<member>', 'member ID, phone, email or channel:external-id')
      .requiredOption('--calibration-end <day>', 'last day of the calibration period (YYYY-MM-DD)')
      .requiredOption('--horizon <n>', 'periods after the calibration end')
      .addOption(periodOption())
      .addOption(new Option('--model <name>', 'purchase model').choices(['bgnbd', 'paretonbd']).default('bgnbd')),
  ).action((ref: string, opts: PeriodOpts & { horizon: string; model: 'bgnbd' | 'paretonbd' }) =>
    guarded(() =>
      withDb(opts, async (db) => {
        const p = await predictMember(db, systemClock, await findMember(db, ref), {
          calibrationEnd: opts.calibrationEnd,
          horizon: positiveNumber(opts.horizon, '--horizon'),
          period: opts.period,
          model: opts.model,
        });
        out(opts, p, () =>
          [
            `${p.member_id} (${p.model}, calibration ends ${p.calibration_end}, ${p.period}s)`,
            `  x ${p.x}, t_x ${p.t_x.toFixed(2)}, T ${p.T.toFixed(2)}`,
            `  P(alive) ${p.p_alive.toFixed(4)}`,
            `  expected purchases in the next ${p.horizon} ${p.period}s: ${p.expected_purchases.toFixed(4)}`,
            ...(p.next_purchase_date !== undefined ? [`  expected next purchase (P reaches 50%): ${p.next_purchase_date ?? 'not within two years'}`] : []),
            ...(p.expected_average_spend !== undefined ? [`  expected average spend: ${p.expected_average_spend.toFixed(2)}`] : []),
          ].join('\n'),
        );
      }),
    ),
  );

  common(
    models
      .command('validate')
      .description('fit on the calibration period, predict the holdout and compare: weekly tracking, conditional expectations, verdict')
      .addArgument(new Command().createArgument('<model>', 'bgnbd or paretonbd').choices(['bgnbd', 'paretonbd']))
      .requiredOption('--calibration-end <day>', 'last day of the calibration period (YYYY-MM-DD)')
      .option('--holdout-end <day>', 'last day of the holdout (default: the last day with an occasion)')
      .addOption(periodOption()),
  ).action((model: 'bgnbd' | 'paretonbd', opts: PeriodOpts & { holdoutEnd?: string }) =>
    guarded(() =>
      withDb(opts, async (db) => {
        const v = await validateModel(db, systemClock, { model, calibrationEnd: opts.calibrationEnd, period: opts.period, ...(opts.holdoutEnd !== undefined ? { holdoutEnd: opts.holdoutEnd } : {}) });
        out(opts, v, () => validationText(v));
      }),
    ),
  );

  common(
    models
      .command('score')
      .description('score every member (P(alive), expected purchases, next purchase date, spend, CLV, churn risk) and store the scores')
      .option('--calibration-end <day>', 'score as of this day (default: the last day with an occasion)')
      .addOption(periodOption())
      .addOption(new Option('--model <name>', 'purchase model').choices(['bgnbd', 'paretonbd']).default('bgnbd'))
      .option('--horizon <n>', 'periods of expected purchases (default 13 weeks or 91 days)')
      .option('--clv-horizon <n>', 'periods of CLV (default 52 weeks or 365 days)')
      .option('--discount-rate <rate>', 'yearly discount rate of CLV', '0.10')
      .option('--margin <rate>', 'gross margin rate of CLV (default: campaigns.default_margin_percent / 100)'),
  ).action((opts: Common & { calibrationEnd?: string; period: Period; model: 'bgnbd' | 'paretonbd'; horizon?: string; clvHorizon?: string; discountRate: string; margin?: string }) =>
    guarded(() =>
      withDb(opts, async (db) => {
        const end = opts.calibrationEnd ?? (await lastOccasionDay(db));
        if (end === null) throw new UsageError('no purchase occasions to score');
        const s = defaultScoreSettings(end, opts.period, opts.model);
        if (opts.horizon !== undefined) s.horizon = positiveNumber(opts.horizon, '--horizon');
        if (opts.clvHorizon !== undefined) s.clvHorizon = positiveNumber(opts.clvHorizon, '--clv-horizon');
        const rate = Number(opts.discountRate);
        if (!Number.isFinite(rate) || rate < 0) throw new UsageError(`--discount-rate must be 0 or more, got '${opts.discountRate}'`);
        s.annualDiscountRate = rate;
        if (opts.margin !== undefined) s.marginRate = positiveNumber(opts.margin, '--margin');
        const run = await scoreMembers(db, systemClock, s);
        out(opts, run, () =>
          [
            `${run.members} members scored with ${run.settings.model} as of ${run.settings.calibrationEnd} (${run.histories} distinct histories)`,
            `  churn risk: high ${run.churn_risk.high}, medium ${run.churn_risk.medium}, low ${run.churn_risk.low}; mean P(alive) ${run.mean_p_alive.toFixed(3)}`,
            `  expected purchases in the next ${run.settings.horizon} ${run.settings.period}s: ${run.expected_purchases.toFixed(1)}`,
            `  CLV over ${run.settings.clvHorizon} ${run.settings.period}s: ${run.clv ?? 'n/a (no spend model)'}; ${run.with_next_purchase_date} members with a next purchase date`,
          ].join('\n'),
        );
      }),
    ),
  );

  common(models.command('export').description('the latest scores as CSV, one row per member').option('--out <file>', 'write to a file instead of stdout')).action((opts: Common & { out?: string }) =>
    withDb(opts, async (db) => {
      const csv = await exportScoresCsv(db);
      if (opts.out === undefined) process.stdout.write(csv);
      else writeFileSync(opts.out, csv);
    }),
  );

  common(
    models
      .command('clusters')
      .description(
        'k-means clusters of members (recency, occasions, value per occasion, tenure; category, channel and tag shares when asked), described in words, each with the rules that separate it',
      )
      .option('--as-of <day>', 'features as of this day (default: the last day with an occasion)')
      .option('--k <n>', 'number of clusters (default: chosen by silhouette, 2 to 8)')
      .option('--seed <seed>', 'seed of the k-means start and the silhouette sample', 'regulars')
      .option('--categories', "add each member's share of product value by top category (the 8 most common)")
      .option('--channels', "add each member's share of occasions by channel")
      .option('--tags', "add the member's tags from the latest analytics refresh (the 8 most common values)"),
  ).action((opts: Common & { asOf?: string; k?: string; seed: string; categories?: boolean; channels?: boolean; tags?: boolean }) =>
    guarded(() =>
      withDb(opts, async (db) => {
        const asOf = opts.asOf ?? (await lastOccasionDay(db));
        if (asOf === null) throw new UsageError('no purchase occasions to cluster');
        const r = await clusterMembers(db, asOf, {
          seed: opts.seed,
          categories: opts.categories === true,
          channels: opts.channels === true,
          tags: opts.tags === true,
          ...(opts.k !== undefined ? { k: positiveNumber(opts.k, '--k') } : {}),
        });
        out(opts, r, () =>
          [
            `${r.k} clusters as of ${r.as_of} (k: ${r.k_criterion}; mean silhouette ${r.silhouette.toFixed(3)}; seed ${r.seed})`,
            ...r.clusters.flatMap((c) => [
              `\ncluster ${c.cluster}: ${c.members} members (${(c.share * 100).toFixed(1)}%): ${c.words}`,
              ...c.rules.map((rule) => `  if ${rule}`),
              `  (the rules cover ${(c.explanation.recall * 100).toFixed(0)}% of the cluster; the tree classifies ${(c.explanation.accuracy * 100).toFixed(1)}% of members right)`,
            ]),
          ].join('\n'),
        );
      }),
    ),
  );
}
