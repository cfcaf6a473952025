/**
 * Loyalty: the programme's members per tier, points outstanding and when they expire, points
 * earned, spent and expired per month; and the member profile's part (balance, tier, expiring
 * points, the latest movements). Operator and admin keys (the API refuses others).
 */
import { h, list, obj, text, type Ctx } from '../main.js';
import { empty, fact } from '../dom.js';
import { toNumber } from '../format.js';
import { COLOR, axisTooltip, grid, valueAxis } from '../charts.js';

type R = Record<string, unknown>;

/** A point in time that never comes (lots that never expire). */
const never = (at: unknown): boolean => text(at).startsWith('9999');

/** The programmes (ID and name); empty when none is set up. */
export async function programmes(c: Ctx): Promise<R[]> {
  return list((await c.api('/api/loyalty/programmes'))['programmes']);
}

/** Data shown as it is (names of tiers and programmes): not translated. */
const data = (s: string): HTMLElement => h('span', { translate: 'no' }, s);

/** The loyalty page. */
export async function loyalty(c: Ctx): Promise<void> {
  const all = await programmes(c);
  c.el.append(h('h2', {}, c.t('page_loyalty')));
  if (all.length === 0) {
    c.el.append(
      h(
        'div',
        { class: 'empty', 'data-empty': 'true' },
        h('p', {}, c.t('ly_no_programme')),
        h('pre', {}, h('code', {}, 'regulars loyalty programme-set --file programme.json\nregulars loyalty backfill --from YYYY-MM-DD --to YYYY-MM-DD --operator NAME\nregulars loyalty tiers')),
      ),
    );
    return;
  }
  const picked = new URLSearchParams(location.hash.split('?')[1] ?? '').get('programme');
  const current = all.find((p) => p['programme_id'] === picked) ?? all[0] ?? {};
  const id = text(current['programme_id']);
  const box = h('div', { id: 'loyalty-programme' });
  if (all.length > 1) {
    const s = document.createElement('select');
    s.id = 'ly-programme';
    for (const p of all) s.append(h('option', { value: text(p['programme_id']), translate: 'no' }, `${text(p['name'])} (${text(p['programme_id'])})`));
    s.value = id;
    s.addEventListener('change', () => {
      const q = new URLSearchParams(location.hash.split('?')[1] ?? '');
      q.set('programme', s.value);
      location.hash = `#/loyalty?${q.toString()}`;
    });
    c.el.append(h('p', {}, h('label', {}, `${c.t('ly_programme')} `, s)));
  }
  c.el.append(box);
  const v = await c.api(`/api/loyalty/${encodeURIComponent(id)}/summary`);
  const period = obj(v['period']);
  box.append(
    h('h3', {}, `${c.t('ly_programme')}: `, data(text(v['name']))),
    h('p', { class: 'note', id: 'ly-period' }, c.t('ly_period_note', { from: c.f.date(period['from']), to: c.f.date(period['to']), at: c.f.dateTime(v['at']) })),
    h(
      'div',
      { class: 'cards', id: 'ly-cards' },
      fact(c.t('ly_members'), c.f.count(v['members']), 'members', 'card'),
      fact(c.t('ly_outstanding'), c.f.countShort(v['outstanding']), 'outstanding', 'card'),
      fact(c.t('ly_pending'), c.f.countShort(v['pending']), 'pending', 'card'),
      fact(c.t('ly_expiring', { days: text(v['expiring_days']) }), c.f.countShort(v['expiring']), 'expiring', 'card'),
      fact(c.t('ly_earned'), c.f.countShort(v['earned']), 'earned', 'card'),
      fact(c.t('ly_spent'), c.f.countShort(v['spent']), 'spent', 'card'),
      fact(c.t('ly_expired'), c.f.countShort(v['expired']), 'expired', 'card'),
    ),
  );
  // Members per tier, in the tiers' order (names are the programme's own: data).
  const tiers = list(v['tiers']);
  const members = Math.max(1, toNumber(v['members']) ?? 0);
  const tierName = (t: R): string => (t['tier'] === null ? c.t('ly_no_tier') : text(t['name']) || text(t['tier']));
  box.append(h('h3', {}, c.t('ly_tiers')));
  c.chart(
    box,
    {
      tooltip: axisTooltip((x) => c.f.count(x)),
      grid: grid(c.f),
      xAxis: { type: 'category', data: tiers.map(tierName) },
      yAxis: valueAxis((x) => c.f.countShort(x)),
      series: [
        {
          name: c.t('ly_members'),
          type: 'bar',
          data: tiers.map((t) => toNumber(t['members'])),
          itemStyle: { color: COLOR.actual },
          label: { show: true, position: 'top', formatter: (p: { value: number }) => c.f.count(p.value) },
        },
      ],
    },
    280,
  );
  box.append(
    c.table(
      tiers.map((t) => ({ ly_tier: t['tier'] === null ? c.t('ly_no_tier') : tierName(t), ly_members: t['members'], ly_share: (toNumber(t['members']) ?? 0) / members })),
      undefined,
      { ly_members: (x) => c.f.count(x), ly_share: (x) => c.f.rate(x) },
    ),
  );
  // Liability by the month it expires, and the movements per month.
  const lots = list(v['expiry_schedule']);
  box.append(h('h3', {}, c.t('ly_liability')));
  if (lots.length === 0) box.append(empty(c.t('ly_no_movements')));
  else
    c.chart(
      box,
      {
        tooltip: axisTooltip((x) => c.f.count(x)),
        grid: grid(c.f),
        xAxis: { type: 'category', data: lots.map((l) => (never(l['month']) ? c.t('ly_never') : c.f.month(`${text(l['month'])}-01`))) },
        yAxis: valueAxis((x) => c.f.countShort(x)),
        series: [{ name: c.t('ly_outstanding'), type: 'bar', data: lots.map((l) => toNumber(l['points'])), itemStyle: { color: COLOR.target } }],
      },
      280,
    );
  const months = list(v['months']);
  box.append(h('h3', {}, c.t('ly_months')));
  if (months.length === 0) box.append(empty(c.t('ly_no_movements')));
  else
    c.chart(
      box,
      {
        tooltip: axisTooltip((x) => c.f.count(x)),
        legend: { top: 0 },
        grid: grid(c.f),
        xAxis: { type: 'category', data: months.map((m) => c.f.month(`${text(m['month'])}-01`)) },
        yAxis: valueAxis((x) => c.f.countShort(x)),
        series: [
          { name: c.t('ly_earned'), type: 'bar', data: months.map((m) => toNumber(m['earned'])), itemStyle: { color: COLOR.actual } },
          { name: c.t('ly_spent'), type: 'bar', data: months.map((m) => toNumber(m['spent'])), itemStyle: { color: COLOR.trailing } },
          { name: c.t('ly_expired'), type: 'bar', data: months.map((m) => toNumber(m['expired'])), itemStyle: { color: COLOR.worse } },
          { name: c.t('ly_reversed'), type: 'bar', data: months.map((m) => toNumber(m['reversed'])), itemStyle: { color: COLOR.neutral } },
        ],
      },
      300,
    );
  c.exportable(months, `loyalty-${id}`);
}

