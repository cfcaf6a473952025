/** Repeat and retention: the cohort heat map (legend on the data's own scale) and the second-purchase rate with its target. */
import { h, type Ctx } from '../main.js';
import { empty } from '../dom.js';
import { toNumber } from '../format.js';
import { COLOR, axisTooltip, grid, valueAxis } from '../charts.js';

/** The repeat page. */
export async function repeat(c: Ctx): Promise<void> {
  const [cohorts, rep] = await Promise.all([c.report('cohorts'), c.report('repeat')]);
  const matrix = cohorts.result.matrix;
  c.el.append(h('h2', {}, `${c.t('page_repeat')} · ${c.t('as_of')} ${c.f.date(c.range.to)}`));
  if (matrix.length === 0) {
    c.el.append(empty(c.t('empty_cohorts')));
    return;
  }
  const names = [...new Set(matrix.map((m) => m.cohort))];
  const later = matrix.filter((m) => (toNumber(m.periods_since) ?? 0) > 0);
  const maxP = Math.max(0, ...matrix.map((m) => toNumber(m.periods_since) ?? 0));
  const maxRate = Math.max(0.01, ...later.map((m) => toNumber(m.member_rate) ?? 0));
  c.el.append(h('h3', {}, c.t('cohort_heatmap')));
  c.chart(
    c.el,
    {
      tooltip: {
        position: 'top',
        formatter: (p: { data: [number, number, number, number] }) =>
          c.t('cohort_tip', { cohort: c.f.date(names[p.data[1]] ?? ''), n: p.data[0], rate: c.f.rate(p.data[2]), members: c.f.count(p.data[3]) }),
      },
      grid: { left: 10, right: 20, top: 30, bottom: 70, containLabel: true },
      xAxis: { type: 'category', name: c.t('periods_since'), nameLocation: 'middle', nameGap: 25, data: Array.from({ length: maxP + 1 }, (_, i) => String(i)) },
      yAxis: { type: 'category', data: names.map((n) => c.f.date(n)) },
      // The legend spans the data's own range (0 to the highest share), labelled as percentages.
      visualMap: { min: 0, max: maxRate, calculable: true, orient: 'horizontal', left: 'center', bottom: 0, dimension: 2, formatter: (v: number) => c.f.rate(v, 0) },
      series: [{ type: 'heatmap', data: later.map((m) => [toNumber(m.periods_since) ?? 0, names.indexOf(m.cohort), toNumber(m.member_rate) ?? 0, toNumber(m.members) ?? 0]) }],
    },
    Math.max(360, names.length * 18 + 120),
  );
  const sp = rep.result.second_purchase;
  c.el.append(h('h3', {}, c.t('second_purchase')));
  c.chart(
    c.el,
    {
      tooltip: axisTooltip((v) => c.f.rate(v)),
      legend: { top: 0 },
      grid: grid(c.f),
      xAxis: { type: 'category', data: sp.map((s) => c.f.date(s.cohort)) },
      yAxis: valueAxis((v) => c.f.rate(v, 0)),
      series: [
        { name: c.t('current'), type: 'line', data: sp.map((s) => toNumber(s.rate)), itemStyle: { color: COLOR.actual } },
        { name: c.t('target'), type: 'line', lineStyle: { type: 'dashed', color: COLOR.target }, itemStyle: { color: COLOR.target }, symbol: 'diamond', data: sp.map((s) => toNumber(s.target)) },
      ],
    },
    320,
  );
  c.exportable(sp, 'second-purchase');
}
