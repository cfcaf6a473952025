/**
 * The console shell: language, key, filters (kept in the URL hash), API calls, routing, CSV
 * export and the small DOM helpers the pages share.
 */
import { PAGES } from './pages.js';
import { DICT, type Lang } from './i18n.js';

export interface Chart {
  setOption(o: unknown): void;
  dispose(): void;
}
declare const echarts: { init(el: HTMLElement, theme?: string | null, opts?: { renderer?: string }): Chart };

export interface Filters {
  as_of: string;
  period: 'week' | 'month';
  channel: string;
  /** A saved segment's ID: reports over its members only ('' = every member). */
  segment: string;
}

export interface Ctx {
  t(key: string): string;
  lang: Lang;
  filters: Filters;
  api<T = Record<string, unknown>>(path: string, init?: RequestInit): Promise<T>;
  report(name: string, extra?: Record<string, string>): Promise<Record<string, unknown>>;
  el: HTMLElement;
  chart(parent: HTMLElement, option: unknown, height?: number): void;
  exportable(rows: Array<Record<string, unknown>>, name: string): void;
  key: string;
  /** What /api/meta said (filters, vocabularies); forgetMeta() makes the next page read it again. */
  meta: Record<string, unknown>;
  forgetMeta(): void;
}

const charts: Chart[] = [];
let renders = 0;
let lang: Lang = localStorage.getItem('regulars.lang') === 'zh' ? 'zh' : 'en';
let key = localStorage.getItem('regulars.key') ?? '';

export function h(tag: string, attrs: Record<string, string> = {}, ...children: Array<Node | string | null | undefined>): HTMLElement {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const c of children) if (c !== null && c !== undefined) e.append(typeof c === 'string' ? document.createTextNode(c) : c);
  return e;
}

export function table(rows: Array<Record<string, unknown>>, cols?: string[]): HTMLElement {
  const keys = cols ?? Object.keys(rows[0] ?? {});
  return h('table', {}, h('thead', {}, h('tr', {}, ...keys.map((k) => h('th', {}, k)))), h('tbody', {}, ...rows.map((r) => h('tr', {}, ...keys.map((k) => h('td', {}, r[k] === null || r[k] === undefined ? '' : String(r[k])))))));
}

const t = (k: string): string => DICT[lang][k] ?? DICT.en[k] ?? k;

function readHash(): { page: string; filters: Filters } {
  const [path = '', query = ''] = location.hash.replace(/^#\/?/, '').split('?');
  const q = new URLSearchParams(query);
  const period = q.get('period') === 'week' ? 'week' : 'month';
  return { page: path === '' ? 'overview' : path, filters: { as_of: q.get('as_of') ?? '', period, channel: q.get('channel') ?? '', segment: q.get('segment') ?? '' } };
}
function writeHash(page: string, f: Filters): void {
  const q = new URLSearchParams();
  if (f.as_of !== '') q.set('as_of', f.as_of);
  q.set('period', f.period);
  if (f.channel !== '') q.set('channel', f.channel);
  if (f.segment !== '') q.set('segment', f.segment);
  location.hash = `#/${page}?${q.toString()}`;
}

async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(path, { ...init, headers: { ...(init.headers ?? {}), authorization: `Bearer ${key}` } });
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) throw new Error(String(body['message'] ?? res.statusText));
  return body as T;
}

function toCsv(rows: Array<Record<string, unknown>>): string {
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v: unknown): string => {
    const s = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [cols.join(','), ...rows.map((r) => cols.map((c) => cell(r[c])).join(','))].join('\n');
}

let exportRows: { rows: Array<Record<string, unknown>>; name: string } = { rows: [], name: 'export' };
let meta: Record<string, unknown> = {};

function keyForm(): void {
  const page = document.getElementById('page');
  if (page === null) return;
  const input = h('input', { type: 'password', id: 'key-input', size: '60', placeholder: 'rk_...' }) as HTMLInputElement;
  const go = h('button', { type: 'button', id: 'key-save' }, t('save'));
  go.addEventListener('click', () => {
    key = input.value.trim();
    localStorage.setItem('regulars.key', key);
    void render();
  });
  page.replaceChildren(h('div', { class: 'empty' }, h('p', {}, t('need_key')), input, ' ', go));
}

