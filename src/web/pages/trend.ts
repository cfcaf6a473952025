/** The sales trend: weekly or monthly gross sales with the same periods last year and the target. */
import { h, list, obj, text, type Ctx } from '../main.js';
import { empty } from '../dom.js';
import { toNumber } from '../format.js';
import { COLOR, axisTooltip, grid, valueAxis } from '../charts.js';

/** Draws the trend up to the page's period end into `parent`; `ly` names last year's comparison period. */
export async function trendChart(c: Ctx, parent: HTMLElement, ly: { from: string; to: string } | undefined): Promise<void> {
  const q = new URLSearchParams({
    as_of: c.range.to,
    grain: c.range.grain,
    ...(c.filters.channel === '' ? {} : { channel: c.filters.channel }),
    ...(c.filters.segment === '' ? {} : { segment: c.filters.segment }),
  });
  const doc = await c.api(`/api/trend?${q.toString()}`);
  const points = list(doc['points']);
  parent.append(h('h3', { id: 'trend-title' }, c.t('trend', { grain: c.t(c.range.grain) })));
  if (ly !== undefined) parent.append(h('p', { class: 'note' }, c.t('vs_last_year', { from: c.f.date(ly.from), to: c.f.date(ly.to) })));
  if (points.every((p) => toNumber(p['orders']) === 0)) {
    parent.append(empty(c.t('empty_sales')));
    return;
  }
  const label = (p: Record<string, unknown>): string => `${c.range.grain === 'month' ? c.f.month(p['from']) : c.f.date(p['from'])}${p['partial'] === true ? ' *' : ''}`;
  const hasTarget = points.some((p) => p['target'] !== null && p['target'] !== undefined);
  c.chart(
    parent,
    {
      grid: grid(c.f, { bottom: 50 }),
      legend: { top: 0 },
      tooltip: axisTooltip((v) => c.f.money(v)),
      xAxis: { type: 'category', data: points.map(label) },
      yAxis: valueAxis((v) => c.f.moneyShort(v)),
      series: [
        { name: c.t('current'), type: 'line', data: points.map((p) => toNumber(p['gross_sales'])), itemStyle: { color: COLOR.actual }, lineStyle: { width: 3 } },
        { name: c.t('last_year'), type: 'line', data: points.map((p) => toNumber(obj(p['last_year'])['gross_sales'])), itemStyle: { color: COLOR.lastYear } },
        ...(hasTarget
          ? [{ name: c.t('target'), type: 'line', data: points.map((p) => toNumber(p['target'])), itemStyle: { color: COLOR.target }, lineStyle: { type: 'dashed', width: 2 }, symbol: 'diamond' }]
          : []),
      ],
    },
    320,
  );
  c.exportable(
    points.map((p) => ({
      from: p['from'],
      to: p['to'],
      gross_sales: p['gross_sales'],
      orders: p['orders'],
      buyers: p['buyers'],
      last_year_gross_sales: obj(p['last_year'])['gross_sales'],
      target: p['target'],
      partial: text(p['partial']),
    })),
    'trend',
  );
}
