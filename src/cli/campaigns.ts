/** `regulars channels ...` and `regulars campaigns ...`: a thin shell over src/campaigns. */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { systemClock } from '../core/clock.js';
import { validateChannelConfig } from '../channels/index.js';
import {
  CampaignError,
  campaignOverview,
  createCampaign,
  evaluateCampaignRuns,
  launchCampaign,
  listCampaigns,
  listMessageChannels,
  runDue,
  setMessageChannel,
  storedChannels,
  type CampaignEvaluation,
} from '../campaigns/index.js';
import { couponCostOf, couponVariables } from '../coupons/index.js';
import { common, jsonArg, out, withDb, withDbIfFree, withOps, type Common } from './shell.js';
import { table } from './table.js';

const read = (f: string): string => readFileSync(f, 'utf8');

function evaluationText(e: CampaignEvaluation, lang: 'en' | 'zh'): string {
  const lines: string[] = [`${e.campaign_id} '${e.name}' (goal ${e.goal})`];
  for (const r of e.runs) {
    const ev = r.evaluation;
    lines.push(`\nrun ${r.run.run_id}: T ${r.run.starts_at}, window ${r.window.from} to ${r.window.to}`);
    lines.push(
      table(
        (['treatment', 'control'] as const).map((g) => ({
          group: g,
          members: ev[g].members,
          responders: ev[g].responders,
          response_rate: `${(ev[g].response_rate * 100).toFixed(2)}%`,
          orders: ev[g].orders,
          revenue: ev[g].revenue,
          revenue_per_member: ev[g].revenue_per_member,
          margin_per_member: ev[g].margin_per_member,
        })),
      ),
    );
    const ci = (i: { estimate: number; low: number; high: number } | null, scale: number, unit: string, withheld: string | null = null): string =>
      i === null ? `withheld (${withheld ?? 'no interval'})` : `${(i.estimate * scale).toFixed(2)}${unit} [${(i.low * scale).toFixed(2)}, ${(i.high * scale).toFixed(2)}]`;
    lines.push(`response uplift ${ci(ev.response_uplift, 100, ' pt')}; revenue per member (capped) ${ci(ev.revenue_uplift, 1, '', ev.withheld.revenue)}`);
    if (r.cost.coupon_discount !== '0.0000') lines.push(`coupons: discount redeemed ${r.cost.coupon_discount} (in the cost)`);
    lines.push(
      `incremental (capped, 95%): responders ${ci(ev.increments.responders, 1, '')}, revenue ${ci(ev.increments.revenue, 1, '', ev.withheld.revenue)}, margin ${ci(ev.increments.margin, 1, '', ev.withheld.margin)}; cost ${ev.cost}; ROI ${ev.roi === null ? 'n/a' : ci(ev.roi, 1, '')}`,
    );
    lines.push(`incremental (uncapped, exact points): revenue ${ev.incremental.revenue}, margin ${ev.incremental.margin}`);
    lines.push(lang === 'zh' ? r.verdict.zh : r.verdict.en);
  }
  const p = e.pooled;
  if (p !== null) {
    if (p.comparison === null) lines.push(`\npooled over ${p.runs} runs: ${p.unavailable_reason}`);
    else {
      const c = p.comparison;
      const span = (x: { estimate: number; low: number | null; high: number | null; withheld_reason: string | null }, scale: number): string =>
        x.low === null || x.high === null ? `withheld (${x.withheld_reason ?? ''})` : `${(x.estimate * scale).toFixed(2)} [${(x.low * scale).toFixed(2)}, ${(x.high * scale).toFixed(2)}]`;
      lines.push(
        `\npooled over ${p.runs} runs (member level): response uplift ${span(c.response, 100)} pt per run; revenue per member and run (capped) ${span(c.revenue, 1)}; cost ${p.cost}; ROI ${p.roi === null ? 'n/a' : `${p.roi.estimate.toFixed(2)} [${p.roi.low.toFixed(2)}, ${p.roi.high.toFixed(2)}]`}`,
      );
    }
  }
  lines.push(
    '',
    table(
      e.funnel.map((w) => ({
        wave: w.wave_id,
        channel: w.channel,
        at: w.at,
        sent: w.states['sent'] ?? 0,
        suppressed: w.states['suppressed'] ?? 0,
        failed: w.states['failed'] ?? 0,
        delivered: w.delivered,
        opened: w.opened,
        clicked: w.clicked,
      })),
    ),
  );
  return lines.join('\n');
}

