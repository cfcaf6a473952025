/**
 * The segments page: a rule builder with a live count, saved segments with their size history,
 * snapshots and the member list as CSV. The builder edits a flat "all of / any of" list of
 * conditions (each may be negated); deeper trees are edited as JSON in the same page.
 */
import { h, obj, text, type Ctx } from './main.js';
import { el, isRecord } from './dom.js';

type R = Record<string, unknown>;
type Vocabulary = Record<'comparisons' | 'attributes' | 'numeric_attributes' | 'stages' | 'purchase_facts' | 'behaviour_events' | 'journey_states' | 'consent_statuses', string[]>;

/** One input of a condition: a choice from a list, several choices, a whole number or text. */
interface Field {
  key: string;
  type: 'select' | 'multi' | 'int' | 'text';
  options?: string[];
  optional?: boolean;
  /** The vocabulary its options are labelled from (stage, op, attr, ...). */
  vocab?: string;
  /** The values in the data offered for a text field (meta.pickers: category, brand, city, ...). */
  picker?: string;
}

const KINDS = ['lifecycle', 'rfm', 'attribute', 'purchase', 'bought', 'behaviour', 'journey', 'consent', 'tag'] as const;
type Kind = (typeof KINDS)[number];

function fieldsOf(kind: Kind, v: Vocabulary): Field[] {
  const ops = v.comparisons;
  switch (kind) {
    case 'lifecycle':
      return [{ key: 'stages', type: 'multi', options: v.stages, vocab: 'stage' }];
    case 'rfm':
      // Score ranges as "4-5"; groups as comma-separated names.
      return [
        { key: 'r', type: 'text', optional: true },
        { key: 'f', type: 'text', optional: true },
        { key: 'm', type: 'text', optional: true },
        { key: 'groups', type: 'text', optional: true, picker: 'rfm_group' },
        { key: 'groups_cn', type: 'text', optional: true, picker: 'rfm_group_cn' },
      ];
    case 'attribute':
      return [
        { key: 'field', type: 'select', options: v.attributes, vocab: 'attr' },
        { key: 'op', type: 'select', options: [...ops, 'in'], vocab: 'op' },
        { key: 'value', type: 'text', picker: 'attribute' },
      ];
    case 'purchase':
      return [
        { key: 'fact', type: 'select', options: v.purchase_facts, vocab: 'fact' },
        { key: 'op', type: 'select', options: ops, vocab: 'op' },
        { key: 'value', type: 'text' },
        { key: 'days', type: 'int', optional: true },
      ];
    case 'bought':
      return [
        { key: 'category', type: 'text', optional: true, picker: 'category' },
        { key: 'brand', type: 'text', optional: true, picker: 'brand' },
        { key: 'days', type: 'int', optional: true },
      ];
    case 'behaviour':
      return [
        { key: 'event', type: 'select', options: v.behaviour_events, vocab: 'event' },
        { key: 'op', type: 'select', options: ops, vocab: 'op' },
        { key: 'count', type: 'int' },
        { key: 'days', type: 'int' },
        { key: 'category', type: 'text', optional: true, picker: 'category' },
      ];
    case 'journey':
      return [
        { key: 'state', type: 'select', options: v.journey_states, vocab: 'journey' },
        { key: 'days', type: 'int' },
      ];
    case 'consent':
      return [
        { key: 'channel', type: 'text', picker: 'consent_channel' },
        { key: 'status', type: 'select', options: v.consent_statuses, vocab: 'consent' },
      ];
    case 'tag':
      return [
        { key: 'tag', type: 'text', picker: 'tag' },
        { key: 'value', type: 'text' },
      ];
    default: {
      const never: never = kind;
      return never;
    }
  }
}

const DEFAULTS: Record<Kind, R> = {
  lifecycle: { stages: ['Lapsed'] },
  rfm: { r: '4-5' },
  attribute: { field: 'city', op: 'eq', value: '' },
  purchase: { fact: 'purchases', op: 'gte', value: '2', days: 365 },
  bought: { category: '' },
  behaviour: { event: 'view', op: 'gte', count: 2, days: 7 },
  journey: { state: 'carted_not_ordered', days: 7 },
  consent: { channel: 'sms', status: 'granted' },
  tag: { tag: 'best_send_hour', value: '20' },
};

