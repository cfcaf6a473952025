/**
 * Members: search (last four digits of the phone, phone, email, name, member or order ID) and the
 * 360 profile for service staff: summary card, consents, identities and merge history (with
 * unmerge for operators), attributes, tags, orders, returns, events and campaigns received.
 */
import { h, list, obj, text, type Ctx } from '../main.js';
import { empty, fact } from '../dom.js';
import { memberLoyalty, programmes } from './loyalty.js';
import { memberCoupons } from './coupons.js';
import { memberModelFacts } from './models.js';

/** The profile's loyalty and coupons parts (operators): points, tier and coupons, or why not. */
async function loyaltyParts(c: Ctx, id: string, canOperate: boolean): Promise<HTMLElement[]> {
  if (!canOperate) return [h('p', { class: 'note' }, c.t('ly_needs_operator'))];
  const all = await programmes(c);
  return [
    h('h4', {}, c.t('ly_profile')),
    all.length === 0 ? h('p', { class: 'note', 'data-empty': 'true' }, c.t('loyalty_absent')) : await memberLoyalty(c, id, all),
    h('h4', {}, c.t('cp_member')),
    await memberCoupons(c, id),
  ];
}

async function profile(c: Ctx, id: string, out: HTMLElement, canOperate: boolean): Promise<void> {
  out.replaceChildren(h('div', { class: 'loading' }, h('span', { class: 'spinner' }), c.t('loading')));
  const v = await c.api(`/api/members/${encodeURIComponent(id)}`);
  const member = obj(v['member']);
  // Loyalty and coupons are keyed by the member's ID (the search may have found the member by phone or order).
  const memberId = text(member['member_id']) || id;
  const rewards = await loyaltyParts(c, memberId, canOperate).catch((e: unknown) => [h('p', { class: 'error' }, e instanceof Error ? e.message : String(e))]);
  const modelFacts = memberModelFacts(c, v['models']);
  const summary = obj(v['summary']);
  const latest = list(v['analytics'])[0] ?? {};
  const consents = list(v['consents']);
  const merges = list(v['merges']);
  const card = h(
    'div',
    { class: 'cards profile-card', id: 'member-card' },
    fact(c.t('stage'), latest['stage'] === undefined || latest['stage'] === null ? c.f.missing : c.v('stage', latest['stage']), 'stage'),
    fact(c.t('rfm_group'), latest['segment'] === undefined || latest['segment'] === null ? c.f.missing : `${c.v('rfm', latest['segment'])} · ${c.v('cn', latest['group_cn'])}`, 'rfm'),
    fact(c.t('purchases'), c.f.count(summary['purchases']), 'purchases'),
    fact(c.t('gross_sales'), c.f.money(summary['gross']), 'gross'),
    fact(c.t('last_purchase'), c.f.date(summary['last_purchase']) || c.f.missing),
  );
  const absent = modelFacts === null ? c.t('clv_absent') : '';
  const consentRows = consents.map((x) => ({ contact_channel: x['contact_channel'], status: x['status'], since: x['since'], channel: x['channel'], account: x['account'] }));
  const mergeBox = h('div', { id: 'member-merges' });
  if (merges.length === 0) mergeBox.append(h('p', { class: 'note' }, c.t('no_merges')));
  else {
    mergeBox.append(
      c.table(
        merges.map((m) => ({ at: m['at'], action: m['action'], member_id: m['member_id'], other_member_id: m['other_member_id'], via: `${c.v('kind_id', m['via_kind'])} ${text(m['via_value'])}` })),
        undefined,
        { action: (x) => c.v('action', x) },
      ),
    );
  }
  // Operators can split an account off again (as `regulars members unmerge`).
  const accounts = list(v['identities']).filter((i) => text(i['channel']) !== '');
  if (canOperate && merges.length > 0 && accounts.length > 1) {
    for (const a of accounts) {
      const account = `${text(a['channel'])}:${text(a['value'])}`;
      const b = h('button', { type: 'button', class: 'unmerge', 'data-account': account }, `${c.t('unmerge')} `, h('span', { translate: 'no' }, account));
      b.addEventListener('click', () => {
        if (!window.confirm(c.t('unmerge_confirm', { member: account }))) return;
        void c
          .api(`/api/members/${encodeURIComponent(id)}/unmerge`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ account }) })
          .then(() => profile(c, id, out, canOperate))
          .catch((e: unknown) => mergeBox.append(h('p', { class: 'error' }, e instanceof Error ? e.message : String(e))));
      });
      mergeBox.append(b, ' ');
    }
  }
  const ATTRIBUTES = ['gender', 'birthday', 'city', 'registration_channel', 'registered_at', 'first_seen'];
  const attributes = ATTRIBUTES.filter((k) => member[k] !== null && member[k] !== undefined && member[k] !== '').map((k) => ({
    kind: k,
    value: k === 'gender' ? c.v('gender', member[k]) : k.endsWith('_at') || k === 'first_seen' ? c.f.dateTime(member[k]) : member[k],
  }));
  const received = list(v['campaigns']);
  const timeline = [
    ...list(v['orders']).map((o) => ({ at: o['created_at'], what: c.v('event', 'order'), channel: o['channel'], id: o['order_id'], amount: o['product_value'], status: c.v('status', o['status']) })),
    ...list(v['returns']).map((o) => ({ at: o['returned_at'], what: c.v('event', 'return'), channel: o['channel'], id: o['return_id'], amount: o['amount'], status: text(o['reason']) })),
  ].sort((a, b) => text(b.at).localeCompare(text(a.at)));
  const parts: Array<HTMLElement | null> = [
    h('h3', {}, `${c.t('profile')}: `, h('span', { translate: 'no' }, `${text(member['name'])} · ${text(member['member_id'])}`)),
    card,
    modelFacts,
    absent === '' ? null : h('p', { class: 'note' }, absent),
    ...rewards,
    h('h4', {}, c.t('consents')),
    consentRows.length === 0 ? h('p', { class: 'note' }, c.t('no_consents')) : c.table(consentRows, undefined, { contact_channel: (x) => c.v('contact', x), status: (x) => c.v('consent', x) }),
    h('h4', {}, c.t('identities')),
    c.table(list(v['identities']), ['kind', 'channel', 'value', 'first_seen', 'last_seen'], { kind: (x) => c.v('kind_id', x) }),
    h('h4', {}, c.t('merges')),
    mergeBox,
    h('h4', {}, c.t('attributes')),
    c.table(attributes, ['kind', 'value'], { kind: (x) => c.v('col', x) }),
    h('h4', {}, c.t('scores')),
    c.table(list(v['analytics']), undefined, { segment: (x) => c.v('rfm', x), group_cn: (x) => c.v('cn', x), stage: (x) => c.v('stage', x) }),
    h('h4', {}, c.t('tags')),
    c.table(
      list(v['tags']).map((t) => ({ tag: t['tag'], value: t['value'], measure: t['measure'] })),
      undefined,
      { tag: (x) => c.v('tag', x), value: (x) => c.v('tagv', x) },
    ),
    h('h4', {}, c.t('timeline')),
    c.table(timeline, undefined, { what: (x) => text(x), status: (x) => text(x) }),
    h('h4', {}, c.t('events_list')),
    c.table(list(v['events']), ['type', 'count', 'first_at', 'last_at'], { type: (x) => c.v('event', x) }),
    h('h4', {}, c.t('campaigns_received')),
    received.length === 0
      ? h('p', { class: 'note' }, c.t('no_campaigns_received'))
      : c.table(received, ['at', 'name', 'group_kind', 'wave_id', 'channel', 'state'], {
          group_kind: (x) => (x === 'control' ? c.t('control') : c.t('treatment')),
          state: (x) => c.v('send', x),
          name: (x) => text(x),
        }),
  ];
  out.replaceChildren(...parts.filter((x): x is HTMLElement => x !== null));
  c.exportable(list(v['orders']), `member-${id}`);
}

