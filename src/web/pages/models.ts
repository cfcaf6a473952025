/**
 * Customer models: the latest fits (parameters with standard errors, log-likelihood), the holdout
 * validation's tracking of cumulative repeat purchases, the latest scoring run's churn-risk bands,
 * P(alive) distribution and CLV by decile; and the member profile's part.
 */
import { h, list, obj, text, type Ctx } from '../main.js';
import { empty, fact } from '../dom.js';
import { toNumber } from '../format.js';
import { COLOR, axisTooltip, grid, valueAxis } from '../charts.js';

type R = Record<string, unknown>;

/** Model names as published (data in every language). */
const MODEL_NAMES: Record<string, string> = { bgnbd: 'BG/NBD', paretonbd: 'Pareto/NBD', gammagamma: 'Gamma-Gamma' };
/** Parameter names as in the papers. */
const GREEK: Record<string, string> = { alpha: 'α', beta: 'β', gamma: 'γ' };

const command = (message: string, code: string): HTMLElement => h('div', { class: 'empty', 'data-empty': 'true' }, h('p', {}, message), h('pre', {}, h('code', {}, code)));

/** The models page. */
export async function models(c: Ctx): Promise<void> {
  const [fitDoc, summary] = await Promise.all([c.api('/api/models/fits'), c.api('/api/models/scores/summary')]);
  const fits = list(fitDoc['fits']);
  const run = summary['run'] === null || summary['run'] === undefined ? null : obj(summary['run']);
  c.el.append(h('h2', {}, c.t('page_models')));
  if (fits.length === 0 && run === null) {
    c.el.append(command(c.t('md_empty'), 'regulars models score'));
    return;
  }
  // The latest fit of each model.
  const latest = [...new Map(fits.map((f) => [text(f['model']), f])).values()];
  c.el.append(h('h3', {}, c.t('md_fits')));
  c.el.append(
    c.table(
      latest.map((f) => {
        const se = obj(f['standard_errors']);
        const params = Object.entries(obj(f['params']))
          .map(([k, v]) => `${GREEK[k] ?? k} ${c.f.number(v, 4)}${se[k] === null || se[k] === undefined ? '' : ` ± ${c.f.number(se[k], 4)}`}`)
          .join(', ');
        return {
          md_model: MODEL_NAMES[text(f['model'])] ?? text(f['model']),
          md_calibration_end: f['calibration_end'],
          md_params: params,
          md_log_likelihood: f['log_likelihood'],
          md_customers: f['customers'],
          md_repeaters: f['repeaters'],
        };
      }),
      undefined,
      { md_calibration_end: (x) => c.f.date(x), md_log_likelihood: (x) => c.f.number(x, 1), md_customers: (x) => c.f.count(x), md_repeaters: (x) => c.f.count(x) },
    ),
  );
  const validationBox = h('div', { id: 'md-validation' });
  c.el.append(validationBox);
  if (run === null) c.el.append(command(c.t('md_not_scored'), 'regulars models score'));
  else scores(c, run);
  c.el.append(command(c.t('md_clusters_note'), 'regulars models clusters'));
  // The holdout validation of the latest purchase-model fit with a holdout after it (computed on demand).
  const purchase = fits.filter((f) => f['model'] === 'bgnbd' || f['model'] === 'paretonbd');
  if (purchase.length > 0) await validation(c, purchase.slice(0, 3), validationBox);
}

/** The first of the fits (latest first) whose calibration end leaves a holdout, validated; or why none could be. */
async function validation(c: Ctx, fits: R[], box: HTMLElement): Promise<void> {
  box.append(h('h3', {}, c.t('md_validation')));
  let v: R | null = null;
  let reason = '';
  for (const fit of fits) {
    const q = new URLSearchParams({ model: text(fit['model']), calibration_end: text(fit['calibration_end']), period: text(fit['period']) || 'week' });
    try {
      const doc = await c.api(`/api/models/validation?${q.toString()}`);
      if ((toNumber(obj(doc['holdout'])['periods']) ?? 0) > 0) {
        v = doc;
        break;
      }
    } catch (e) {
      reason = e instanceof Error ? e.message : String(e);
    }
  }
  if (v === null) {
    box.append(h('p', { class: 'note', 'data-empty': 'true' }, c.t('md_no_validation', { reason: reason || c.f.missing })));
    return;
  }
  box.append(h('p', { class: 'note', id: 'md-validated' }, `${c.t('md_calibration_end')}: ${c.f.date(obj(v['fit'])['calibration_end'])}`));
  const tracking = list(v['tracking']);
  const holdout = obj(v['holdout']);
  box.append(h('p', { class: 'note', id: 'md-verdict' }, c.t('md_verdict', { verdict: c.v('verdict', v['verdict']), error: holdout['error'] === null ? c.f.missing : c.f.change(holdout['error']) })));
  if (tracking.length === 0) {
    box.append(empty(c.t('md_no_validation', { reason: c.f.missing })));
    return;
  }
  const calibrationWeek = toNumber(v['calibration_week']) ?? 0;
  c.chart(
    box,
    {
      tooltip: axisTooltip((x) => c.f.number(x, 0)),
      legend: { top: 0 },
      grid: grid(c.f),
      xAxis: { type: 'category', name: c.t('md_week_unit'), nameLocation: 'middle', nameGap: 25, data: tracking.map((p) => text(p['week'])) },
      yAxis: valueAxis((x) => c.f.countShort(x)),
      series: [
        {
          name: c.t('md_actual'),
          type: 'line',
          symbol: 'none',
          data: tracking.map((p) => toNumber(p['actual'])),
          itemStyle: { color: COLOR.actual },
          markLine: { symbol: 'none', label: { formatter: c.t('md_calibration_end') }, lineStyle: { color: COLOR.neutral, type: 'dotted' }, data: [{ xAxis: String(calibrationWeek) }] },
        },
        { name: c.t('md_expected'), type: 'line', symbol: 'none', data: tracking.map((p) => toNumber(p['expected'])), lineStyle: { type: 'dashed' }, itemStyle: { color: COLOR.target } },
      ],
    },
    320,
  );
  box.append(
    c.table(
      list(v['checkpoints']).map((p) => ({ md_week: p['week'], md_actual: p['actual'], md_expected: p['expected'], md_error: p['error'] })),
      undefined,
      { md_week: (x) => c.t('md_week', { n: text(x) }), md_actual: (x) => c.f.number(x, 0), md_expected: (x) => c.f.number(x, 1), md_error: (x) => (x === null ? c.f.missing : c.f.change(x)) },
    ),
  );
}