/** The member profile's loyalty part: balance, tier and what it takes to keep it, expiring points, the latest movements. */
export async function memberLoyalty(c: Ctx, memberId: string, all: R[]): Promise<HTMLElement> {
  const out = h('div', { id: 'member-loyalty' });
  for (const p of all) {
    const id = text(p['programme_id']);
    const v = await c.api(`/api/loyalty/${encodeURIComponent(id)}/members/${encodeURIComponent(memberId)}`);
    if (all.length > 1) out.append(h('h4', {}, data(text(p['name']))));
    const a = v['account'];
    if (a === null || a === undefined) {
      out.append(h('p', { class: 'note', 'data-empty': 'true' }, c.t('ly_not_enrolled')));
      continue;
    }
    const acc = obj(a);
    const expiring = list(acc['expiring']).filter((e) => !never(e['expires_at']));
    const next = expiring[0];
    const tier = acc['tier'] === null ? c.t('ly_no_tier') : text(acc['tier_name']) || text(acc['tier']);
    out.append(
      h(
        'div',
        { class: 'cards profile-card', id: 'loyalty-card' },
        fact(c.t('ly_balance'), c.f.count(acc['balance']), 'balance'),
        fact(c.t('tier'), acc['tier'] === null ? tier : data(tier), 'tier'),
        fact(c.t('ly_pending'), c.f.count(acc['pending']), 'pending'),
        fact(c.t('ly_next_expiry'), next === undefined ? c.t('ly_never') : c.t('ly_next_expiry_value', { points: c.f.count(next['points']), date: c.f.date(next['expires_at']) }), 'next-expiry'),
        acc['to_keep'] === null ? null : fact(c.t('ly_to_keep'), c.f.count(acc['to_keep']), 'to-keep'),
        acc['next_tier'] === null || acc['to_next'] === null
          ? null
          : fact(c.t('ly_to_next'), h('span', {}, `${c.f.count(acc['to_next'])} → `, data(text(acc['next_tier_name']) || text(acc['next_tier']))), 'to-next'),
        acc['tier_year_ends'] === null ? null : fact(c.t('ly_tier_year_ends'), c.f.date(acc['tier_year_ends'])),
      ),
    );
    const byDate = list(acc['expiring']);
    if (byDate.length > 0) {
      out.append(
        h('h4', {}, c.t('ly_expiring_lots')),
        c.table(
          byDate.map((e) => ({ ly_expires: e['expires_at'], ly_points: e['points'] })),
          undefined,
          { ly_expires: (x) => (never(x) ? c.t('ly_never') : c.f.date(x)), ly_points: (x) => c.f.count(x) },
        ),
      );
    }
    const entries = list(acc['entries']);
    out.append(h('h4', {}, c.t('ly_entries')));
    out.append(
      entries.length === 0
        ? h('p', { class: 'note' }, c.t('ly_no_entries'))
        : c.table(
            entries.map((e) => ({ ly_at: e['at'], ly_kind: e['kind'], ly_points: e['points'], ly_cause: e['cause'], ly_ref: e['cause_ref'] ?? '' })),
            undefined,
            {
              ly_at: (x) => c.f.dateTime(text(x).replace('T', ' ')),
              ly_kind: (x) => c.v('points_kind', x),
              ly_points: (x) => ((toNumber(x) ?? 0) > 0 ? `+${c.f.count(x)}` : c.f.count(x)),
              ly_cause: (x) => c.v('points_cause', x),
            },
          ),
    );
  }
  return out;
}
