/**
 * Coupons: per template the coupons issued, usable, reserved, redeemed, expired and void, the
 * discount redeemed, the redemption rate and the budget left; the batches; and the member
 * profile's part (the member's coupons). Operator and admin keys.
 */
import { h, list, text, type Ctx } from '../main.js';
import { empty, fact } from '../dom.js';
import { toNumber } from '../format.js';
import { COLOR, axisTooltip, grid, valueAxis } from '../charts.js';

const STATES = ['available', 'reserved', 'redeemed', 'expired', 'void'] as const;
const STATE_COLOR: Record<(typeof STATES)[number], string> = { available: COLOR.previous, reserved: COLOR.target, redeemed: COLOR.better, expired: COLOR.neutral, void: COLOR.worse };

/** The coupons page. */
export async function coupons(c: Ctx): Promise<void> {
  const [summary, batchDoc] = await Promise.all([c.api('/api/coupons/templates/summary'), c.api('/api/coupons/batches')]);
  const templates = list(summary['templates']);
  c.el.append(h('h2', {}, c.t('page_coupons')));
  if (templates.length === 0) {
    c.el.append(
      h(
        'div',
        { class: 'empty', 'data-empty': 'true' },
        h('p', {}, c.t('cp_empty')),
        h('pre', {}, h('code', {}, 'regulars coupons template create --file template.json\nregulars coupons batch create --template ID --generate N')),
      ),
    );
    return;
  }
  const total = (k: string): number => templates.reduce((s, t) => s + (toNumber(t[k]) ?? 0), 0);
  const issued = total('issued');
  const value = templates.reduce((s, t) => s + (toNumber(t['redeemed_value']) ?? 0), 0);
  c.el.append(
    h(
      'div',
      { class: 'cards', id: 'cp-cards' },
      fact(c.t('cp_templates'), c.f.count(templates.length), 'templates', 'card'),
      fact(c.t('cp_issued'), c.f.countShort(issued), 'issued', 'card'),
      fact(c.t('cp_redeemed'), c.f.countShort(total('redeemed')), 'redeemed', 'card'),
      fact(c.t('cp_redeemed_value'), c.f.moneyShort(value), 'redeemed-value', 'card'),
      fact(c.t('cp_rate'), issued === 0 ? c.f.missing : c.f.rate(total('redeemed') / issued), 'rate', 'card'),
    ),
  );
  // Coupons by state per template (template names are data).
  const used = templates.filter((t) => (toNumber(t['issued']) ?? 0) > 0);
  c.el.append(h('h3', {}, c.t('cp_by_template')));
  if (used.length === 0) c.el.append(empty(c.t('cp_no_batches')));
  else
    c.chart(
      c.el,
      {
        tooltip: axisTooltip((x) => c.f.count(x)),
        legend: { top: 0 },
        grid: grid(c.f, { top: 50 }),
        yAxis: { type: 'category', data: used.map((t) => text(t['name'])) },
        xAxis: valueAxis((x) => c.f.countShort(x)),
        series: STATES.map((s) => ({ name: c.v('col', `cp_${s}`), type: 'bar', stack: 'state', data: used.map((t) => toNumber(t[s])), itemStyle: { color: STATE_COLOR[s] } })),
      },
      Math.max(200, used.length * 40 + 90),
    );
  c.el.append(
    c.table(
      templates.map((t) => ({
        cp_name: t['name'],
        cp_kind: t['kind'],
        cp_batches: t['batches'],
        cp_issued: t['issued'],
        cp_available: t['available'],
        cp_reserved: t['reserved'],
        cp_redeemed: t['redeemed'],
        cp_expired: t['expired'],
        cp_void: t['void'],
        cp_redeemed_value: t['redeemed_value'],
        cp_rate: t['redemption_rate'],
        cp_budget_count_left: t['budget_count_left'],
        cp_budget_value_left: t['budget_value_left'],
      })),
      undefined,
      {
        cp_kind: (x) => c.v('coupon_kind', x),
        ...Object.fromEntries(
          ['cp_batches', 'cp_issued', 'cp_available', 'cp_reserved', 'cp_redeemed', 'cp_expired', 'cp_void', 'cp_budget_count_left'].map((k) => [k, (x: unknown) => (x === null ? '' : c.f.count(x))]),
        ),
        cp_redeemed_value: (x) => c.f.money(x),
        cp_rate: (x) => (x === null ? c.f.missing : c.f.rate(x)),
        cp_budget_value_left: (x) => (x === null ? '' : c.f.money(x)),
      },
    ),
    h('p', { class: 'note' }, c.t('cp_budget_note')),
  );
  const batches = list(batchDoc['batches']);
  c.el.append(h('h3', {}, c.t('cp_batches')));
  c.el.append(
    batches.length === 0
      ? empty(c.t('cp_no_batches'))
      : c.table(
          batches.map((b) => ({
            cp_batch: b['batch_id'],
            cp_template: b['template_id'],
            cp_campaign: b['campaign_id'] ?? '',
            cp_issued: b['issued'],
            cp_reserved: b['reserved'],
            cp_redeemed: b['redeemed'],
            cp_redeemed_value: b['redeemed_value'],
            cp_rate: b['redemption_rate'],
          })),
          undefined,
          {
            cp_issued: (x) => c.f.count(x),
            cp_reserved: (x) => c.f.count(x),
            cp_redeemed: (x) => c.f.count(x),
            cp_redeemed_value: (x) => c.f.money(x),
            cp_rate: (x) => (x === null ? c.f.missing : c.f.rate(x)),
          },
        ),
  );
  c.exportable(templates, 'coupon-templates');
}

/** The member profile's coupons: code, template, state, validity, discount and order. */
export async function memberCoupons(c: Ctx, memberId: string): Promise<HTMLElement> {
  const held = list((await c.api(`/api/coupons/members/${encodeURIComponent(memberId)}`))['coupons']);
  if (held.length === 0) return h('p', { class: 'note', id: 'member-coupons', 'data-empty': 'true' }, c.t('cp_member_none'));
  const box = h('div', { id: 'member-coupons' });
  box.append(
    c.table(
      held.map((x) => ({
        cp_code: x['code'],
        cp_template: x['template_id'],
        cp_state: x['state'],
        cp_issued_at: x['issued_at'],
        cp_valid_until: x['valid_until'] ?? '',
        cp_discount: x['discount'],
        cp_order: x['order_id'] ?? '',
      })),
      undefined,
      {
        cp_state: (x) => c.v('coupon_state', x),
        cp_issued_at: (x) => c.f.date(x),
        cp_valid_until: (x) => (text(x) === '' ? '' : c.f.date(x)),
        cp_discount: (x) => (x === null ? '' : c.f.money(x)),
      },
    ),
  );
  return box;
}
