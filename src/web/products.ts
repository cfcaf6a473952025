/** The product and service pages: the product matrix, bundles, and the agents' league table. */
import { h, type Ctx } from './main.js';
import { empty } from './dom.js';
import { toNumber } from './format.js';
import { COLOR, grid, valueAxis } from './charts.js';
import type { ProductClass } from '../contracts/products.js';

/** The classes in legend order, each with its colour. */
const CLASSES: ReadonlyArray<[ProductClass, string]> = [
  ['traffic_driver', COLOR.actual],
  ['profit_maker', COLOR.better],
  ['potential', COLOR.target],
  ['marginal', COLOR.neutral],
];

/** The product matrix: traffic against gross margin rate, one colour per class, the splits as lines. */
export async function products(c: Ctx): Promise<void> {
  const doc = await c.report('matrix', { from: c.range.from });
  const r = doc.result;
  const items = r.products;
  const splits = r.splits;
  c.el.append(h('h2', {}, `${c.t('products.title')} · ${c.t('period_label', { from: c.f.date(r.period.from), to: c.f.date(r.period.to) })}`));
  c.el.append(
    h(
      'p',
      { class: 'note' },
      c.t('products.splits', {
        traffic: splits.traffic_split === null ? c.f.missing : c.f.count(splits.traffic_split),
        margin: splits.margin_rate_split === null ? c.f.missing : c.f.rate(splits.margin_rate_split),
      }),
    ),
  );
  for (const w of r.channels_without_views) c.el.append(h('p', { class: 'note' }, c.t('products.no_views'), ' ', h('span', { translate: 'no' }, w.channel)));
  if (items.length === 0) {
    c.el.append(empty(c.t('products.empty')));
    return;
  }
  const className = (v: unknown): string => c.v('products.class', v === null || v === undefined ? 'none' : v);
  c.chart(
    c.el,
    {
      tooltip: {
        formatter: (p: { data: [number, number, string] }) => c.t('products.tip', { name: p.data[2], traffic: c.f.count(p.data[0]), rate: c.f.rate(p.data[1]) }),
      },
      legend: { top: 0 },
      grid: grid(c.f, { top: 48 }),
      xAxis: { type: 'log', name: c.t('products.traffic'), min: 1, axisLabel: { formatter: (v: number) => c.f.countShort(v) } },
      yAxis: valueAxis((v) => c.f.rate(v, 0), { name: c.t('products.margin_rate') }),
      series: CLASSES.map(([k, colour]) => ({
        name: className(k),
        type: 'scatter',
        itemStyle: { color: colour },
        data: items.filter((p) => p.class === k).map((p) => [Math.max(1, toNumber(p.traffic) ?? 0), toNumber(p.gross_margin_rate) ?? 0, p.name ?? p.sku]),
        markLine:
          k === 'traffic_driver'
            ? {
                symbol: 'none',
                label: { show: false },
                lineStyle: { type: 'dashed', color: COLOR.neutral },
                data: [{ xAxis: Math.max(1, splits.traffic_split ?? 1) }, { yAxis: splits.margin_rate_split ?? 0 }],
              }
            : undefined,
      })),
    },
    420,
  );
  const rate = (v: unknown): string => (v === null || v === undefined ? c.f.missing : c.f.rate(v));
  const shown = items.slice(0, 50).map((p) => ({
    sku: p.sku,
    name: p.name,
    class: p.class,
    previous_class: p.previous_class,
    traffic: p.traffic,
    conversion: p.conversion,
    sales: p.sales,
    gross_margin_rate: p.gross_margin_rate,
    new_buyer_share: p.new_buyer_share,
    repeat_rate: p.repeat_rate,
    price_percentile: p.price_percentile,
  }));
  c.el.append(
    h('h3', {}, c.t('products.by_sales')),
    c.table(
      shown,
      undefined,
      {
        class: className,
        previous_class: className,
        traffic: (v) => c.f.count(v),
        conversion: rate,
        sales: (v) => c.f.money(v),
        gross_margin_rate: rate,
        new_buyer_share: rate,
        repeat_rate: rate,
        price_percentile: rate,
      },
      'products.col',
    ),
  );
  c.el.append(
    h('h3', {}, c.t('products.moves')),
    c.table(r.movement, ['from_class', 'to_class', 'products'], { from_class: className, to_class: className, products: (v) => c.f.count(v) }, 'products.col'),
  );
  c.exportable(items, 'product-matrix');
  const bundles = (await c.report('bundles', { from: c.range.from })).result.bundles;
  c.el.append(h('h3', {}, c.t('products.bundles')));
  c.el.append(
    bundles.length === 0
      ? h('p', { class: 'note' }, c.t('products.no_bundles'))
      : c.table(
          bundles.map((b) => ({
            items: b.names.map((n, i) => n ?? b.skus[i] ?? '').join(' + '),
            lift: b.best_lift,
            baskets: b.baskets_with_all,
            price: b.avg_price_total,
            bought_part: b.members_with_part,
            bought_all: b.members_with_all,
          })),
          undefined,
          { lift: (v) => c.f.number(v), baskets: (v) => c.f.count(v), price: (v) => c.f.money(v), bought_part: (v) => c.f.count(v), bought_all: (v) => c.f.count(v) },
          'products.col',
        ),
  );
}

