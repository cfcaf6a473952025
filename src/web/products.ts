/** The product and service pages: the product matrix, bundles, and the agents' league table. */
import { h, type Ctx } from './main.js';

type R = Record<string, unknown>;
const num = (v: unknown): number => Number(v ?? 0);
const isR = (v: unknown): v is R => typeof v === 'object' && v !== null && !Array.isArray(v);
const rows = (v: unknown): R[] => (Array.isArray(v) ? v.filter(isR) : []);
const obj = (v: unknown): R => (isR(v) ? v : {});
/** Labels of these pages in both languages (the shared dictionary holds only their names). */
const say = (c: Ctx, en: string, zh: string): string => (c.lang === 'zh' ? zh : en);

const CLASSES: ReadonlyArray<[string, string, string, string]> = [
  ['traffic_driver', 'Traffic drivers', '引流款', '#3f7fbf'],
  ['profit_maker', 'Profit makers', '利润款', '#3f9142'],
  ['potential', 'Potentials', '潜力款', '#d9822b'],
  ['marginal', 'Marginal items', '边缘款', '#829ab1'],
];

/** The product matrix: traffic against gross margin rate, one colour per class, the splits as lines. */
export async function products(c: Ctx): Promise<void> {
  const doc = await c.report('matrix');
  const r = obj(doc['result']);
  const items = rows(r['products']);
  const splits = obj(r['splits']);
  c.el.append(h('h2', {}, say(c, 'Product matrix', '商品矩阵')));
  const ruleList = obj(doc['params'])['rules'];
  const rules: string[] = Array.isArray(ruleList) ? ruleList.map(String) : [];
  c.el.append(
    h(
      'p',
      { class: 'note' },
      `${String(obj(r['period'])['from'] ?? '')}..${String(obj(r['period'])['to'] ?? '')} · ${say(c, 'traffic split', '流量分界')} ${String(splits['traffic_split'] ?? '')} · ${say(c, 'margin rate split', '毛利率分界')} ${String(splits['margin_rate_split'] ?? '')}`,
    ),
  );
  for (const w of rows(r['channels_without_views'])) c.el.append(h('p', { class: 'note' }, `${String(w['channel'])}: ${String(w['note'])}`));
  if (items.length === 0) {
    c.el.append(h('div', { class: 'empty', 'data-empty': 'true' }, say(c, 'No product sold or viewed in the period.', '该期间没有商品被购买或浏览。')));
    return;
  }
  c.chart(
    c.el,
    {
      tooltip: { formatter: (p: { data: [number, number, string] }) => `${p.data[2]}: ${say(c, 'traffic', '流量')} ${p.data[0]}, ${(p.data[1] * 100).toFixed(1)}%` },
      legend: { top: 0 },
      xAxis: { type: 'log', name: say(c, 'traffic', '流量'), min: 1 },
      yAxis: { type: 'value', name: say(c, 'gross margin rate', '毛利率') },
      series: CLASSES.map(([k, en, zh, colour]) => ({
        name: say(c, en, zh),
        type: 'scatter',
        itemStyle: { color: colour },
        data: items.filter((p) => p['class'] === k).map((p) => [Math.max(1, num(p['traffic'])), num(p['gross_margin_rate']), String(p['name'] ?? p['sku'])]),
        markLine:
          k === 'traffic_driver'
            ? { symbol: 'none', lineStyle: { type: 'dashed' }, data: [{ xAxis: Math.max(1, num(splits['traffic_split'])) }, { yAxis: num(splits['margin_rate_split']) }] }
            : undefined,
      })),
    },
    420,
  );
  const shown = items.slice(0, 50).map((p) => ({
    sku: p['sku'],
    name: p['name'],
    class: p['class'],
    previous: p['previous_class'],
    traffic: p['traffic'],
    conversion: p['conversion'],
    sales: p['sales'],
    margin_rate: p['gross_margin_rate'],
    new_buyers: p['new_buyer_share'],
    repeat: p['repeat_rate'],
    price_pct: p['price_percentile'],
  }));
  c.el.append(h('h3', {}, say(c, 'Products by sales', '按销售额排列')), c.table(shown));
  c.el.append(h('h3', {}, say(c, 'Moves since the previous period', '与上期相比的类别变化')), c.table(rows(r['movement'])));
  c.exportable(items, 'product-matrix');
  const bundles = rows(obj((await c.report('bundles'))['result'])['bundles']);
  c.el.append(h('h3', {}, say(c, 'Bundle proposals (high lift)', '搭配套餐建议（高提升度）')));
  const names = (b: R): string => (Array.isArray(b['names']) ? b['names'].map(String).join(' + ') : '');
  c.el.append(
    bundles.length === 0
      ? h('p', { class: 'note' }, say(c, 'No pair or triple reaches the thresholds.', '没有达到阈值的组合。'))
      : c.table(
          bundles.map((b) => ({
            items: names(b),
            lift: num(b['best_lift']).toFixed(2),
            baskets: b['baskets_with_all'],
            price: b['avg_price_total'],
            bought_part: b['members_with_part'],
            bought_all: b['members_with_all'],
          })),
        ),
  );
  if (rules.length > 0) c.el.append(h('ul', { class: 'note' }, ...rules.map((x) => h('li', {}, x))));
}

/** The customer-service league table: attributed sales per agent, then the table. */
export async function service(c: Ctx): Promise<void> {
  const doc = await c.report('service');
  const r = obj(doc['result']);
  const agents = rows(r['agents']);
  const totals = obj(r['totals']);
  c.el.append(h('h2', {}, say(c, 'Customer service', '客服绩效')));
  c.el.append(
    h(
      'p',
      { class: 'note' },
      `${say(c, 'sessions', '会话')} ${String(totals['sessions'] ?? 0)} · ${say(c, 'unanswered', '未回复')} ${String(totals['unanswered_sessions'] ?? 0)} · ${say(c, 'anonymous', '匿名')} ${String(totals['anonymous_sessions'] ?? 0)}`,
    ),
  );
  if (agents.length === 0) {
    c.el.append(h('div', { class: 'empty', 'data-empty': 'true' }, say(c, 'No service session in the period: import inquiry events.', '该期间没有客服会话：请导入咨询事件。')));
    return;
  }
  c.chart(
    c.el,
    {
      tooltip: {},
      legend: { top: 0 },
      xAxis: { type: 'category', data: agents.map((a) => String(a['agent'])) },
      yAxis: [
        { type: 'value', name: say(c, 'sales', '销售额') },
        { type: 'value', name: say(c, 'conversion', '转化率'), max: 1 },
      ],
      series: [
        { name: say(c, 'attributed sales', '归属销售额'), type: 'bar', data: agents.map((a) => num(a['sales'])) },
        { name: say(c, 'inquiry conversion', '询单转化率'), type: 'line', yAxisIndex: 1, data: agents.map((a) => num(a['inquiry_conversion'])) },
      ],
    },
    360,
  );
  c.el.append(c.table(agents));
  c.exportable(agents, 'service');
}
