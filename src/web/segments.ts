/**
 * The segments page: a rule builder with a live count, saved segments with their size history,
 * snapshots and the member list as CSV. The builder edits a flat "all of / any of" list of
 * conditions (each may be negated); deeper trees are edited as JSON in the same page.
 */
import { h, type Ctx } from './main.js';

type R = Record<string, unknown>;
type Vocabulary = Record<'comparisons' | 'attributes' | 'numeric_attributes' | 'stages' | 'purchase_facts' | 'behaviour_events' | 'journey_states' | 'consent_statuses', string[]>;

/** One input of a condition: a choice from a list, several choices, a whole number or text. */
interface Field {
  key: string;
  type: 'select' | 'multi' | 'int' | 'text';
  options?: string[];
  optional?: boolean;
}

const KINDS = ['lifecycle', 'rfm', 'attribute', 'purchase', 'bought', 'behaviour', 'journey', 'consent', 'tag'] as const;
type Kind = (typeof KINDS)[number];

function fieldsOf(kind: Kind, v: Vocabulary): Field[] {
  const ops = v.comparisons;
  switch (kind) {
    case 'lifecycle':
      return [{ key: 'stages', type: 'multi', options: v.stages }];
    case 'rfm':
      // Score ranges as "4-5"; groups as comma-separated names.
      return [
        { key: 'r', type: 'text', optional: true },
        { key: 'f', type: 'text', optional: true },
        { key: 'm', type: 'text', optional: true },
        { key: 'groups', type: 'text', optional: true },
        { key: 'groups_cn', type: 'text', optional: true },
      ];
    case 'attribute':
      return [
        { key: 'field', type: 'select', options: v.attributes },
        { key: 'op', type: 'select', options: [...ops, 'in'] },
        { key: 'value', type: 'text' },
      ];
    case 'purchase':
      return [
        { key: 'fact', type: 'select', options: v.purchase_facts },
        { key: 'op', type: 'select', options: ops },
        { key: 'value', type: 'text' },
        { key: 'days', type: 'int', optional: true },
      ];
    case 'bought':
      return [
        { key: 'category', type: 'text', optional: true },
        { key: 'brand', type: 'text', optional: true },
        { key: 'days', type: 'int', optional: true },
      ];
    case 'behaviour':
      return [
        { key: 'event', type: 'select', options: v.behaviour_events },
        { key: 'op', type: 'select', options: ops },
        { key: 'count', type: 'int' },
        { key: 'days', type: 'int' },
        { key: 'category', type: 'text', optional: true },
      ];
    case 'journey':
      return [
        { key: 'state', type: 'select', options: v.journey_states },
        { key: 'days', type: 'int' },
      ];
    case 'consent':
      return [
        { key: 'channel', type: 'text' },
        { key: 'status', type: 'select', options: v.consent_statuses },
      ];
    case 'tag':
      return [
        { key: 'tag', type: 'text' },
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
    else if (c.kind === 'rfm') node[f.key] = text.split(',').map((x) => x.trim()).filter((x) => x !== '');
    else node[f.key] = text;
  }
  if (c.kind === 'attribute') {
    if (node['op'] === 'in') node['value'] = String(node['value']).split(',').map((x) => x.trim()).filter((x) => x !== '');
    else if (v.numeric_attributes.includes(String(node['field'])) && /^-?\d+$/.test(String(node['value']))) node['value'] = Number(node['value']);
  }
  if (c.kind === 'purchase' && node['fact'] !== 'spend' && /^\d+$/.test(String(node['value']))) node['value'] = Number(node['value']);
  return c.negate ? { kind: 'not', rule: node } : node;
}

/** The reverse: a rule node as form values (null when the builder cannot show it). */
function toCondition(node: R): Condition | null {
  const negate = node['kind'] === 'not';
  const inner = negate ? (node['rule'] as R | undefined) : node;
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

function control(f: Field, value: unknown, onChange: (v: unknown) => void, id: string): HTMLElement {
  if (f.type === 'select' || f.type === 'multi') {
    const sel = h('select', { 'data-field': f.key, id }, ...(f.options ?? []).map((o) => h('option', { value: o }, o))) as HTMLSelectElement;
    if (f.type === 'multi') {
      sel.multiple = true;
      sel.size = Math.min(7, f.options?.length ?? 1);
      const chosen = Array.isArray(value) ? value.map(String) : [];
      for (const o of Array.from(sel.options)) o.selected = chosen.includes(o.value);
      sel.addEventListener('change', () => onChange(Array.from(sel.selectedOptions).map((o) => o.value)));
    } else {
      sel.value = String(value ?? f.options?.[0] ?? '');
      sel.addEventListener('change', () => onChange(sel.value));
    }
    return sel;
  }
  const input = h('input', { 'data-field': f.key, id, type: f.type === 'int' ? 'number' : 'text', size: f.type === 'int' ? '5' : '14', value: value === undefined || value === null ? '' : String(value), placeholder: f.optional === true ? '(optional)' : '' }) as HTMLInputElement;
  input.addEventListener('input', () => onChange(input.value));
  return input;
}

/** Segments: build a rule and watch its size, save it, snapshot it, download its members. */
export async function segments(c: Ctx): Promise<void> {
  const vocab = c.meta['segment_rules'] as Vocabulary;
  const asOf = c.filters.as_of === '' ? String(c.meta['as_of_default'] ?? '') : c.filters.as_of;
  const asOfQ = asOf === '' ? '' : `?as_of=${encodeURIComponent(asOf)}`;
  const state: { all: boolean; conditions: Condition[]; editing: string | null } = { all: true, conditions: [{ negate: false, kind: 'lifecycle', values: { ...DEFAULTS.lifecycle } }], editing: null };
  const rule = (): R => (state.conditions.length === 1 && state.conditions[0] !== undefined ? toNode(state.conditions[0], vocab) : { kind: state.all ? 'and' : 'or', rules: state.conditions.map((x) => toNode(x, vocab)) });

  c.el.append(h('h2', {}, c.t('page_segments')));
  const rows = h('div', { id: 'seg-conditions' });
  const count = h('p', { class: 'card', id: 'seg-count' }, '…');
  const json = h('textarea', { id: 'seg-json', rows: '6', cols: '90', spellcheck: 'false' }) as HTMLTextAreaElement;
  const name = h('input', { id: 'seg-name', placeholder: c.t('name'), size: '30' }) as HTMLInputElement;
  const msg = h('span', { class: 'note', id: 'seg-msg' });
  const combinator = h('select', { id: 'seg-combinator' }, h('option', { value: 'and' }, c.t('all_of')), h('option', { value: 'or' }, c.t('any_of'))) as HTMLSelectElement;

  let timer: ReturnType<typeof setTimeout> | undefined;
  let asked = 0;
  const recount = (): void => {
    json.value = JSON.stringify(rule(), null, 1);
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      const mine = ++asked;
      count.textContent = '…';
      c.api(`/api/segments/count${asOfQ}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: json.value })
        .then((r) => {
          if (mine !== asked) return;
          count.replaceChildren(h('span', { class: 'value', id: 'seg-members' }, String(r['members'])), ` ${c.t('members_on')} ${String(r['as_of'])} · ${String(r['ms'])} ms`);
          count.classList.remove('error');
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
        const negate = h('input', { type: 'checkbox', 'data-field': 'not' }) as HTMLInputElement;
        negate.checked = cond.negate;
        negate.addEventListener('change', () => {
          cond.negate = negate.checked;
          recount();
        });
        const kind = h('select', { 'data-field': 'kind', id: `seg-kind-${i}` }, ...KINDS.map((k) => h('option', { value: k }, c.v('kind', k)))) as HTMLSelectElement;
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
          h('label', {}, f.key, ' ', control(f, cond.values[f.key], (v) => {
            cond.values[f.key] = v;
            recount();
          }, `seg-${i}-${f.key}`)),
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
    const flat = typeof parsed === 'object' && parsed !== null ? fromRule(parsed as R) : null;
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
        if (mine === asked) count.replaceChildren(h('span', { class: 'value', id: 'seg-members' }, String(r['members'])), ` ${c.t('members_on')} ${String(r['as_of'])} · ${String(r['ms'])} ms`);
      })
      .catch((e: unknown) => {
        if (mine === asked) count.textContent = e instanceof Error ? e.message : String(e);
      });
  };
  useJson.addEventListener('click', applyJson);

  const saved = h('div', { id: 'seg-saved' });
  const detail = h('div', { id: 'seg-detail' });
  const save = h('button', { type: 'button', id: 'seg-save' }, c.t('save_segment'));
  const saveNew = h('button', { type: 'button', id: 'seg-save-new' }, c.t('save_as_new'));
  const store = (asNew: boolean): void => {
    const body = JSON.stringify({ name: name.value.trim(), rule: JSON.parse(json.value) as unknown });
    const editing = asNew ? null : state.editing;
    const request = editing === null ? c.api('/api/segments', { method: 'POST', headers: { 'content-type': 'application/json' }, body }) : c.api(`/api/segments/${encodeURIComponent(editing)}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body });
    request
      .then(async (s) => {
        state.editing = String(s['segment_id']);
        msg.textContent = `${c.t('segment_saved')} ${String(s['segment_id'])}`;
        c.forgetMeta();
        await drawSaved();
        await open(String(s['segment_id']));
      })
      .catch((e: unknown) => (msg.textContent = e instanceof Error ? e.message : String(e)));
  };
  save.addEventListener('click', () => store(false));
  saveNew.addEventListener('click', () => store(true));

  const open = async (id: string): Promise<void> => {
    const s = await c.api(`/api/segments/${encodeURIComponent(id)}`);
    const history = list(s['history']);
    const snap = h('button', { type: 'button', id: 'seg-snapshot' }, c.t('snapshot'));
    snap.addEventListener('click', () => {
      void c.api(`/api/segments/${encodeURIComponent(id)}/snapshots${asOfQ}`, { method: 'POST' }).then(() => open(id)).then(() => drawSaved());
    });
    const csv = h('button', { type: 'button', id: 'seg-csv' }, c.t('download_members'));
    const csvMsg = h('span', { class: 'note' });
    csv.addEventListener('click', () => {
      void fetch(`/api/segments/${encodeURIComponent(id)}/members.csv${asOfQ}`, { headers: { authorization: `Bearer ${c.key}` } }).then(async (r) => {
        if (!r.ok) {
          csvMsg.textContent = String(((await r.json().catch(() => ({}))) as R)['message'] ?? r.statusText);
          return;
        }
        h('a', { href: URL.createObjectURL(await r.blob()), download: `segment-${id}.csv` }).click();
      });
    });
    const reports = h('a', { id: 'seg-reports', href: `#/overview?period=${c.filters.period}&segment=${encodeURIComponent(id)}${c.filters.as_of === '' ? '' : `&as_of=${c.filters.as_of}`}` }, c.t('show_reports'));
    detail.replaceChildren(h('h3', { id: 'seg-title' }, `${String(s['name'])} · ${id}`), h('p', {}, snap, ' ', csv, ' ', reports, ' ', csvMsg));
    if (history.length > 0) {
      c.chart(detail, {
        title: { text: c.t('size_history'), textStyle: { fontSize: 13 } },
        tooltip: { trigger: 'axis' },
        xAxis: { type: 'category', data: history.map((x) => `${String(x['as_of'])} #${String(x['snapshot_id'])}`) },
        yAxis: { type: 'value' },
        series: [{ type: 'line', data: history.map((x) => Number(x['size'])), label: { show: true } }],
      }, 240);
    } else detail.append(h('p', { class: 'note' }, c.t('no_snapshots')));
    load(s['rule'] as R, String(s['name']), id);
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
    h('div', { class: 'row' },
      h('div', {},
        h('h3', {}, c.t('rule_builder')),
        h('p', {}, combinator, ' ', add, ' ', fresh),
        rows,
        count,
        h('p', {}, name, ' ', save, ' ', saveNew, ' ', msg),
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
