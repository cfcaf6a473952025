/** The console's pages: each reads the API and draws pictures first, tables second. */
import { h, table, type Ctx } from './main.js';
import { campaigns } from './campaigns.js';
import { segments } from './segments.js';
import { products, service } from './products.js';

type R = Record<string, unknown>;
const num = (v: unknown): number => Number(v ?? 0);
const money = (v: unknown, lang: string): string => new Intl.NumberFormat(lang === 'zh' ? 'zh-CN' : 'en-US', { maximumFractionDigits: 2, minimumFractionDigits: 2 }).format(num(v));
const pct = (v: unknown): string => (v === null || v === undefined ? 'n/a' : `${(num(v) * 100).toFixed(1)}%`);
const heading = (text: string): HTMLElement => h('h2', {}, text);
const empty = (text: string): HTMLElement => h('div', { class: 'empty', 'data-empty': 'true' }, text);

function card(label: string, value: string, cur?: unknown, base?: unknown, vs = ''): HTMLElement {
  const b = num(base);
  const d = base === undefined || base === null || b === 0 ? null : (num(cur) - b) / Math.abs(b);
  return h('div', { class: 'card' }, h('div', { class: 'label' }, label), h('div', { class: 'value' }, value), d === null ? null : h('div', { class: `delta ${d >= 0 ? 'up' : 'down'}` }, `${d >= 0 ? '+' : ''}${(d * 100).toFixed(1)}% ${vs}`));
}

async function overview(c: Ctx): Promise<void> {
  const doc = await c.report('kpi', c.filters.channel === '' ? {} : { by: 'channel' });
  const r = doc['result'] as R;
  const summary = r['summary'] as Record<string, R>;
  const cur = summary['current'] ?? {};
  const prev = summary['previous'] ?? {};
  const ly = summary['last_year'] ?? {};
  c.el.append(heading(`${c.t('page_overview')} · ${String((r['period'] as R)['from'])} – ${String((r['period'] as R)['to'])}`));
  if (c.filters.channel !== '') c.el.append(h('p', { class: 'note' }, `${c.t('channel')}: ${c.filters.channel}`));
  if (num(cur['orders']) === 0) {
    c.el.append(empty(c.t('empty_sales')));
    return;
  }
  c.el.append(
    h('div', { class: 'cards' },
      card(c.t('gross_sales'), money(cur['gross_sales'], c.lang), cur['gross_sales'], prev['gross_sales'], c.t('vs_previous')),
      card(c.t('net_sales'), money(cur['net_sales'], c.lang), cur['net_sales'], prev['net_sales'], c.t('vs_previous')),
      card(c.t('buyers'), String(cur['buyers']), cur['buyers'], prev['buyers'], c.t('vs_previous')),
      card(c.t('orders'), String(cur['orders']), cur['orders'], prev['orders'], c.t('vs_previous')),
      card(c.t('average_order_value'), money(cur['average_order_value'], c.lang), cur['average_order_value'], prev['average_order_value'], c.t('vs_previous')),
      card(c.t('conversion'), pct(cur['conversion']), cur['conversion'], prev['conversion'], c.t('vs_previous'))),
  );
  const comparison = ((r['comparisons'] as R[])[0] ?? {}) as R;
  const branches = ((comparison['branches'] as R[]) ?? []).filter((b) => c.filters.channel === '' || b['dim'] === c.filters.channel);
  const node = (b: R): R => {
    const cu = b['current'] as R;
    const buyers = num(cu['buyers']);
    const orders = num(cu['orders']);
    return {
      name: `${String(b['branch'])}\n${money(cu['gross'], c.lang)}`,
      children: [
        { name: `${c.t('buyers')} ${buyers}` },
        { name: `${c.t('orders')}/${c.t('buyers')} ${buyers === 0 ? '-' : (orders / buyers).toFixed(2)}` },
        { name: `${c.t('average_order_value')} ${orders === 0 ? '-' : money(num(cu['gross']) / orders, c.lang)}` },
      ],
    };
  };
  c.el.append(h('h3', {}, c.t('kpi_tree')));
  c.chart(c.el, {
    series: [{ type: 'tree', data: [{ name: `${c.t('gross_sales')}\n${money(cur['gross_sales'], c.lang)}`, children: branches.map(node) }], top: '5%', left: '12%', bottom: '5%', right: '25%', symbolSize: 10, label: { position: 'top', fontSize: 12, lineHeight: 15 }, leaves: { label: { position: 'right' } }, expandAndCollapse: false }],
  }, 380);
  // Waterfall: the LMDI contributions summed per driver, from the base to this period.
  const drivers = new Map<string, number>();
  for (const b of branches) for (const [d, v] of Object.entries(b['contributions'] as Record<string, string>)) drivers.set(d, Math.round(((drivers.get(d) ?? 0) + num(v)) * 100) / 100);
  const base = Math.round(branches.reduce((a, b) => a + num((b['base'] as R)['gross']), 0) * 100) / 100;
  const names = [c.t('previous'), ...[...drivers.keys()].map((d) => c.t(d)), c.t('current')];
  let running = base;
  const invisible: number[] = [0];
  const visible: Array<{ value: number; itemStyle: { color: string } }> = [{ value: base, itemStyle: { color: '#829ab1' } }];
  for (const v of drivers.values()) {
    invisible.push(Math.round((v >= 0 ? running : running + v) * 100) / 100);
    visible.push({ value: Math.abs(v), itemStyle: { color: v >= 0 ? '#3f9142' : '#c8372d' } });
    running = Math.round((running + v) * 100) / 100;
  }
  invisible.push(0);
  visible.push({ value: running, itemStyle: { color: '#1f3a5f' } });
  c.el.append(h('h3', {}, c.t('decomposition')));
  c.chart(c.el, {
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'category', data: names },
    yAxis: { type: 'value' },
    series: [{ type: 'bar', stack: 'w', data: invisible, itemStyle: { color: 'transparent' } }, { type: 'bar', stack: 'w', data: visible, label: { show: true, position: 'top' } }],
  });
  const targets = Array.isArray(r['targets']) ? (r['targets'] as R[]) : [];
  const salesTarget = targets.find((t) => t['metric'] === 'gross_sales');
  c.el.append(h('h3', {}, c.t('trend')));
  c.chart(c.el, {
    tooltip: {},
    xAxis: { type: 'category', data: [c.t('last_year'), c.t('previous'), c.t('current'), ...(salesTarget === undefined ? [] : [c.t('target')])] },
    yAxis: { type: 'value' },
    series: [{ type: 'bar', data: [num(ly['gross_sales']), num(prev['gross_sales']), num(cur['gross_sales']), ...(salesTarget === undefined ? [] : [num(salesTarget['target'])])], label: { show: true, position: 'top' } }],
  }, 300);
  c.exportable(branches.map((b) => ({ dim: b['dim'], branch: b['branch'], base_gross: (b['base'] as R)['gross'], gross: (b['current'] as R)['gross'], ...(b['contributions'] as R) })), 'kpi');
}