/** The members page. */
export async function members(c: Ctx): Promise<void> {
  c.el.append(h('h2', {}, c.t('page_members')));
  const me = await c.api('/api/me');
  const canOperate = me['scope'] === 'admin' || me['scope'] === 'operator';
  const input = document.createElement('input');
  input.type = 'search';
  input.id = 'member-q';
  input.placeholder = c.t('search_hint');
  const go = h('button', { type: 'button', id: 'member-search' }, c.t('search'));
  const results = h('div', { id: 'member-results' });
  const out = h('div', { id: 'member-profile' });
  const search = async (): Promise<void> => {
    const q = input.value.trim();
    if (q === '') {
      results.replaceChildren(h('p', { class: 'note', id: 'member-empty-query' }, c.t('search_empty')));
      return;
    }
    results.replaceChildren(h('div', { class: 'loading' }, h('span', { class: 'spinner' }), c.t('loading')));
    try {
      const hits = list((await c.api(`/api/members?q=${encodeURIComponent(q)}`))['members']);
      if (hits.length === 0) {
        results.replaceChildren(empty(c.t('no_members')));
        return;
      }
      const t = c.table(hits, ['member_id', 'name', 'phone', 'email', 'channels', 'last_purchase', 'stage'], { stage: (x) => c.v('stage', x) });
      t.querySelectorAll('tbody tr').forEach((tr, i) => {
        tr.setAttribute('style', 'cursor:pointer');
        tr.addEventListener('click', () => void profile(c, text(hits[i]?.['member_id']), out, canOperate));
      });
      results.replaceChildren(t);
      c.exportable(hits, 'members');
      if (hits.length === 1) await profile(c, text(hits[0]?.['member_id']), out, canOperate);
    } catch (e) {
      results.replaceChildren(h('p', { class: 'error' }, e instanceof Error ? e.message : String(e)));
    }
  };
  go.addEventListener('click', () => void search());
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') void search();
  });
  c.el.append(h('p', { class: 'search-row' }, input, ' ', go), results, out);
}
