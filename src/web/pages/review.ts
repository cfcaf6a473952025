/**
 * The weekly review (or the review of whichever period the filter names): the review report's
 * facts worded from the dictionary in the page's language, every figure through the formatter
 * (sentences compact from ten thousand up: 万/亿 in Chinese, K/M in English; tables exact to the cent).
 */
import { h, type Ctx } from '../main.js';
import { empty } from '../dom.js';
import { toNumber } from '../format.js';
import type { ReviewFacts } from '../../contracts/review.js';

/** A relative change, or "no data" when the comparison period had none. */
const changeOf = (c: Ctx, v: number | null): string => (v === null ? c.f.missing : c.f.change(v));

/** The paragraphs on sales, buyers and what moved them. */
function sales(c: Ctx, x: ReviewFacts): HTMLElement[] {
  const s = x.sales;
  const b = x.buyers;
  const out = [
    h(
      'p',
      { id: 'review-sales' },
      c.t('review.sales', { gross: c.f.moneyShort(s.gross), vs_previous: changeOf(c, s.vs_previous), vs_last_year: changeOf(c, s.vs_last_year) }),
      ' ',
      s.target === null ? c.t('review.sales_no_target') : c.t('review.sales_target', { attainment: c.f.rate(s.attainment), target: c.f.money(s.target) }),
      ' ',
      c.t('review.net', {
        net: c.f.moneyShort(s.net),
        buyers: c.f.count(b.buyers),
        new_buyers: c.f.count(b.new_buyers),
        returning_buyers: c.f.count(b.returning_buyers),
        guest_orders: c.f.count(b.guest_orders),
        orders: c.f.count(b.orders),
        aov: c.f.money(b.average_order_value),
      }),
    ),
    h('h3', {}, c.t('review.moved_title')),
  ];
  for (const m of x.moved) {
    const top = m.drivers[0];
    const against = c.v('review.against', m.against);
    out.push(
      h(
        'p',
        { class: 'review-moved' },
        top === undefined
          ? c.t('review.moved_flat', { against, total: c.f.signedMoneyShort(m.total) })
          : c.t('review.moved', { against, total: c.f.signedMoneyShort(m.total), driver: c.v('driver', top.driver), contribution: c.f.signedMoneyShort(top.contribution) }),
      ),
    );
  }
  if (x.no_visit_data.length > 0) out.push(h('p', { class: 'note' }, c.t('review.no_visit_data'), ' ', h('span', { translate: 'no' }, x.no_visit_data.join(', '))));
  return out;
}

/** The weakest link, repeat purchase and the lifecycle moves. */
function members(c: Ctx, x: ReviewFacts): HTMLElement[] {
  const w = x.weakest;
  const counts = w.link === '1 traffic' || w.link === '7 churn and win-back';
  const show = (v: string | null): string => (counts ? c.f.count(v) : c.f.rate(v));
  const weak =
    w.link === null
      ? c.t('weakest_none')
      : w.by === 'farthest below target'
        ? c.t('weakest_target', { link: c.v('link', w.link), value: show(w.value), target: show(w.target), attainment: c.f.rate(w.attainment) })
        : c.t('weakest_change', { link: c.v('link', w.link), value: show(w.value), previous: show(w.previous), change: c.f.change(w.relative_change) });
  const sp = x.second_purchase;
  const target = (v: unknown): string => (v === null ? '' : ` ${c.t('review.target', { target: c.f.rate(v) })}`);
  const m = x.migration;
  return [
    h('h3', {}, c.t('page_links')),
    h('p', { id: 'review-weakest' }, `${c.t('weakest')}: ${weak}`),
    h('h3', {}, c.t('page_repeat')),
    h(
      'p',
      { id: 'review-repeat' },
      sp === null ? c.t('review.second_none') : `${c.t('review.second', { cohort: c.f.date(sp.cohort), new_buyers: c.f.count(sp.new_buyers), rate: c.f.rate(sp.rate) })}${target(sp.target)}`,
      ' ',
      `${c.t('review.active', { rate: c.f.rate(x.active_repeat.rate) })}${target(x.active_repeat.target)}`,
    ),
    h('h3', {}, c.t('page_lifecycle')),
    h('p', { id: 'review-migration' }, c.t('review.migration', { from: c.f.date(m.from), positive: c.f.count(m.positive), negative: c.f.count(m.negative), same: c.f.count(m.same) })),
    h(
      'ul',
      {},
      ...m.moves.map((f) =>
        h('li', { class: f.direction === 'positive' ? 'up' : 'down' }, c.t('review.move', { from: c.v('stage', f.from_stage), to: c.v('stage', f.to_stage), members: c.f.count(f.members) })),
      ),
    ),
  ];
}

/** The review page. */
export async function review(c: Ctx): Promise<void> {
  const doc = await c.report('review', { from: c.range.from });
  const x = doc.result.facts;
  const title = c.filters.period === 'week' ? 'review_title' : 'review.title';
  c.el.append(h('h2', {}, c.t(title, { from: c.f.date(x.period.from), to: c.f.date(x.period.to) })));
  if (x.segment !== null) c.el.append(h('p', { class: 'note' }, c.t('review.segment', { name: x.segment.name, members: c.f.count(x.segment.members) })));
  if ((toNumber(x.buyers.orders) ?? 0) === 0 && (toNumber(x.sales.previous) ?? 0) === 0) {
    c.el.append(empty(c.t('empty_review')));
    return;
  }
  c.el.append(...sales(c, x), ...members(c, x));
  c.el.append(h('h3', {}, c.t('review.movers_title')));
  for (const by of ['channel', 'category'] as const) {
    const rows = x.movers[by].map((v) => ({ [by]: v.name, before: v.before, now: v.now, change: v.change }));
    if (rows.length > 0) c.el.append(c.table(rows, [by, 'before', 'now', 'change'], { before: (v) => c.f.money(v), now: (v) => c.f.money(v), change: (v) => c.f.signedMoney(v) }, 'review.col'));
  }
  c.exportable([...x.movers.channel.map((v) => ({ by: 'channel', ...v })), ...x.movers.category.map((v) => ({ by: 'category', ...v }))], 'review');
}