interface Condition {
  negate: boolean;
  kind: Kind;
  values: R;
}

const isKind = (k: unknown): k is Kind => typeof k === 'string' && (KINDS as readonly string[]).includes(k);
const list = (v: unknown): R[] => (Array.isArray(v) ? v.filter((x): x is R => typeof x === 'object' && x !== null) : []);

/** A condition's form values as a rule node (the server validates it and names any problem). */
function toNode(c: Condition, v: Vocabulary): R {
  const node: R = { kind: c.kind };
  for (const f of fieldsOf(c.kind, v)) {
    const raw = c.values[f.key];
    const text = Array.isArray(raw) ? '' : String(raw ?? '').trim();
    if (f.type === 'multi') node[f.key] = Array.isArray(raw) ? raw : [];
    else if (f.optional === true && text === '') continue;
    else if (f.type === 'int') node[f.key] = text === '' ? null : Number(text);
    else if (c.kind === 'rfm' && ['r', 'f', 'm'].includes(f.key)) node[f.key] = text.split('-').map((x) => Number(x.trim()));
    else if (c.kind === 'rfm')
      node[f.key] = text
        .split(',')
        .map((x) => x.trim())
        .filter((x) => x !== '');
    else node[f.key] = text;
  }
  if (c.kind === 'attribute') {
    if (node['op'] === 'in')
      node['value'] = String(node['value'])
        .split(',')
        .map((x) => x.trim())
        .filter((x) => x !== '');
    else if (v.numeric_attributes.includes(String(node['field'])) && /^-?\d+$/.test(String(node['value']))) node['value'] = Number(node['value']);
  }
  if (c.kind === 'purchase' && node['fact'] !== 'spend' && /^\d+$/.test(String(node['value']))) node['value'] = Number(node['value']);
  return c.negate ? { kind: 'not', rule: node } : node;
}

/** The reverse: a rule node as form values (null when the builder cannot show it). */
function toCondition(node: R): Condition | null {
  const negate = node['kind'] === 'not';
  const inner = negate ? (isRecord(node['rule']) ? node['rule'] : undefined) : node;
  if (inner === undefined || !isKind(inner['kind'])) return null;
  const values: R = {};
  for (const [k, x] of Object.entries(inner)) {
    if (k === 'kind') continue;
    if (inner['kind'] === 'lifecycle') values[k] = x;
    else if (Array.isArray(x)) values[k] = inner['kind'] === 'rfm' && ['r', 'f', 'm'].includes(k) ? x.join('-') : x.join(', ');
    else values[k] = x;
  }
  return { negate, kind: inner['kind'], values };
}

/** A rule tree as the builder's flat list, or null when it nests deeper. */
function fromRule(rule: R): { all: boolean; conditions: Condition[] } | null {
  if (rule['kind'] === 'and' || rule['kind'] === 'or') {
    const conditions = list(rule['rules']).map(toCondition);
    return conditions.every((c): c is Condition => c !== null) ? { all: rule['kind'] === 'and', conditions } : null;
  }
  const one = toCondition(rule);
  return one === null ? null : { all: true, conditions: [one] };
}

/** The values a text field offers: from the data (meta.pickers), or the vocabulary's. */
function pickerValues(c: Ctx, f: Field, values: R): string[] {
  const pickers = obj(c.meta['pickers']);
  const strings = (x: unknown): string[] => (Array.isArray(x) ? x.map(String) : []);
  switch (f.picker) {
    case undefined:
      return [];
    case 'attribute':
      return strings(pickers[String(values['field'] ?? '')]);
    case 'rfm_group':
      return ['Champions', 'Loyal', 'Potential loyalist', 'New', 'Promising', 'Need attention', 'About to sleep', 'At risk', "Can't lose", 'Hibernating'];
    case 'rfm_group_cn':
      return ['重要价值', '重要发展', '重要保持', '重要挽留', '一般价值', '一般发展', '一般保持', '一般挽留'];
    default:
      return strings(pickers[f.picker]);
  }
}

