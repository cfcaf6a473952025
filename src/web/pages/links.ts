/**
 * The seven links: each link a bar against the previous period, the trailing eight weeks and the
 * target (rates on a percent axis, counts on their own), the weakest link highlighted and named;
 * a link without data says so and why, never 0.
 */
import { h, type Ctx } from '../main.js';
import type { Link, LinkName } from '../../contracts/links.js';
import { empty } from '../dom.js';
import { toNumber } from '../format.js';
import { COLOR, grid } from '../charts.js';
import type { Key } from '../i18n.js';
import { addDays } from '../periods.js';

const COUNTS: ReadonlySet<LinkName> = new Set<LinkName>(['1 traffic', '7 churn and win-back']);

/** Why a link has no value, from the counts behind it. */
function reasonOf(l: Link): Key {
  switch (l.link) {
    case '1 traffic':
    case '2 browse to buy':
      return 'no_visits';
    case '3 ask to buy':
      return 'no_inquiries';
    case '4 order to pay':
      return 'no_orders';
    case '5 new to repeat':
      return 'no_cohort_due';
    default:
      return 'no_eligible';
  }
}

/** The seven links page. */
export async function links(c: Ctx): Promise<void> {
  const doc = await c.report('links', { from: c.range.from });
  const r = doc.result;
  const rows = r.links;
  const period = r.period;
  const weak = r.weakest_link;
  c.el.append(h('h2', {}, `${c.t('page_links')} · ${c.t('period_label', { from: c.f.date(period.from), to: c.f.date(period.to) })}`));
  // No order, visit, inquiry or eligible buyer in the period (a new database, or a date before the data): say what to do.
  if (rows.every((l) => l.value === null || (toNumber(l.value) === 0 && (toNumber(l.previous) ?? 0) === 0))) {
    c.el.append(empty(c.t('links_empty')));
    return;
  }
  const byLink = rows.find((l) => l.link === weak.link);
  const show = (l: Link | undefined, v: unknown): string => (l !== undefined && COUNTS.has(l.link) ? c.f.count(v) : c.f.rate(v));
  const weakText =
    weak.link === null
      ? c.t('weakest_none')
      : weak.by === 'farthest below target'
        ? c.t('weakest_target', { link: c.v('link', weak.link), value: show(byLink, byLink?.value), target: show(byLink, byLink?.target), attainment: c.f.rate(byLink?.attainment) })
        : c.t('weakest_change', { link: c.v('link', weak.link), value: show(byLink, byLink?.value), previous: show(byLink, byLink?.previous), change: c.f.change(byLink?.relative_change) });
  // The previous period: as many days, just before (the server compares with it).
  const days = period.days;
  if (days > 0) c.el.append(h('p', { class: 'note', id: 'compared-with' }, c.t('compared_with', { from: c.f.date(addDays(period.from, -days)), to: c.f.date(addDays(period.from, -1)) })));
  c.el.append(h('div', { class: 'weakest', id: 'weakest', 'data-link': weak.link ?? '' }, `${c.t('weakest')}: ${weakText}`));
  c.el.append(h('p', { class: 'note' }, c.t('links_note')));
  const draw = (subset: Link[], fmt: (v: unknown) => string, title: string, height: number): void => {
    const names = subset.map((l) => `${c.v('link', l.link)}${l.value === null ? `\n(${c.f.missing})` : ''}`);
    const series = (name: string, key: 'value' | 'previous' | 'trailing_8_weeks', color: string): Record<string, unknown> => ({
      name,
      type: 'bar',
      data: subset.map((l) => toNumber(l[key])),
      itemStyle: { color },
    });
    c.chart(
      c.el,
      {
        title: { text: title, textStyle: { fontSize: 13 } },
        grid: grid(c.f, { top: 64 }),
        legend: { top: 30 },
        tooltip: {
          trigger: 'axis',
          formatter: (items: Array<{ dataIndex: number; seriesName: string; value: unknown; marker: string }>) => {
            const l = subset[items[0]?.dataIndex ?? 0];
            if (l === undefined) return '';
            const head = `${c.v('link', l.link)} · ${c.v('metric', l.link)}`;
            if (l.value === null) return `${head}<br>${c.t('no_data_reason', { reason: c.t(reasonOf(l)) })}`;
            return [head, ...items.map((i) => `${i.marker}${i.seriesName}: ${i.value === null || i.value === undefined ? c.f.missing : fmt(i.value)}`)].join('<br>');
          },
        },
        xAxis: { type: 'value', axisLabel: { formatter: (v: number) => fmt(v) } },
        yAxis: { type: 'category', data: names, inverse: true, axisLabel: { width: 120, overflow: 'break' } },
        series: [
          {
            ...series(c.t('current'), 'value', COLOR.actual),
            data: subset.map((l) => ({
              value: toNumber(l.value),
              itemStyle: { color: l.link === weak.link ? COLOR.weak : COLOR.actual, borderColor: l.link === weak.link ? COLOR.worse : 'transparent', borderWidth: 2 },
            })),
            label: {
              show: true,
              position: 'right',
              formatter: (p: { dataIndex: number }) => {
                const l = subset[p.dataIndex];
                return l === undefined || l.value === null ? c.t('no_data') : fmt(l.value);
              },
            },
          },
          series(c.t('previous'), 'previous', COLOR.previous),
          series(c.t('trailing'), 'trailing_8_weeks', COLOR.trailing),
          // The target: a marker of its own colour, not a bar in the actuals' colour.
          { name: c.t('target'), type: 'scatter', symbol: 'rect', symbolSize: [4, 22], data: subset.map((l) => toNumber(l.target)), itemStyle: { color: COLOR.target } },
        ],
      },
      height,
    );
  };
  const rates = rows.filter((l) => !COUNTS.has(l.link));
  const counts = rows.filter((l) => COUNTS.has(l.link));
  draw(rates, (v) => c.f.rate(v), c.t('links_chart'), 420);
  draw(counts, (v) => c.f.count(v), c.t('links_counts'), 240);
  const shown = rows.map((l) => ({
    link: l.link,
    metric: l.link,
    value: l.value,
    previous: l.previous,
    trailing_8_weeks: l.trailing_8_weeks,
    target: l.target,
    attainment: l.attainment,
  }));
  const linkOf = (row: Record<string, unknown>): Link | undefined => rows.find((l) => l.link === row['link']);
  const cell = (v: unknown, row: Record<string, unknown>): string => {
    const l = linkOf(row);
    return v === null || v === undefined ? (l?.value === null ? c.f.missing : '') : l !== undefined && COUNTS.has(l.link) ? c.f.count(v) : c.f.rate(v);
  };
  c.el.append(
    c.table(shown, undefined, {
      link: (v) => c.v('link', v),
      metric: (v) => c.v('metric', v),
      value: (v, row) => {
        const l = linkOf(row);
        return v === null && l !== undefined ? c.t('no_data_reason', { reason: c.t(reasonOf(l)) }) : cell(v, row);
      },
      previous: cell,
      trailing_8_weeks: cell,
      target: cell,
      attainment: (v) => (v === null || v === undefined ? '' : c.f.rate(v)),
    }),
  );
  c.exportable(rows, 'links');
}