async function links(c: Ctx): Promise<void> {
  const doc = await c.report('links');
  const r = doc['result'] as R;
  const rows = r['links'] as R[];
  const weakest = r['weakest_link'] as R;
  c.el.append(heading(c.t('page_links')));
  c.el.append(h('div', { class: 'weakest', id: 'weakest' }, `${c.t('weakest')}: ${String(r['weakest'])}`));
  const rates = rows.filter((l) => l['link'] !== '1 traffic' && l['link'] !== '7 churn and win-back');
  c.chart(c.el, {
    tooltip: { formatter: '{b}: {c}%' },
    series: [{
      type: 'funnel', sort: 'none', left: '10%', width: '80%', label: { formatter: '{b}: {c}%' },
      data: rates.map((l) => ({ name: String(l['link']), value: Math.round(num(l['value']) * 1000) / 10, itemStyle: { color: l['link'] === weakest['link'] ? '#f0a202' : '#5b8def' } })),
    }],
  }, 400);
  const shown = rows.map((l) => ({ link: l['link'], metric: l['metric'], value: l['value'], previous: l['previous'], trailing_8_weeks: l['trailing_8_weeks'], target: l['target'] }));
  c.el.append(table(shown));
  c.exportable(shown, 'links');
}

async function repeat(c: Ctx): Promise<void> {
  const [cohorts, rep] = await Promise.all([c.report('cohorts'), c.report('repeat')]);
  const matrix = (cohorts['result'] as R)['matrix'] as R[];
  c.el.append(heading(c.t('page_repeat')));
  if (matrix.length === 0) {
    c.el.append(empty(c.t('empty_cohorts')));
    return;
  }
  const names = [...new Set(matrix.map((m) => String(m['cohort'])))];
  const maxP = Math.max(...matrix.map((m) => num(m['periods_since'])));
  c.el.append(h('h3', {}, c.t('cohort_heatmap')));
  c.chart(c.el, {
    tooltip: { position: 'top' },
    grid: { left: 90, right: 30, bottom: 60 },
    xAxis: { type: 'category', data: Array.from({ length: maxP + 1 }, (_, i) => String(i)) },
    yAxis: { type: 'category', data: names },
    visualMap: { min: 0, max: 0.5, calculable: true, orient: 'horizontal', left: 'center', bottom: 0 },
    series: [{ type: 'heatmap', data: matrix.filter((m) => num(m['periods_since']) > 0).map((m) => [num(m['periods_since']), names.indexOf(String(m['cohort'])), num(m['member_rate'])]) }],
  }, Math.max(360, names.length * 18 + 100));
  const sp = (rep['result'] as R)['second_purchase'] as R[];
  c.el.append(h('h3', {}, c.t('second_purchase')));
  c.chart(c.el, {
    tooltip: { trigger: 'axis' },
    legend: {},
    xAxis: { type: 'category', data: sp.map((s) => s['cohort']) },
    yAxis: { type: 'value', axisLabel: { formatter: (v: number) => `${Math.round(v * 100)}%` } },
    series: [
      { name: c.t('second_purchase'), type: 'line', data: sp.map((s) => num(s['rate'])) },
      { name: c.t('target'), type: 'line', lineStyle: { type: 'dashed' }, data: sp.map((s) => (s['target'] === null || s['target'] === undefined ? null : num(s['target']))) },
    ],
  }, 320);
  c.exportable(sp, 'second-purchase');
}