/** One input of a condition: a select labelled in the page's language, stage chips, or a text field with the data's values to pick from. */
function control(c: Ctx, f: Field, value: unknown, onChange: (v: unknown) => void, id: string, values: R): HTMLElement {
  if (f.type === 'multi') {
    const chosen = new Set(Array.isArray(value) ? value.map(String) : []);
    return h(
      'span',
      { class: 'chips', id, 'data-field': f.key },
      ...(f.options ?? []).map((o) => {
        const box = document.createElement('input');
        box.type = 'checkbox';
        box.value = o;
        box.checked = chosen.has(o);
        box.addEventListener('change', () => {
          if (box.checked) chosen.add(o);
          else chosen.delete(o);
          onChange((f.options ?? []).filter((x) => chosen.has(x)));
        });
        return h('label', {}, box, f.vocab === undefined ? o : c.v(f.vocab, o));
      }),
    );
  }
  if (f.type === 'select') {
    const sel = document.createElement('select');
    sel.id = id;
    sel.dataset['field'] = f.key;
    for (const o of f.options ?? []) sel.append(h('option', { value: o }, f.vocab === undefined ? o : c.v(f.vocab, o)));
    sel.value = String(value ?? f.options?.[0] ?? '');
    sel.addEventListener('change', () => onChange(sel.value));
    return sel;
  }
  const input = document.createElement('input');
  input.dataset['field'] = f.key;
  input.id = id;
  input.type = f.type === 'int' ? 'number' : 'text';
  input.size = f.type === 'int' ? 5 : 16;
  input.value = value === undefined || value === null ? '' : String(value);
  input.placeholder = f.optional === true ? c.t('optional') : '';
  input.addEventListener('input', () => onChange(input.value));
  const offered = pickerValues(c, f, values);
  if (offered.length === 0) return input;
  input.setAttribute('list', `${id}-values`);
  return h(
    'span',
    {},
    input,
    h('datalist', { id: `${id}-values` }, ...offered.map((o) => h('option', { value: o }, f.picker === 'rfm_group' ? c.v('rfm', o) : f.picker === 'tag' ? c.v('tag', o) : o))),
  );
}

/** A value in the data that differs from the typed one only in case or spacing, if any. */
export function suggestion(typed: string, offered: readonly string[]): string | null {
  const norm = (x: string): string => x.toLowerCase().replace(/\s+/g, '');
  const t = norm(typed);
  if (t === '' || offered.includes(typed)) return null;
  return offered.find((o) => norm(o) === t) ?? null;
}