/** The customer-service league table: attributed sales and inquiry conversion per agent, then the table. */
export async function service(c: Ctx): Promise<void> {
  const doc = await c.report('service', { from: c.range.from });
  const r = doc.result;
  const agents = r.agents;
  c.el.append(h('h2', {}, `${c.t('service.title')} · ${c.t('period_label', { from: c.f.date(r.period.from), to: c.f.date(r.period.to) })}`));
  c.el.append(
    h(
      'p',
      { class: 'note' },
      c.t('service.totals', { sessions: c.f.count(r.totals.sessions), unanswered: c.f.count(r.totals.unanswered_sessions), anonymous: c.f.count(r.totals.anonymous_sessions) }),
    ),
  );
  if (agents.length === 0) {
    c.el.append(empty(c.t('service.empty')));
    return;
  }
  c.chart(
    c.el,
    {
      tooltip: {
        trigger: 'axis',
        formatter: (items: Array<{ dataIndex: number }>) => {
          const a = agents[items[0]?.dataIndex ?? 0];
          return a === undefined ? '' : `${a.agent}<br>${c.t('service.sales')}: ${c.f.money(a.sales)}<br>${c.t('service.conversion')}: ${c.f.rate(a.inquiry_conversion)}`;
        },
      },
      legend: { top: 0 },
      grid: grid(c.f),
      xAxis: { type: 'category', data: agents.map((a) => a.agent) },
      yAxis: [valueAxis((v) => c.f.moneyShort(v), { name: c.t('service.sales') }), valueAxis((v) => c.f.rate(v, 0), { name: c.t('service.conversion'), max: 1 })],
      series: [
        { name: c.t('service.sales'), type: 'bar', data: agents.map((a) => toNumber(a.sales)), itemStyle: { color: COLOR.actual } },
        { name: c.t('service.conversion'), type: 'line', yAxisIndex: 1, data: agents.map((a) => toNumber(a.inquiry_conversion)), itemStyle: { color: COLOR.trailing } },
      ],
    },
    360,
  );
  const seconds = (v: unknown): string => (v === null || v === undefined ? c.f.missing : c.f.number(v, 1));
  c.el.append(
    c.table(
      agents,
      undefined,
      {
        sessions: (v) => c.f.count(v),
        converted_members: (v) => c.f.count(v),
        inquiry_conversion: (v) => (v === null ? c.f.missing : c.f.rate(v)),
        sales: (v) => c.f.money(v),
        order_value: (v) => (v === null ? c.f.missing : c.f.money(v)),
        first_response_seconds: seconds,
        response_seconds: seconds,
        replies: (v) => c.f.count(v),
        words_per_reply: seconds,
        good_reviews: (v) => c.f.count(v),
        bad_reviews: (v) => c.f.count(v),
      },
      'service.col',
    ),
  );
  c.exportable(agents, 'service');
}