async function lifecycle(c: Ctx): Promise<void> {
  const [life, mig] = await Promise.all([c.report('lifecycle'), c.report('migration')]);
  const stages = (life['result'] as R)['stages'] as R[];
  c.el.append(heading(c.t('page_lifecycle')));
  c.el.append(h('h3', {}, c.t('stages')));
  c.chart(c.el, { tooltip: {}, xAxis: { type: 'category', data: stages.map((s) => s['stage']) }, yAxis: { type: 'value' }, series: [{ type: 'bar', data: stages.map((s) => num(s['members'])), label: { show: true, position: 'top' } }] }, 300);
  const m = mig['result'] as R;
  const totals = m['totals'] as R;
  const params = mig['params'] as R;
  const flows = (m['matrix'] as R[]).filter((f) => f['direction'] !== 'same' && num(f['members']) > 0);
  c.el.append(h('h3', {}, `${c.t('migration')}: ${String(params['from'])} → ${String(params['to'])} (${c.t('positive')} ${String(totals['positive'])}, ${c.t('negative')} ${String(totals['negative'])})`));
  const nodes = [...new Set(flows.flatMap((f) => [`${String(f['from_stage'])} ·1`, `${String(f['to_stage'])} ·2`]))].map((name) => ({ name }));
  c.chart(c.el, {
    tooltip: {},
    series: [{ type: 'sankey', data: nodes, links: flows.map((f) => ({ source: `${String(f['from_stage'])} ·1`, target: `${String(f['to_stage'])} ·2`, value: num(f['members']), lineStyle: { color: f['direction'] === 'positive' ? '#3f9142' : '#c8372d', opacity: 0.35 } })) }],
  }, 420);
  c.el.append(table(m['matrix'] as R[]));
  c.exportable(m['matrix'] as R[], 'migration');
}

async function rfm(c: Ctx): Promise<void> {
  const doc = await c.report('rfm');
  const r = doc['result'] as R;
  const grid = (r['grid'] as R[] | undefined) ?? [];
  c.el.append(heading(c.t('page_rfm')));
  if (grid.length === 0) {
    c.el.append(empty(c.t('empty_rfm')));
    return;
  }
  c.el.append(h('h3', {}, c.t('rfm_grid')));
  const maxM = Math.max(...grid.map((g) => num(g['mean_monetary'])));
  c.chart(c.el, {
    tooltip: { formatter: (p: { data: number[] }) => `R${p.data[0] ?? ''} F${p.data[1] ?? ''}: ${p.data[3] ?? ''} · M ${p.data[2] ?? ''}` },
    xAxis: { type: 'category', name: 'R', data: ['1', '2', '3', '4', '5'] },
    yAxis: { type: 'category', name: 'F', data: ['1', '2', '3', '4', '5'] },
    visualMap: { min: 0, max: maxM, calculable: true, orient: 'horizontal', left: 'center', bottom: 0, dimension: 2 },
    series: [{ type: 'heatmap', label: { show: true, formatter: (p: { data: number[] }) => String(p.data[3] ?? '') }, data: grid.map((g) => [num(g['r_score']) - 1, num(g['f_score']) - 1, num(g['mean_monetary']), num(g['members'])]) }],
  }, 380);
  c.el.append(h('div', { class: 'row' }, h('div', {}, h('h3', {}, c.t('groups')), table(r['groups'] as R[])), h('div', {}, h('h3', {}, c.t('groups_cn')), table(r['groups_cn'] as R[]))));
  c.exportable(r['groups'] as R[], 'rfm-groups');
}