/** Segments: build a rule and watch its size, save it, snapshot it, download its members. */
export async function segments(c: Ctx): Promise<void> {
  const rules = obj(c.meta['segment_rules']);
  const words = (k: keyof Vocabulary): string[] => (Array.isArray(rules[k]) ? rules[k].map(String) : []);
  const vocab: Vocabulary = {
    comparisons: words('comparisons'),
    attributes: words('attributes'),
    numeric_attributes: words('numeric_attributes'),
    stages: words('stages'),
    purchase_facts: words('purchase_facts'),
    behaviour_events: words('behaviour_events'),
    journey_states: words('journey_states'),
    consent_statuses: words('consent_statuses'),
  };
  const asOf = c.filters.as_of === '' ? String(c.meta['as_of_default'] ?? '') : c.filters.as_of;
  const asOfQ = asOf === '' ? '' : `?as_of=${encodeURIComponent(asOf)}`;
  const state: { all: boolean; conditions: Condition[]; editing: string | null } = { all: true, conditions: [{ negate: false, kind: 'lifecycle', values: { ...DEFAULTS.lifecycle } }], editing: null };
  const rule = (): R =>
    state.conditions.length === 1 && state.conditions[0] !== undefined ? toNode(state.conditions[0], vocab) : { kind: state.all ? 'and' : 'or', rules: state.conditions.map((x) => toNode(x, vocab)) };

  c.el.append(h('h2', {}, c.t('page_segments')));
  const rows = h('div', { id: 'seg-conditions' });
  const count = h('p', { class: 'card', id: 'seg-count' }, '…');
  const json = el('textarea', { id: 'seg-json', rows: '6', cols: '90', spellcheck: 'false' });
  const name = el('input', { id: 'seg-name', placeholder: c.t('name'), size: '30' });
  const msg = h('span', { class: 'note', id: 'seg-msg' });
  const combinator = el('select', { id: 'seg-combinator' }, h('option', { value: 'and' }, c.t('all_of')), h('option', { value: 'or' }, c.t('any_of')));

  let timer: ReturnType<typeof setTimeout> | undefined;
  let asked = 0;
  const hints = h('div', { id: 'seg-hints' });
  const preview = h('div', { id: 'seg-preview' });
  /** "Did you mean": a typed value that matches nothing but a value in the data up to case or spacing. */
  const suggest = (): void => {
    hints.replaceChildren();
    state.conditions.forEach((cond, i) => {
      for (const f of fieldsOf(cond.kind, vocab)) {
        const typed = text(cond.values[f.key]).trim();
        const better = f.type === 'text' ? suggestion(typed, pickerValues(c, f, cond.values)) : null;
        if (better === null) continue;
        const use = h('button', { type: 'button', class: 'use-suggestion' }, c.t('use_suggestion'));
        use.addEventListener('click', () => {
          cond.values[f.key] = better;
          drawRows();
          recount();
        });
        hints.append(h('p', { class: 'hint', 'data-row': String(i), 'data-suggestion': better }, c.t('did_you_mean', { typed, suggestion: better }), ' ', use));
      }
    });
  };
  /** The count, its share of the base, reachable members per channel and the first members. */
  const show = (r: R, mine: number): void => {
    count.replaceChildren(h('span', { class: 'value', id: 'seg-members', 'data-members': text(r['members']) }, c.f.count(r['members'])), ` ${c.t('members_on', { as_of: c.f.date(r['as_of']) })}`);
    count.classList.remove('error');
    if (Number(r['members']) === 0) suggest();
    else hints.replaceChildren();
    preview.replaceChildren(h('div', { class: 'loading' }, h('span', { class: 'spinner' }), c.t('loading')));
    c.api(`/api/segments/preview${asOfQ}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: json.value })
      .then((p) => {
        if (mine !== asked) return;
        const base = Number(p['base']);
        const reach = Array.isArray(p['reachable']) ? p['reachable'].map(obj) : [];
        const first = Array.isArray(p['first']) ? p['first'].map(obj) : [];
        preview.replaceChildren(
          h('p', { class: 'note', id: 'seg-share' }, c.t('share_of_base', { share: c.f.rate(base === 0 ? 0 : Number(p['members']) / base), total: c.f.count(base) })),
          h(
            'p',
            { id: 'seg-reachable' },
            `${c.t('reachable')} (${c.t('reachable_note')}): `,
            ...reach.map((x) => h('span', { class: 'reach', 'data-channel': text(x['channel']) }, `${c.v('contact', x['channel'])} ${c.f.count(x['members'])} `)),
          ),
          h('h4', {}, c.t('preview_note', { n: first.length })),
          c.table(first, ['member_id', 'name', 'city', 'stage'], { stage: (x) => c.v('stage', x) }),
        );
      })
      .catch((e: unknown) => preview.replaceChildren(h('p', { class: 'error' }, e instanceof Error ? e.message : String(e))));
  };
  const recount = (): void => {
    json.value = JSON.stringify(rule(), null, 1);
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      const mine = ++asked;
      count.textContent = '…';
      c.api(`/api/segments/count${asOfQ}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: json.value })
        .then((r) => {
          if (mine === asked) show(r, mine);
        })
        .catch((e: unknown) => {
          if (mine !== asked) return;
          count.textContent = e instanceof Error ? e.message : String(e);
          count.classList.add('error');
        });
    }, 250);
  };

  const drawRows = (): void => {
    combinator.value = state.all ? 'and' : 'or';
    rows.replaceChildren(
      ...state.conditions.map((cond, i) => {
        const negate = el('input', { type: 'checkbox', 'data-field': 'not' });
        negate.checked = cond.negate;
        negate.addEventListener('change', () => {
          cond.negate = negate.checked;
          recount();
        });
        const kind = el('select', { 'data-field': 'kind', id: `seg-kind-${i}` }, ...KINDS.map((k) => h('option', { value: k }, c.v('kind', k))));
        kind.value = cond.kind;
        kind.addEventListener('change', () => {
          if (!isKind(kind.value)) return;
          cond.kind = kind.value;
          cond.values = { ...DEFAULTS[kind.value] };
          drawRows();
          recount();
        });
        const remove = h('button', { type: 'button', class: 'seg-remove' }, '×');
        remove.addEventListener('click', () => {
          state.conditions.splice(i, 1);
          drawRows();
          recount();
        });
        const inputs = fieldsOf(cond.kind, vocab).map((f) =>
          h(
            'label',
            {},
            c.v('field', f.key),
            ' ',
            control(
              c,
              f,
              cond.values[f.key],
              (v) => {
                cond.values[f.key] = v;
                if (cond.kind === 'attribute' && f.key === 'field') drawRows();
                recount();
              },
              `seg-${i}-${f.key}`,
              cond.values,
            ),
          ),
        );
        return h('div', { class: 'seg-row', 'data-row': String(i) }, h('label', {}, negate, c.t('not')), kind, ...inputs, state.conditions.length > 1 ? remove : null);
      }),
    );
  };

  const load = (r: R, segName: string, id: string | null): void => {
    const flat = fromRule(r);
    state.editing = id;
    name.value = segName;
    if (flat === null) {
      // A deeper tree: shown and counted as JSON; the builder starts again if touched.
      json.value = JSON.stringify(r, null, 1);
      msg.textContent = c.t('json_only');
      applyJson();
      return;
    }
    state.all = flat.all;
    state.conditions = flat.conditions;
    drawRows();
    recount();
  };

  const add = h('button', { type: 'button', id: 'seg-add' }, c.t('add_condition'));
  add.addEventListener('click', () => {
    state.conditions.push({ negate: false, kind: 'behaviour', values: { ...DEFAULTS.behaviour } });
    drawRows();
    recount();
  });
  combinator.addEventListener('change', () => {
    state.all = combinator.value === 'and';
    recount();
  });
  const useJson = h('button', { type: 'button', id: 'seg-use-json' }, c.t('apply_json'));
  const applyJson = (): void => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json.value);
    } catch (e) {
      msg.textContent = e instanceof Error ? e.message : String(e);
      return;
    }
    const flat = isRecord(parsed) ? fromRule(parsed) : null;
    if (flat !== null) {
      state.all = flat.all;
      state.conditions = flat.conditions;
      drawRows();
      recount();
      return;
    }
    // Count the JSON as it is (the builder cannot show it).
    rows.replaceChildren(h('p', { class: 'note' }, c.t('json_only')));
    const mine = ++asked;
    c.api(`/api/segments/count${asOfQ}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: json.value })
      .then((r) => {
        if (mine === asked) show(r, mine);
      })
      .catch((e: unknown) => {
        if (mine !== asked) return;
        count.textContent = e instanceof Error ? e.message : String(e);
        count.classList.add('error');
      });
  };
  useJson.addEventListener('click', applyJson);

  const saved = h('div', { id: 'seg-saved' });
  const detail = h('div', { id: 'seg-detail' });
  const save = h('button', { type: 'button', id: 'seg-save' }, c.t('save_segment'));
  const saveNew = h('button', { type: 'button', id: 'seg-save-new' }, c.t('save_as_new'));
  let saving = false;
  const store = (asNew: boolean): void => {
    // One save at a time: a second click while the first is on its way does nothing.
    if (saving) return;
    const chosen = name.value.trim();
    if (chosen === '') {
      msg.textContent = c.t('name_needed');
      return;
    }
    let parsedRule: unknown;
    try {
      parsedRule = JSON.parse(json.value);
    } catch (e) {
      msg.textContent = e instanceof Error ? e.message : String(e);
      return;
    }
    const body = JSON.stringify({ name: chosen, rule: parsedRule });
    const editing = asNew ? null : state.editing;
    saving = true;
    for (const b of [save, saveNew]) b.setAttribute('disabled', 'true');
    msg.textContent = c.t('saving');
    const request =
      editing === null
        ? c.api('/api/segments', { method: 'POST', headers: { 'content-type': 'application/json' }, body })
        : c.api(`/api/segments/${encodeURIComponent(editing)}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body });
    request
      .then(async (s) => {
        state.editing = String(s['segment_id']);
        msg.textContent = `${c.t('segment_saved')} ${text(s['name'])}`;
        c.forgetMeta();
        await drawSaved();
        await open(String(s['segment_id']));
      })
      .catch((e: unknown) => (msg.textContent = e instanceof Error ? e.message : String(e)))
      .finally(() => {
        saving = false;
        for (const b of [save, saveNew]) b.removeAttribute('disabled');
      });
  };
  save.addEventListener('click', () => store(false));
  saveNew.addEventListener('click', () => store(true));

  const open = async (id: string): Promise<void> => {
    const s = await c.api(`/api/segments/${encodeURIComponent(id)}`);
    const history = list(s['history']);
    const snap = h('button', { type: 'button', id: 'seg-snapshot' }, c.t('snapshot'));
    snap.addEventListener('click', () => {
      void c
        .api(`/api/segments/${encodeURIComponent(id)}/snapshots${asOfQ}`, { method: 'POST' })
        .then(() => open(id))
        .then(() => drawSaved());
    });
    const csv = h('button', { type: 'button', id: 'seg-csv' }, c.t('download_members'));
    const csvMsg = h('span', { class: 'note' });
    csv.addEventListener('click', () => {
      void fetch(`/api/segments/${encodeURIComponent(id)}/members.csv${asOfQ}`, { headers: { authorization: `Bearer ${c.key}` } }).then(async (r) => {
        if (!r.ok) {
          csvMsg.textContent = text(obj(await r.json().catch(() => ({})))['message']) || r.statusText;
          return;
        }
        h('a', { href: URL.createObjectURL(await r.blob()), download: `segment-${id}.csv` }).click();
      });
    });
    const reports = h(
      'a',
      { id: 'seg-reports', href: `#/overview?period=${c.filters.period}&segment=${encodeURIComponent(id)}${c.filters.as_of === '' ? '' : `&as_of=${c.filters.as_of}`}` },
      c.t('show_reports'),
    );
    detail.replaceChildren(h('h3', { id: 'seg-title', translate: 'no' }, `${String(s['name'])} · ${id}`), h('p', {}, snap, ' ', csv, ' ', reports, ' ', csvMsg));
    if (history.length > 0) {
      c.chart(
        detail,
        {
          title: { text: c.t('size_history'), textStyle: { fontSize: 13 } },
          tooltip: { trigger: 'axis' },
          xAxis: { type: 'category', data: history.map((x) => `${String(x['as_of'])} #${String(x['snapshot_id'])}`) },
          yAxis: { type: 'value' },
          series: [{ type: 'line', data: history.map((x) => Number(x['size'])), label: { show: true } }],
        },
        240,
      );
    } else detail.append(h('p', { class: 'note' }, c.t('no_snapshots')));
    load(obj(s['rule']), String(s['name']), id);
  };

  const drawSaved = async (): Promise<R[]> => {
    const all = list((await c.api('/api/segments'))['segments']);
    c.exportable(all, 'segments');
    if (all.length === 0) {
      saved.replaceChildren(h('div', { class: 'empty', 'data-empty': 'true' }, c.t('empty_segments')));
      return all;
    }
    const t = c.table(all, ['name', 'segment_id', 'last_size', 'last_as_of', 'updated_at']);
    t.querySelectorAll('tbody tr').forEach((tr, i) => {
      tr.setAttribute('style', 'cursor:pointer');
      tr.addEventListener('click', () => void open(String(all[i]?.['segment_id'])));
    });
    saved.replaceChildren(t);
    return all;
  };

  const fresh = h('button', { type: 'button', id: 'seg-new' }, c.t('new_segment'));
  fresh.addEventListener('click', () => {
    detail.replaceChildren();
    msg.textContent = '';
    load({ kind: 'lifecycle', stages: ['Lapsed'] }, '', null);
  });

  c.el.append(
    h(
      'div',
      { class: 'row' },
      h(
        'div',
        {},
        h('h3', {}, c.t('rule_builder')),
        h('p', {}, combinator, ' ', add, ' ', fresh),
        rows,
        count,
        hints,
        h('p', {}, name, ' ', save, ' ', saveNew, ' ', msg),
        preview,
        h('details', {}, h('summary', {}, c.t('edit_json')), json, h('p', {}, useJson)),
      ),
      h('div', {}, h('h3', {}, c.t('saved_segments')), saved, detail),
    ),
  );
  drawRows();
  recount();
  // The first saved segment opens with its rule and size history.
  const first = (await drawSaved())[0];
  if (first !== undefined) await open(String(first['segment_id']));
}