function filterBar(page: string, f: Filters): void {
  const bar = document.getElementById('filters');
  if (bar === null) return;
  const asOf = h('input', { type: 'date', id: 'f-as-of', value: f.as_of === '' ? String(meta['as_of_default'] ?? '') : f.as_of }) as HTMLInputElement;
  const period = h('select', { id: 'f-period' }, h('option', { value: 'month' }, t('month')), h('option', { value: 'week' }, t('week'))) as HTMLSelectElement;
  period.value = f.period;
  const channel = h('select', { id: 'f-channel' }, h('option', { value: '' }, t('all_channels')), ...((meta['channels'] as string[] | undefined) ?? []).map((c) => h('option', { value: c }, c))) as HTMLSelectElement;
  channel.value = f.channel;
  const saved = (meta['segments'] as Array<{ segment_id: string; name: string }> | undefined) ?? [];
  const segment = h('select', { id: 'f-segment' }, h('option', { value: '' }, t('all_members')), ...saved.map((x) => h('option', { value: x.segment_id }, x.name))) as HTMLSelectElement;
  segment.value = f.segment;
  const apply = (): void => writeHash(page, { as_of: asOf.value, period: period.value === 'week' ? 'week' : 'month', channel: channel.value, segment: segment.value });
  for (const e of [asOf, period, channel, segment]) e.addEventListener('change', apply);
  const csv = h('button', { type: 'button', id: 'export-csv' }, t('export_csv'));
  csv.addEventListener('click', () => {
    const blob = new Blob([toCsv(exportRows.rows)], { type: 'text/csv' });
    const a = h('a', { href: URL.createObjectURL(blob), download: `${exportRows.name}.csv` });
    a.click();
  });
  bar.replaceChildren(h('label', {}, t('as_of'), asOf), h('label', {}, t('period'), period), h('label', {}, t('channel'), channel), h('label', {}, t('segment'), segment), csv);
}

function nav(current: string): void {
  const el = document.getElementById('nav');
  if (el === null) return;
  el.replaceChildren(...Object.keys(PAGES).map((p) => h('a', { href: `#/${p}${location.hash.includes('?') ? `?${location.hash.split('?')[1] ?? ''}` : ''}`, class: p === current ? 'active' : '', 'data-page': p }, t(`page_${p}`))));
  const langButton = document.getElementById('lang');
  if (langButton !== null) langButton.textContent = lang === 'en' ? '中文' : 'English';
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
}

async function render(): Promise<void> {
  const fragmentKey = /key=([^&]+)/.exec(location.hash);
  if (fragmentKey !== null) {
    key = decodeURIComponent(fragmentKey[1] ?? '');
    localStorage.setItem('regulars.key', key);
    history.replaceState(null, '', `${location.pathname}#/overview`);
  }
  const mine = ++renders;
  while (charts.length > 0) charts.pop()?.dispose();
  const { page, filters } = readHash();
  nav(page);
  const pageEl = document.getElementById('page');
  if (pageEl === null) return;
  if (key === '') return keyForm();
  try {
    if (Object.keys(meta).length === 0) meta = await api('/api/meta');
  } catch (err) {
    key = '';
    localStorage.removeItem('regulars.key');
    keyForm();
    pageEl.prepend(h('p', { class: 'error' }, String(err instanceof Error ? err.message : err)));
    return;
  }
  if (mine !== renders) return; // a newer render (another click) took over
  filterBar(page, filters);
  const draw = PAGES[page] ?? PAGES['overview'];
  // Each render draws into its own box: a slower render that a newer one overtook writes into
  // a box no longer on the page instead of over the newer page.
  const el = h('div', { class: 'page-body' }, h('p', { class: 'note' }, t('loading')));
  pageEl.replaceChildren(el);
  exportRows = { rows: [], name: page };
  const ctx: Ctx = {
    t,
    lang,
    filters,
    key,
    el,
    api,
    report: async (name, extra = {}) => {
      const q = new URLSearchParams({ ...(filters.as_of !== '' ? { as_of: filters.as_of } : {}), ...(filters.segment !== '' ? { segment: filters.segment } : {}), period: filters.period, ...extra });
      const doc = await api<Record<string, unknown>>(`/api/reports/${name}?${q.toString()}`);
      // A report over one segment says so above the page.
      const scope = (doc['result'] as Record<string, unknown> | undefined)?.['scope'] as Record<string, unknown> | undefined;
      if (scope !== undefined && document.getElementById('scope-note') === null) {
        el.prepend(h('p', { class: 'scope', id: 'scope-note' }, `${t('scope_note')} ${String(scope['name'])} (${String(scope['members'])})`));
      }
      return doc;
    },
    chart: (parent, option, height = 360) => {
      const box = h('div', { class: 'chart', style: `height:${height}px` });
      parent.append(box);
      const c = echarts.init(box, null, { renderer: 'canvas' });
      c.setOption({ animation: false, ...(option as Record<string, unknown>) });
      charts.push(c);
    },
    exportable: (rows, name) => {
      exportRows = { rows, name };
    },
    meta,
    forgetMeta: () => {
      meta = {};
    },
  };
  try {
    el.replaceChildren();
    if (draw !== undefined) await draw(ctx);
  } catch (err) {
    el.replaceChildren(h('p', { class: 'error' }, `${t('error')}: ${err instanceof Error ? err.message : String(err)}`));
  }
}

document.getElementById('lang')?.addEventListener('click', () => {
  lang = lang === 'en' ? 'zh' : 'en';
  localStorage.setItem('regulars.lang', lang);
  void render();
});
window.addEventListener('hashchange', () => void render());
void render();