function scores(c: Ctx, run: R): void {
  const risk = obj(run['churn_risk']);
  const bands = obj(run['bands']);
  c.el.append(
    h(
      'p',
      { class: 'note', id: 'md-run' },
      c.t('md_run', { members: c.f.count(run['members']), at: c.f.dateTime(run['scored_at']), end: c.f.date(run['calibration_end']), horizon: text(run['horizon']) }),
    ),
    h(
      'div',
      { class: 'cards', id: 'md-cards' },
      fact(c.t('md_p_alive_mean'), c.f.rate(run['mean_p_alive']), 'p-alive', 'card'),
      ...(['high', 'medium', 'low'] as const).map((b) => fact(`${c.t('md_churn')} · ${c.v('churn', b)}`, c.f.count(risk[b]), `churn-${b}`, 'card')),
      fact(c.t('md_clv_total'), run['clv_total'] === null ? c.f.missing : c.f.moneyShort(run['clv_total']), 'clv', 'card'),
    ),
  );
  if (Object.keys(bands).length > 0) c.el.append(h('p', { class: 'note' }, c.t('md_bands', { high: c.f.rate(bands['high'], 0), medium: c.f.rate(bands['medium'], 0) })));
  const bins = list(run['p_alive']);
  const high = toNumber(bands['high']) ?? 0.3;
  const medium = toNumber(bands['medium']) ?? 0.7;
  c.el.append(h('h3', {}, c.t('md_p_alive')));
  c.chart(
    c.el,
    {
      tooltip: axisTooltip((x) => c.f.count(x)),
      grid: grid(c.f),
      xAxis: { type: 'category', data: bins.map((b) => `${c.f.rate(b['from'], 0)}–${c.f.rate(b['to'], 0)}`) },
      yAxis: valueAxis((x) => c.f.countShort(x)),
      series: [
        {
          name: c.t('md_members'),
          type: 'bar',
          // Coloured by the churn-risk band the tenth falls in.
          data: bins.map((b) => {
            const from = toNumber(b['from']) ?? 0;
            return { value: toNumber(b['members']), itemStyle: { color: from < high ? COLOR.worse : from < medium ? COLOR.weak : COLOR.better } };
          }),
        },
      ],
    },
    300,
  );
  const deciles = list(run['clv_deciles']);
  c.el.append(h('h3', {}, c.t('md_clv')));
  if (deciles.length === 0) {
    c.el.append(empty(c.t('md_no_clv')));
    return;
  }
  const total = deciles.reduce((s, d) => s + (toNumber(d['total']) ?? 0), 0);
  c.chart(
    c.el,
    {
      tooltip: axisTooltip((x) => c.f.money(x)),
      grid: grid(c.f),
      xAxis: { type: 'category', data: deciles.map((d) => text(d['decile'])) },
      yAxis: valueAxis((x) => c.f.moneyShort(x)),
      series: [{ name: c.t('md_total'), type: 'bar', data: deciles.map((d) => toNumber(d['total'])), itemStyle: { color: COLOR.actual } }],
    },
    280,
  );
  c.el.append(
    c.table(
      deciles.map((d) => ({
        md_decile: d['decile'],
        md_members: d['members'],
        md_range: `${c.f.money(d['min'])} – ${c.f.money(d['max'])}`,
        md_total: d['total'],
        md_share: total === 0 ? null : (toNumber(d['total']) ?? 0) / total,
      })),
      undefined,
      { md_decile: (x) => text(x), md_members: (x) => c.f.count(x), md_range: (x) => text(x), md_total: (x) => c.f.money(x), md_share: (x) => (x === null ? c.f.missing : c.f.rate(x)) },
    ),
  );
  c.exportable(deciles, 'clv-deciles');
}

/** The member profile's customer-model facts (from `models` of the member view), or null when the member was not scored. */
export function memberModelFacts(c: Ctx, scores: unknown): HTMLElement | null {
  if (scores === null || scores === undefined) return null;
  const s = obj(scores);
  return h(
    'div',
    { class: 'cards profile-card', id: 'member-models' },
    fact(c.t('clv'), s['clv'] === null ? c.f.missing : c.f.money(s['clv']), 'clv'),
    fact(c.t('md_p_alive_label'), c.f.rate(s['p_alive']), 'p-alive'),
    fact(c.t('md_churn'), c.v('churn', s['churn_risk']), 'churn'),
    fact(c.t('md_next_purchase'), s['next_purchase_date'] === null ? c.t('md_none') : c.f.date(s['next_purchase_date']), 'next-purchase'),
  );
}
