/** The campaigns page: the list, and per campaign the uplift with intervals, waves, funnel and verdict. */
import { h, table, type Ctx } from './main.js';

type R = Record<string, unknown>;
const num = (v: unknown): number => Number(v ?? 0);
const list = (v: unknown): R[] => (Array.isArray(v) ? v.filter((x): x is R => typeof x === 'object' && x !== null) : []);
const obj = (v: unknown): R => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as R) : {});

/** One uplift as a box from the 95% low to high with the estimate as its middle line. */
function intervalChart(c: Ctx, parent: HTMLElement, ev: R): void {
  const rows: Array<[string, R, number]> = [
    [c.t('response_uplift'), obj(ev['response_uplift']), 100],
    [c.t('revenue_uplift'), obj(ev['revenue_uplift']), 1],
    [c.t('margin_uplift'), obj(ev['margin_uplift']), 1],
  ];
  const withheld = obj(ev['withheld']);
  for (const [label, i, scale] of rows) {
    if (typeof i['low'] !== 'number') {
      // Revenue and margin are not judged where too few members bought: say why instead of drawing.
      const key = label === c.t('revenue_uplift') ? 'revenue' : 'margin';
      parent.append(h('p', { class: 'note', 'data-withheld': key }, `${label}: ${String(withheld[key] ?? '-')}`));
      continue;
    }
    const lo = num(i['low']) * scale;
    const hi = num(i['high']) * scale;
    const est = num(i['estimate']) * scale;
    const covers = lo <= 0 && hi >= 0;
    c.chart(parent, {
      title: { text: `${label}: ${est.toFixed(2)} [${lo.toFixed(2)}, ${hi.toFixed(2)}]`, textStyle: { fontSize: 13 } },
      grid: { left: 40, right: 40, top: 40, bottom: 24 },
      xAxis: { type: 'value', scale: true, min: Math.min(lo, 0) - Math.abs(hi - lo) * 0.2, max: Math.max(hi, 0) + Math.abs(hi - lo) * 0.2 },
      yAxis: { type: 'category', data: [''] },
      series: [
        { type: 'boxplot', data: [[lo, lo, est, hi, hi]], itemStyle: { color: covers ? '#e0e6ed' : '#cfe8d2', borderColor: covers ? '#829ab1' : '#3f9142' }, markLine: { symbol: 'none', data: [{ xAxis: 0 }], lineStyle: { color: '#c8372d' } } },
      ],
    }, 110);
  }
}

async function detail(c: Ctx, id: string, out: HTMLElement): Promise<void> {
  const [shown, evaluation] = await Promise.all([c.api<R>(`/api/campaigns/${encodeURIComponent(id)}${c.filters.as_of === '' ? '' : `?as_of=${encodeURIComponent(c.filters.as_of)}`}`), c.api<R>(`/api/campaigns/${encodeURIComponent(id)}/evaluation`)]);
  const def = obj(shown['definition']);
  const power = obj(shown['power']);
  out.replaceChildren(h('h3', { id: 'campaign-title' }, `${String(shown['name'])} · ${String(shown['status'])}`));
  out.append(
    h('p', { class: 'note' }, `T ${String(def['starts_at'])} · ${c.t('control_group')} ${String(obj(def['control'])['percent'])}% · ${c.t('goal')} ${String(def['goal'])} · ${c.t('attribution')} ${String(def['attribution_days'])}d`),
    h('p', { class: 'note', id: 'campaign-power' }, `${c.t('power')}: ${c.t('audience')} ${String(power['audience'])}, ${c.t('baseline')} ${(num(power['baseline_rate']) * 100).toFixed(2)}%; +${String(power['detect_uplift_points'])} pt ${c.t('needs')} ${String(power['required_audience'])}; ${c.t('detectable')} ${power['detectable_uplift_points'] === null ? 'n/a' : `${num(power['detectable_uplift_points']).toFixed(2)} pt`}; ${String(power['as_of'] ?? '')}; ${c.t('revenue_uplift')} ${power['detectable_revenue_uplift'] === null ? 'n/a' : num(power['detectable_revenue_uplift']).toFixed(2)}`),
  );
  const waves = list(shown['waves']);
  out.append(h('h4', {}, c.t('waves')), table(waves.map((w) => ({ wave: w['wave_id'], channel: w['channel'], at: w['at'], best_hour: w['best_hour'], when: w['when'] === null ? '' : JSON.stringify(w['when']) }))));
  const funnel = list(evaluation['funnel']);
  c.chart(out, {
    title: { text: c.t('delivery_funnel'), textStyle: { fontSize: 13 } },
    tooltip: { trigger: 'axis' },
    legend: { bottom: 0 },
    xAxis: { type: 'category', data: funnel.map((w) => String(w['wave_id'])) },
    yAxis: { type: 'value' },
    series: (['sent', 'suppressed', 'delivered', 'opened', 'clicked'] as const).map((k) => ({
      name: c.t(`f_${k}`),
      type: 'bar',
      data: funnel.map((w) => (k === 'sent' || k === 'suppressed' ? num(obj(w['states'])[k]) : num(w[k]))),
    })),
  }, 260);
  const runs = list(evaluation['runs']);
  if (runs.length === 0) {
    out.append(h('div', { class: 'empty', 'data-empty': 'true' }, c.t('not_launched')));
    return;
  }
  for (const run of runs) {
    const ev = obj(run['evaluation']);
    const r = obj(run['run']);
    out.append(h('h4', {}, `${c.t('run')} ${String(r['run_id'])} · ${String(obj(run['window'])['from'])} – ${String(obj(run['window'])['to'])}`));
    out.append(h('p', { class: 'verdict', 'data-verdict': 'true' }, String(obj(run['verdict'])[c.lang])));
    const groups = (['treatment', 'control'] as const).map((g) => ({ group: c.t(g), ...obj(ev[g]) }));
    out.append(table(groups));
    intervalChart(c, out, ev);
    const inc = obj(ev['incremental']);
    out.append(h('p', { class: 'note' }, `${c.t('incremental')}: ${String(inc['responders'])} · ${String(inc['revenue'])} · ${String(inc['margin'])}; ${c.t('cost')} ${String(ev['cost'])}; ROI ${ev['roi'] === null ? 'n/a' : num(ev['roi']).toFixed(2)}`));
    c.exportable(groups, `campaign-${id}-run-${String(r['run_id'])}`);
  }
}

/** Campaigns: pick one from the list (or from #/campaigns?id=...). */
export async function campaigns(c: Ctx): Promise<void> {
  c.el.append(h('h2', {}, c.t('page_campaigns')));
  const rows = (await c.api<{ campaigns: R[] }>('/api/campaigns')).campaigns;
  if (rows.length === 0) {
    c.el.append(h('div', { class: 'empty', 'data-empty': 'true' }, c.t('empty_campaigns')));
    return;
  }
  const out = h('div', { id: 'campaign-detail' });
  const t = table(rows);
  t.querySelectorAll('tbody tr').forEach((tr, i) => {
    tr.setAttribute('style', 'cursor:pointer');
    tr.addEventListener('click', () => void detail(c, String(rows[i]?.['campaign_id']), out));
  });
  c.el.append(t, out);
  c.exportable(rows, 'campaigns');
  await detail(c, String(rows[0]?.['campaign_id']), out);
}
