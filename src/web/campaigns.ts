/** The campaigns page: the list, and per campaign the uplift with intervals, waves, delivery and verdict. */
import { h, list, obj, text, type Ctx } from './main.js';
import { empty } from './dom.js';
import { toNumber } from './format.js';
import { COLOR, axisTooltip, grid, valueAxis } from './charts.js';

type R = Record<string, unknown>;

/**
 * One uplift as a box from the 95% low to high with the estimate as its middle line. Colour by
 * meaning: green when the interval is wholly above zero (better), red when wholly below (worse),
 * grey when it covers zero (not significant).
 */
function intervalChart(c: Ctx, parent: HTMLElement, ev: R): void {
  const rows: Array<[string, R, (v: unknown) => string]> = [
    [c.t('response_uplift'), obj(ev['response_uplift']), (v) => c.f.points(v, 2)],
    [c.t('revenue_uplift'), obj(ev['revenue_uplift']), (v) => c.f.signedMoney(v)],
    [c.t('margin_uplift'), obj(ev['margin_uplift']), (v) => c.f.signedMoney(v)],
  ];
  for (const [label, i, fmt] of rows) {
    const lo = toNumber(i['low']) ?? 0;
    const hi = toNumber(i['high']) ?? 0;
    const est = toNumber(i['estimate']) ?? 0;
    const verdict = lo > 0 ? 'better' : hi < 0 ? 'worse' : 'not_significant';
    const color = verdict === 'better' ? COLOR.better : verdict === 'worse' ? COLOR.worse : COLOR.neutral;
    const pad = Math.abs(hi - lo) * 0.2 || 1;
    c.chart(parent, {
      title: { text: `${label}: ${fmt(est)} [${fmt(lo)}, ${fmt(hi)}] · ${c.t(verdict)}`, textStyle: { fontSize: 13 } },
      grid: { left: 40, right: 40, top: 40, bottom: 24 },
      tooltip: { formatter: () => `${fmt(est)} [${fmt(lo)}, ${fmt(hi)}]` },
      xAxis: { type: 'value', min: Math.min(lo, 0) - pad, max: Math.max(hi, 0) + pad, axisLabel: { formatter: (v: number) => fmt(v) } },
      yAxis: { type: 'category', data: [''] },
      series: [
        { type: 'boxplot', data: [[lo, lo, est, hi, hi]], itemStyle: { color: `${color}33`, borderColor: color }, markLine: { symbol: 'none', data: [{ xAxis: 0 }], lineStyle: { color: COLOR.neutral, type: 'dashed' }, label: { formatter: () => '0' } } },
      ],
    }, 110);
  }
}

async function detail(c: Ctx, id: string, out: HTMLElement): Promise<void> {
  const [shown, evaluation] = await Promise.all([c.api(`/api/campaigns/${encodeURIComponent(id)}${c.filters.as_of === '' ? '' : `?as_of=${encodeURIComponent(c.filters.as_of)}`}`), c.api(`/api/campaigns/${encodeURIComponent(id)}/evaluation`)]);
  const def = obj(shown['definition']);
  const power = obj(shown['power']);
  out.replaceChildren(h('h3', { id: 'campaign-title' }, h('span', { translate: 'no' }, text(shown['name'])), ` · ${c.v('status', shown['status'])}`));
  out.append(
    h('p', { class: 'note' }, `${c.f.dateTime(def['starts_at'])} · ${c.t('control_group')} ${c.f.number(obj(def['control'])['percent'])}% · ${c.t('goal')} ${c.v('goal', def['goal'])} · ${c.t('attribution')} ${c.t('attribution_days', { n: text(def['attribution_days']) })}`),
    h('p', { class: 'note', id: 'campaign-power' }, `${c.t('power')}: ${c.t('power_text', {
      audience: c.f.count(power['audience']), baseline: c.f.rate(power['baseline_rate'], 2), points: c.f.number(power['detect_uplift_points']), required: c.f.count(power['required_audience']),
      detectable: power['detectable_uplift_points'] === null ? c.f.missing : `${c.f.number(power['detectable_uplift_points'])} ${c.t('points_unit')}`,
    })}`),
  );
  const waves = list(shown['waves']);
  out.append(h('h4', {}, c.t('waves')), c.table(waves.map((w) => ({ wave: w['wave_id'], channel: w['channel'], at: w['at'], best_hour: w['best_hour'], when: w['when'] === null ? '' : JSON.stringify(w['when']) })), undefined, { at: (v) => text(v) }));
  const funnel = list(evaluation['funnel']);
  c.chart(out, {
    title: { text: c.t('delivery_funnel'), textStyle: { fontSize: 13 } },
    tooltip: axisTooltip((v) => c.f.count(v)),
    legend: { bottom: 0 },
    grid: grid(c.f, { bottom: 40 }),
    xAxis: { type: 'category', data: funnel.map((w) => text(w['wave_id'])) },
    yAxis: valueAxis((v) => c.f.countShort(v)),
    series: (['sent', 'suppressed', 'delivered', 'opened', 'clicked'] as const).map((k) => ({
      name: c.t(`f_${k}`),
      type: 'bar',
      data: funnel.map((w) => (k === 'sent' || k === 'suppressed' ? toNumber(obj(w['states'])[k]) : toNumber(w[k]))),
    })),
  }, 260);
  const runs = list(evaluation['runs']);
  if (runs.length === 0) {
    out.append(empty(c.t('not_launched')));
    return;
  }
  for (const run of runs) {
    const ev = obj(run['evaluation']);
    const r = obj(run['run']);
    const win = obj(run['window']);
    out.append(h('h4', {}, `${c.t('run')} ${text(r['run_id'])} · ${c.t('period_label', { from: c.f.date(win['from']), to: c.f.date(win['to']) })}`));
    out.append(h('p', { class: 'verdict', 'data-verdict': 'true' }, text(obj(run['verdict'])[c.lang])));
    const groups = (['treatment', 'control'] as const).map((g) => ({ group_kind: c.t(g), ...obj(ev[g]) }));
    out.append(c.table(groups));
    intervalChart(c, out, ev);
    const inc = obj(ev['incremental']);
    out.append(h('p', { class: 'note' }, c.t('incremental', { responders: c.f.number(inc['responders'], 1), revenue: c.f.signedMoney(inc['revenue']), margin: c.f.signedMoney(inc['margin']), cost: c.f.money(ev['cost']), roi: ev['roi'] === null ? c.f.missing : c.f.number(ev['roi']) })));
    c.exportable(groups, `campaign-${id}-run-${text(r['run_id'])}`);
  }
}

/** Campaigns: pick one from the list. */
export async function campaigns(c: Ctx): Promise<void> {
  c.el.append(h('h2', {}, c.t('page_campaigns')));
  const rows = list((await c.api('/api/campaigns'))['campaigns']);
  if (rows.length === 0) {
    const box = empty(c.t('empty_campaigns'));
    box.append(h('pre', {}, h('code', {}, 'regulars campaigns create --file campaign.json')));
    c.el.append(box);
    return;
  }
  const out = h('div', { id: 'campaign-detail' });
  const t = c.table(rows, ['campaign_id', 'name', 'status', 'audience', 'runs', 'created_at'], { status: (v) => c.v('status', v), name: (v) => text(v) });
  t.querySelectorAll('tbody tr').forEach((tr, i) => {
    tr.setAttribute('style', 'cursor:pointer');
    tr.addEventListener('click', () => void detail(c, text(rows[i]?.['campaign_id']), out));
  });
  c.el.append(t, out);
  c.exportable(rows, 'campaigns');
  await detail(c, text(rows[0]?.['campaign_id']), out);
}