async function members(c: Ctx): Promise<void> {
  c.el.append(heading(c.t('page_members')));
  const input = h('input', { type: 'search', id: 'member-q', placeholder: c.t('search_hint'), size: '40' }) as HTMLInputElement;
  const go = h('button', { type: 'button', id: 'member-search' }, c.t('search'));
  const results = h('div', { id: 'member-results' });
  const profile = h('div', { id: 'member-profile' });
  const open = async (id: string): Promise<void> => {
    const v = await c.api<R>(`/api/members/${encodeURIComponent(id)}`);
    const summary = v['summary'] as R;
    profile.replaceChildren(
      h('h3', {}, `${c.t('profile')}: ${String((v['member'] as R)['member_id'])} ${String((v['member'] as R)['name'] ?? '')}`),
      table([summary]),
      h('h4', {}, c.t('identities')), table(v['identities'] as R[]),
      h('h4', {}, c.t('scores')), table(v['analytics'] as R[]),
      h('h4', {}, c.t('tags')), table(((v['tags'] as R[] | undefined) ?? []).map((t) => ({ tag: t['tag'], value: t['value'], measure: t['measure'] }))),
      h('h4', {}, c.t('timeline')),
      table([
        ...(v['orders'] as R[]).map((o) => ({ at: o['created_at'], what: 'order', channel: o['channel'], id: o['order_id'], value: o['product_value'], status: o['status'] })),
        ...(v['returns'] as R[]).map((o) => ({ at: o['returned_at'], what: 'return', channel: o['channel'], id: o['return_id'], value: o['amount'], status: o['reason'] })),
        ...(v['events'] as R[]).map((e) => ({ at: e['last_at'], what: `${String(e['type'])} x${String(e['count'])}`, channel: '', id: '', value: '', status: `since ${String(e['first_at'])}` })),
      ].sort((a, b) => String(b.at).localeCompare(String(a.at)))),
    );
    c.exportable(v['orders'] as R[], `member-${id}`);
  };
  const search = async (): Promise<void> => {
    const hits = (await c.api<{ members: R[] }>(`/api/members?q=${encodeURIComponent(input.value)}`)).members;
    if (hits.length === 0) {
      results.replaceChildren(empty(c.t('no_members')));
      return;
    }
    const t = table(hits);
    t.querySelectorAll('tbody tr').forEach((tr, i) => {
      tr.setAttribute('style', 'cursor:pointer');
      tr.addEventListener('click', () => void open(String(hits[i]?.['member_id'])));
    });
    results.replaceChildren(t);
    c.exportable(hits, 'members');
    if (hits.length === 1) await open(String(hits[0]?.['member_id']));
  };
  go.addEventListener('click', () => void search());
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') void search();
  });
  c.el.append(h('p', {}, input, ' ', go), results, profile);
}

