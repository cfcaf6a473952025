/** Overview: headline cards against the named previous period and last year, the KPI tree, what moved sales, and the trend. */
import { h, type Ctx } from '../main.js';
import type { KpiBranch } from '../../contracts/kpi.js';
import { empty } from '../dom.js';
import { toNumber } from '../format.js';
import { COLOR, grid, valueAxis } from '../charts.js';
import { trendChart } from './trend.js';

/** A headline card: the value, and its change against the comparison period (green when better). */
function card(c: Ctx, label: string, value: string, cur: unknown, base: unknown, vs: string, id: string): HTMLElement {
  const a = toNumber(cur);
  const b = toNumber(base);
  const d = a === null || b === null || b === 0 ? null : (a - b) / Math.abs(b);
  return h(
    'div',
    { class: 'card', 'data-card': id },
    h('div', { class: 'label' }, label),
    h('div', { class: 'value' }, value),
    d === null ? h('div', { class: 'delta' }, c.f.missing) : h('div', { class: `delta ${d >= 0 ? 'up' : 'down'}`, title: vs }, `${c.f.change(d)} ${vs}`),
  );
}

/** The overview page. */
export async function overview(c: Ctx): Promise<void> {
  const doc = await c.report('kpi', { from: c.range.from, ...(c.filters.channel === '' ? {} : { by: 'channel' }) });
  const r = doc.result;
  const cur = r.summary.current;
  const prev = r.summary.previous;
  const period = r.period;
  const p = r.comparisons.find((x) => x.against.startsWith('previous'));
  const ly = r.comparisons.find((x) => x.against.startsWith('same period last year'));
  const vsPrev = c.t('vs_previous_short');
  c.el.append(h('h2', {}, `${c.t('page_overview')} · ${c.t('period_label', { from: c.f.date(period.from), to: c.f.date(period.to) })}`));
  if (c.filters.channel !== '') c.el.append(h('p', { class: 'note' }, `${c.t('channel')}: ${c.filters.channel} · ${c.t('channel_note')}`));
  if ((toNumber(cur.orders) ?? 0) === 0) {
    c.el.append(empty(c.t('empty_sales')));
    return;
  }
  c.el.append(
    h('p', { class: 'note', id: 'compared-with' }, c.t('compared_with', { from: c.f.date(p?.from), to: c.f.date(p?.to) })),
    h(
      'div',
      { class: 'cards' },
      card(c, c.t('gross_sales'), c.f.moneyShort(cur.gross_sales), cur.gross_sales, prev.gross_sales, vsPrev, 'gross_sales'),
      card(c, c.t('net_sales'), c.f.moneyShort(cur.net_sales), cur.net_sales, prev.net_sales, vsPrev, 'net_sales'),
      card(c, c.t('buyers'), c.f.count(cur.buyers), cur.buyers, prev.buyers, vsPrev, 'buyers'),
      card(c, c.t('orders'), c.f.count(cur.orders), cur.orders, prev.orders, vsPrev, 'orders'),
      card(c, c.t('average_order_value'), c.f.money(cur.average_order_value), cur.average_order_value, prev.average_order_value, vsPrev, 'average_order_value'),
      cur.conversion === null
        ? h(
            'div',
            { class: 'card', 'data-card': 'conversion' },
            h('div', { class: 'label' }, c.t('conversion')),
            h('div', { class: 'value' }, c.f.missing),
            h('div', { class: 'delta' }, c.t('no_conversion')),
          )
        : card(c, c.t('conversion'), c.f.rate(cur.conversion), cur.conversion, prev.conversion, vsPrev, 'conversion'),
    ),
  );
  const branches = (p?.branches ?? []).filter((b) => c.filters.channel === '' || b.dim === c.filters.channel);
  const node = (b: KpiBranch): Record<string, unknown> => {
    const cu = b.current;
    const buyers = toNumber(cu.buyers) ?? 0;
    const orders = toNumber(cu.orders) ?? 0;
    return {
      name: `${c.v('branch', b.branch)}\n${c.f.moneyShort(cu.gross)}`,
      children: [
        { name: `${c.t('buyers')} ${c.f.count(buyers)}` },
        { name: `${c.t('orders_per_buyer')} ${buyers === 0 ? c.f.missing : c.f.number(orders / buyers)}` },
        { name: `${c.t('average_order_value')} ${orders === 0 ? c.f.missing : c.f.money((toNumber(cu.gross) ?? 0) / orders)}` },
      ],
    };
  };
  c.el.append(h('h3', {}, c.t('kpi_tree')));
  c.chart(
    c.el,
    {
      series: [
        {
          type: 'tree',
          data: [{ name: `${c.t('gross_sales')}\n${c.f.moneyShort(cur.gross_sales)}`, children: branches.map(node) }],
          top: '5%',
          left: '14%',
          bottom: '5%',
          right: '30%',
          symbolSize: 10,
          label: { position: 'top', fontSize: 12, lineHeight: 15 },
          leaves: { label: { position: 'right' } },
          expandAndCollapse: false,
        },
      ],
    },
    380,
  );
  // Waterfall: the LMDI contributions summed per driver, from the previous period to this one.
  // A transparent helper series lifts each bar; the tooltip and labels show only the signed change.
  const drivers = new Map<string, number>();
  for (const b of branches) for (const [d, v] of Object.entries(b.contributions)) drivers.set(d, Math.round(((drivers.get(d) ?? 0) + (toNumber(v) ?? 0)) * 100) / 100);
  const base = Math.round(branches.reduce((a, b) => a + (toNumber(b.base.gross) ?? 0), 0) * 100) / 100;
  const names = [c.t('previous'), ...[...drivers.keys()].map((d) => c.v('driver', d)), c.t('current')];
  let running = base;
  const lift: number[] = [0];
  const bars: Array<{ value: number; change: number | null; itemStyle: { color: string } }> = [{ value: base, change: null, itemStyle: { color: COLOR.previous } }];
  for (const v of drivers.values()) {
    lift.push(Math.round((v >= 0 ? running : running + v) * 100) / 100);
    bars.push({ value: Math.abs(v), change: v, itemStyle: { color: v >= 0 ? COLOR.better : COLOR.worse } });
    running = Math.round((running + v) * 100) / 100;
  }
  lift.push(0);
  bars.push({ value: running, change: null, itemStyle: { color: COLOR.actual } });
  const barText = (i: number): string => {
    const b = bars[i];
    if (b === undefined) return '';
    return b.change === null ? c.f.moneyShort(b.value) : c.f.signedMoneyShort(b.change);
  };
  const barExact = (i: number): string => {
    const b = bars[i];
    if (b === undefined) return '';
    return b.change === null ? c.f.money(b.value) : c.f.signedMoney(b.change);
  };
  c.el.append(h('h3', {}, c.t('decomposition', { from: c.f.date(p?.from), to: c.f.date(p?.to) })));
  c.chart(c.el, {
    grid: grid(c.f),
    tooltip: {
      trigger: 'axis',
      formatter: (items: Array<{ dataIndex: number; name: string }>) => {
        const i = items[0]?.dataIndex ?? 0;
        return `${items[0]?.name ?? ''}: ${barExact(i)}`;
      },
    },
    xAxis: { type: 'category', data: names, axisLabel: { interval: 0, overflow: 'break', width: 80 } },
    yAxis: valueAxis((v) => c.f.moneyShort(v)),
    series: [
      { name: '', type: 'bar', stack: 'w', data: lift, itemStyle: { color: 'transparent' }, emphasis: { disabled: true }, tooltip: { show: false } },
      { name: c.t('net_change'), type: 'bar', stack: 'w', data: bars, label: { show: true, position: 'top', formatter: (x: { dataIndex: number }) => barText(x.dataIndex) } },
    ],
  });
  await trendChart(c, c.el, ly);
  c.exportable(
    branches.map((b) => ({ dim: b.dim, branch: b.branch, base_gross: b.base.gross, gross: b.current.gross, ...b.contributions })),
    'kpi',
  );
}