/** Registers the channels and campaigns commands. */
export function addCampaignCommands(program: Command): void {
  const channels = program.command('channels').description('named outbound channels for campaign waves: csv, webhook, email (docs/channels.md)');
  common(channels.command('set').description('store a channel configuration').argument('<name>').requiredOption('--config <json|file>', 'the configuration')).action(
    async (name: string, opts: Common & { config: string }) => {
      const v = validateChannelConfig(jsonArg(opts.config, 'the channel configuration', read));
      if (!v.ok) throw new CampaignError(`invalid channel ${name}`, v.errors);
      await withOps(opts, (ops) => setMessageChannel(ops, systemClock, name, v.config));
      out(opts, { name, kind: v.config.kind }, () => `channel ${name} (${v.config.kind}) saved`);
    },
  );
  common(channels.command('list').description('stored channels (secrets masked)')).action(async (opts: Common) => {
    const rows = await withOps(opts, (ops) => listMessageChannels(ops));
    out(opts, rows, () => (rows.length === 0 ? 'no channels' : table(rows.map((r) => ({ name: r.name, config: JSON.stringify(r.config), updated_at: r.updated_at })))));
  });

  const campaigns = program.command('campaigns').description('campaigns with a control group, waves, a durable scheduler, evaluation (docs/campaigns.md)');
  common(campaigns.command('create').description('create a draft from a campaign JSON file').requiredOption('--file <json|file>', 'the campaign definition')).action(
    async (opts: Common & { file: string }) => {
      const c = await withOps(opts, (ops) => createCampaign(ops, systemClock, jsonArg(opts.file, 'the campaign', read)));
      out(opts, c, () => `campaign ${c.campaign_id} '${c.name}' saved as a draft`);
    },
  );
  common(campaigns.command('list').description('campaigns, newest first')).action(async (opts: Common) => {
    const rows = await withDbIfFree(opts, (db, ops) => listCampaigns(ops, db));
    out(opts, rows, () => (rows.length === 0 ? 'no campaigns' : table(rows)));
  });
  common(
    campaigns
      .command('show')
      .description('definition, power check, runs and sends')
      .argument('<id>')
      .option('--as-of <date>', 'audience date for the power check (default: the launched audience date, else the last day of the data)'),
  ).action(async (id: string, opts: Common & { asOf?: string }) => {
    const r = await withDb(opts, (db, ops) => campaignOverview(db, ops, systemClock, id, opts.asOf === undefined ? {} : { asOf: opts.asOf }));
    out(opts, r, () => {
      const p = r.power;
      return [
        `${r.campaign_id} '${r.name}' ${r.status}; goal ${r.definition.goal}; T ${r.definition.starts_at}; control ${r.definition.control.percent}%${r.definition.control.stratify_by_lifecycle ? ' stratified by lifecycle' : ''}; attribution ${r.definition.attribution_days} days`,
        `power as of ${p.as_of}: audience ${p.audience}, baseline ${(p.baseline_rate * 100).toFixed(2)}%; detecting +${p.detect_uplift_points} pt needs ${p.required_audience} members; with this audience and holdout the smallest detectable uplift is ${p.detectable_uplift_points === null ? 'n/a' : `${p.detectable_uplift_points.toFixed(2)} pt`}${p.enough ? '' : ' (audience too small for the wanted uplift)'}`,
        `revenue: ${p.baseline_revenue_per_member.toFixed(2)} per member in the last ${r.definition.attribution_days} days (capped); smallest detectable uplift ${p.detectable_revenue_uplift === null ? 'n/a (no buyers)' : `${p.detectable_revenue_uplift.toFixed(2)} per member`}`,
        table(r.waves.map((w) => ({ wave: w.wave_id, channel: w.channel, at: w.at, best_hour: w.best_hour, when: w.when === null ? '' : JSON.stringify(w.when), ...w.states }))),
        r.runs.length === 0 ? 'not launched' : table(r.runs.map((x) => ({ ...x }))),
      ].join('\n');
    });
  });
  common(campaigns.command('launch').description('freeze the audience, assign the control group, plan the waves').argument('<id>').option('--as-of <date>', 'audience date (default: today)')).action(
    async (id: string, opts: Common & { asOf?: string }) => {
      const r = await withDb(opts, (db, ops) => launchCampaign(db, ops, systemClock, id, opts.asOf === undefined ? {} : { asOf: opts.asOf }));
      out(
        opts,
        r,
        () =>
          `run ${r.run_id} launched: ${r.audience} members frozen, ${r.control} in the control group (${r.audience === 0 ? '0' : ((100 * r.control) / r.audience).toFixed(1)}%; target ${(r.control_bp / 100).toFixed(2)}%), T ${r.starts_at}`,
      );
    },
  );
  common(
    campaigns
      .command('run')
      .description('the scheduler: send what is due (state in the database; safe to stop and restart)')
      .option('--once', 'process what is due now and exit')
      .option('--every <seconds>', 'seconds between passes', '60'),
  ).action(async (opts: Common & { once?: boolean; every: string }) => {
    const every = Number(opts.every);
    await withDb(opts, async (db, ops) => {
      for (;;) {
        const r = await runDue(db, ops, systemClock, storedChannels(ops), { variables: couponVariables(ops) });
        if (opts.json === true || r.sent + r.failed + r.retry + r.planned.length + r.launched.length + Object.keys(r.suppressed).length > 0 || opts.once === true) {
          out(
            opts,
            r,
            () =>
              `${r.now}${r.quiet ? ' (quiet hours)' : ''}: ${r.sent} sent, ${r.retry} to retry, ${r.failed} failed, suppressed ${JSON.stringify(r.suppressed)}${r.planned.length > 0 ? `, planned ${r.planned.map((p) => `${p.wave_id}:${p.sends}`).join(' ')}` : ''}`,
          );
        }
        if (opts.once === true) return;
        await new Promise((res) => setTimeout(res, Math.max(1, every) * 1000));
      }
    });
  });
  common(
    campaigns.command('evaluate').description('treatment against control per run, pooled runs, delivery funnel, verdict').argument('<id>').option('--lang <en|zh>', 'language of the verdict', 'en'),
  ).action(async (id: string, opts: Common & { lang: string }) => {
    const e = await withDb(opts, (db, ops) => evaluateCampaignRuns(db, ops, id, couponCostOf(ops)));
    out(opts, e, () => evaluationText(e, opts.lang === 'zh' ? 'zh' : 'en'));
  });
}