async function importPage(c: Ctx): Promise<void> {
  const meta = c.meta;
  c.el.append(heading(c.t('page_import')));
  const preset = h('select', { id: 'imp-preset' }, ...((meta['presets'] as string[]) ?? []).map((p) => h('option', { value: p }, p))) as HTMLSelectElement;
  const entity = h('select', { id: 'imp-entity' }, h('option', { value: '' }, '-'), ...((meta['entities'] as string[]) ?? []).map((p) => h('option', { value: p }, p))) as HTMLSelectElement;
  const file = h('input', { type: 'file', id: 'imp-file' }) as HTMLInputElement;
  const progress = h('progress', { id: 'imp-progress', max: '100', value: '0' });
  const out = h('div', { id: 'imp-report' });
  const go = h('button', { type: 'button', id: 'imp-go' }, c.t('upload'));
  go.addEventListener('click', () => {
    const f = file.files?.[0];
    if (f === undefined) return;
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/imports?preset=${encodeURIComponent(preset.value)}&entity=${encodeURIComponent(entity.value)}&filename=${encodeURIComponent(f.name)}`);
    xhr.setRequestHeader('authorization', `Bearer ${c.key}`);
    xhr.setRequestHeader('content-type', 'application/octet-stream');
    xhr.upload.onprogress = (e) => progress.setAttribute('value', String(e.lengthComputable ? Math.round((100 * e.loaded) / e.total) : 50));
    xhr.onload = () => {
      progress.setAttribute('value', '100');
      const body = JSON.parse(xhr.responseText) as R;
      if (xhr.status !== 200) {
        out.replaceChildren(h('p', { class: 'error' }, String(body['message'])));
        return;
      }
      const shown = ['rows_read', 'loaded', 'guest', 'return', 'non_product', 'rejected', 'duplicate', 'merges'].map((k) => ({ what: k, rows: body[k] }));
      out.replaceChildren(table(shown));
      if (num(body['rejected']) > 0) {
        const link = h('a', { href: '#', id: 'imp-rejects' }, c.t('rejects'));
        link.addEventListener('click', (e) => {
          e.preventDefault();
          void fetch(`/api/imports/${String(body['import_id'])}/rejects.csv`, { headers: { authorization: `Bearer ${c.key}` } }).then(async (r) => {
            const a = h('a', { href: URL.createObjectURL(await r.blob()), download: `rejects-${String(body['import_id'])}.csv` });
            a.click();
          });
        });
        out.append(link);
      }
      c.exportable(shown, 'import');
    };
    xhr.send(f);
  });
  c.el.append(h('p', {}, h('label', {}, c.t('preset'), ' ', preset), ' ', h('label', {}, c.t('entity'), ' ', entity)), h('p', {}, h('label', {}, c.t('file'), ' ', file), ' ', go, ' ', progress), out);
  const recent = (await c.api<{ imports: R[] }>('/api/imports')).imports;
  c.el.append(table(recent));
}

async function settings(c: Ctx): Promise<void> {
  c.el.append(heading(c.t('settings')));
  const rows = (await c.api<{ settings: R[] }>('/api/settings')).settings;
  const tbody = h('tbody');
  for (const s of rows) {
    const input = h('input', { value: JSON.stringify(s['value']), size: '50', 'data-key': String(s['key']) }) as HTMLInputElement;
    const save = h('button', { type: 'button' }, c.t('save'));
    const msg = h('span', { class: 'note' });
    save.addEventListener('click', () => {
      let value: unknown;
      try {
        value = JSON.parse(input.value);
      } catch {
        value = input.value;
      }
      c.api(`/api/settings/${encodeURIComponent(String(s['key']))}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ value }) })
        .then(() => (msg.textContent = '✓'))
        .catch((e: unknown) => (msg.textContent = e instanceof Error ? e.message : String(e)));
    });
    tbody.append(h('tr', {}, h('td', {}, String(s['key'])), h('td', {}, input, ' ', save, ' ', msg), h('td', { class: 'note' }, String(s['description']))));
  }
  c.el.append(h('table', {}, tbody));
  c.exportable(rows, 'settings');
  c.el.append(h('h2', {}, c.t('keys')));
  const me = await c.api<R>('/api/me');
  if (me['scope'] !== 'admin') return;
  const keys = h('div');
  const draw = async (): Promise<void> => {
    const list = (await c.api<{ keys: R[] }>('/api/keys')).keys;
    const t = table(list);
    t.querySelectorAll('tbody tr').forEach((tr, i) => {
      const k = list[i];
      if (k === undefined || k['revoked_at'] !== null) return;
      const b = h('button', { type: 'button' }, c.t('revoke'));
      b.addEventListener('click', () => void c.api(`/api/keys/${String(k['key_id'])}`, { method: 'DELETE' }).then(draw));
      tr.append(h('td', {}, b));
    });
    keys.replaceChildren(t);
  };
  const name = h('input', { placeholder: c.t('name'), id: 'key-name' }) as HTMLInputElement;
  const scope = h('select', { id: 'key-scope' }, ...['analyst', 'operator', 'integrator', 'admin'].map((s) => h('option', { value: s }, s))) as HTMLSelectElement;
  const shown = h('p', { class: 'note', id: 'key-shown' });
  const create = h('button', { type: 'button', id: 'key-create' }, c.t('create_key'));
  create.addEventListener('click', () => {
    void c.api<R>('/api/keys', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: name.value || 'console', scope: scope.value }) }).then((k) => {
      shown.textContent = `${c.t('key_once')} ${String(k['key'])}`;
      return draw();
    });
  });
  c.el.append(h('p', {}, name, ' ', scope, ' ', create), shown, keys);
  await draw();
}

export const PAGES: Record<string, (c: Ctx) => Promise<void>> = {
  overview,
  links,
  repeat,
  lifecycle,
  rfm,
  members,
  segments,
  campaigns,
  products,
  service,
  import: importPage,
  settings,
};
