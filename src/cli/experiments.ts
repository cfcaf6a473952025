/**
 * `regulars experiments evaluate FILE.csv`: judge an experiment run elsewhere (an SMS blast
 * with its own holdout list, a marketplace coupon test) from member-level outcomes, with the
 * statistics the campaign evaluation uses.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { describeProblem, parseAllocation, parseExperimentCsv, tryEvaluateExperiment, type ArmResult, type ComparisonResult, type ExperimentDocument, type ExperimentOptions } from '../stats/index.js';
import { out, UsageError } from './shell.js';
import { table } from './table.js';

const fmt = (x: number | null, digits = 4): string => (x === null ? '' : Number.isInteger(x) ? String(x) : x.toFixed(digits));
const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

function line(metric: string, c: ComparisonResult): Record<string, string> {
  return {
    metric,
    estimate: fmt(c.estimate),
    '95% interval': c.low === null || c.high === null ? '' : `${fmt(c.low)} to ${fmt(c.high)}`,
    relative: c.relative === null ? '' : `${pct(c.relative.estimate)} (${pct(c.relative.low)} to ${pct(c.relative.high)})`,
    p: fmt(c.p_value),
    verdict: c.withheld_reason ?? (c.significant ? (c.estimate > 0 ? 'higher' : 'lower') : 'no evidence of a difference'),
  };
}

function armText(a: ArmResult): string {
  const rows = [line('response', a.response), line('revenue (capped)', a.revenue), line('revenue (uncapped)', a.revenue_uncapped)];
  if (a.margin !== undefined) rows.push(line('margin (capped)', a.margin));
  if (a.margin_uncapped !== undefined) rows.push(line('margin (uncapped)', a.margin_uncapped));
  const parts = [`${a.arm} against ${a.against}`, table(rows)];
  const inc = a.increments;
  if (inc !== null) {
    const r = (x: { estimate: number; low: number; high: number } | null): string => (x === null ? 'withheld' : `${x.estimate.toFixed(2)} (${x.low.toFixed(2)} to ${x.high.toFixed(2)})`);
    parts.push(
      `  incremental over ${inc.exposures} treated: responders ${r(inc.responders)}, revenue ${r(inc.revenue)}${inc.margin === null ? '' : `, margin ${r(inc.margin)}`}${inc.roi === null ? '' : `, ROI ${r(inc.roi)}`}`,
    );
  }
  for (const run of a.runs ?? [])
    parts.push(
      `  run ${run.run}: response ${fmt(run.response.estimate)} (${fmt(run.response.low)} to ${fmt(run.response.high)}), revenue ${run.revenue.withheld_reason ?? `${fmt(run.revenue.estimate)} (${fmt(run.revenue.low)} to ${fmt(run.revenue.high)})`}`,
    );
  return parts.join('\n');
}

/** The document as text for people. */
export function experimentText(d: ExperimentDocument): string {
  const m = d.method;
  const srm =
    d.srm.p_value === null
      ? `sample ratio: not checked (${d.srm.skipped_reason ?? ''})`
      : `sample ratio: p = ${d.srm.p_value.toPrecision(3)}${d.srm.warn ? ' - WARNING: the arms are not the planned sizes; the assignment may be broken and no result is trustworthy' : ' (as planned)'}`;
  return [
    `method: ${m.name}; ${m.capping_percentile === null ? 'no capping' : `capped at the ${m.capping_percentile}th percentile of positive values`}; CUPED ${m.cuped ? `on (${m.cuped_covariates.join(', ')})` : 'off'}; verdicts need ${m.min_responders} responders per arm`,
    table(d.groups.map((g) => ({ arm: g.arm, members: g.members, member_runs: g.member_runs, responses: g.responses, buyers: g.buyers, revenue: g.revenue.toFixed(2) }))),
    srm,
    ...d.arms.map(armText),
    ...d.between_arms.map(armText),
  ].join('\n\n');
}

/** Registers `experiments evaluate`. */
export function addExperimentCommands(program: Command): void {
  const experiments = program.command('experiments').description('judge an experiment run elsewhere from member-level outcomes (docs/campaign-statistics.md)');
  experiments
    .command('evaluate')
    .description('each treatment arm against control from a CSV: member_id, arm, responded, revenue [, margin, pre_revenue, pre_orders, run]')
    .argument('<file>', 'CSV, one row per member and run')
    .option('--allocation <shares>', 'planned shares for the sample-ratio check, e.g. control=0.1,offer=0.9')
    .option('--cap <percentile>', 'cap revenue and margin at this percentile of the positive values (0 turns capping off)', '95')
    .option('--no-cuped', 'do not adjust with pre_revenue and pre_orders')
    .option('--min-responders <n>', 'withhold revenue and margin verdicts below this many responders per arm', '20')
    .option('--cost <arm=amount,...>', 'campaign cost per treatment arm, for ROI')
    .option('--sequential', 'always-valid intervals, for an experiment looked at again and again')
    .option('--json', 'print one JSON document on stdout')
    .action((file: string, opts: { allocation?: string; cap: string; cuped: boolean; minResponders: string; cost?: string; sequential?: boolean; json?: boolean }) => {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (e) {
        throw new UsageError(`cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`);
      }
      const parsed = parseExperimentCsv(text);
      if (!parsed.ok) throw new UsageError(`${file}: ${describeProblem(parsed.problem)}`);
      const cap = Number(opts.cap);
      const min = Number(opts.minResponders);
      if (!(cap >= 0 && cap <= 100)) throw new UsageError('--cap must be a percentile from 0 to 100');
      if (!Number.isInteger(min) || min < 0) throw new UsageError('--min-responders must be a whole number');
      let options: ExperimentOptions = { capPercentile: cap === 0 ? null : cap / 100, cuped: opts.cuped, minResponders: min, sequential: opts.sequential === true };
      if (opts.allocation !== undefined) {
        const a = parseAllocation(opts.allocation);
        if (!a.ok) throw new UsageError(describeProblem(a.problem));
        options = { ...options, allocation: a.allocation };
      }
      if (opts.cost !== undefined) {
        const c = parseAllocation(opts.cost);
        if (!c.ok) throw new UsageError(`--cost: ${describeProblem(c.problem)}`);
        options = { ...options, costs: c.allocation };
      }
      const r = tryEvaluateExperiment(parsed.rows, options);
      if (!r.ok) throw new UsageError(`${file}: ${describeProblem(r.problem)}`);
      out(opts, r.value, () => experimentText(r.value));
    });
}
