/**
 * The console shell: language, key, filters (kept in the URL hash), API calls, routing, page
 * states (loading, error), CSV export. Pages draw into the box the shell gives them.
 */
import { PAGES } from './pages.js';
import { knows, translate, vocab, type Key, type Lang } from './i18n.js';
import { formatter, type Formatter } from './format.js';
import { h, isRecord, list, obj, table, text, type TableLook } from './dom.js';
import { PERIOD_KINDS, grainOf, periodRange, type PeriodKind } from './periods.js';
import type { ConsoleReport, ReportDocument } from '../contracts/reports.js';

export { h } from './dom.js';

export interface Chart {
  setOption(o: unknown): void;
  dispose(): void;
  resize(): void;
}
declare const echarts: { init(el: HTMLElement, theme?: string | null, opts?: { renderer?: string }): Chart };

export interface Filters {
  as_of: string;
  period: PeriodKind;
  /** Custom range (period 'custom'). */
  from: string;
  to: string;
  channel: string;
  /** A saved segment's ID: reports over its members only ('' = every member). */
  segment: string;
  /** 'segment': RFM ranked within the segment (default: each member's whole-base scores). */
  rank: string;
}

export interface Ctx {
  t(key: Key, vars?: Record<string, string | number>): string;
  /** A vocabulary value in the page's language (data values pass through). */
  v(group: string, value: unknown): string;
  f: Formatter;
  lang: Lang;
  filters: Filters;
  /** The period the filters name: its first and last day, and the grain of periodic reports. */
  range: { from: string; to: string; grain: 'week' | 'month' };
  api(path: string, init?: RequestInit): Promise<Record<string, unknown>>;
  /** A report's document, its result typed by the report's contract (src/contracts). */
  report<K extends ConsoleReport>(name: K, extra?: Record<string, string>): Promise<ReportDocument<K>>;
  el: HTMLElement;
  chart(parent: HTMLElement, option: Record<string, unknown>, height?: number): void;
  /**
   * A table in the page's language: headers from the dictionary (the page's own `group.col` first,
   * e.g. `products.col`, then the shared `col`), cells through the formatter (or `cells`).
   */
  table(rows: ReadonlyArray<Record<string, unknown>>, cols?: readonly string[], cells?: Record<string, (v: unknown, row: Record<string, unknown>) => string>, headers?: string): HTMLElement;
  exportable(rows: Array<Record<string, unknown>>, name: string): void;
  key: string;
  /** What /api/meta said (filters, vocabularies); forgetMeta() makes the next page read it again. */
  meta: Record<string, unknown>;
  forgetMeta(): void;
}

/** Columns that hold data (names, IDs, products, accounts): shown as they are in every language. */
const DATA_COLUMNS = new Set([
  'channels',
  'name',
  'file',
  'preset',
  'reason',
  'channel',
  'channel_id',
  'wave',
  'at',
  'when',
  'member_id',
  'segment_id',
  'campaign_id',
  'import_id',
  'key_id',
  'value',
  'city',
  'account',
  'via',
  'other_member_id',
  'id',
  'order_id',
  'return_id',
  'sku',
  'measure',
]);

const charts: Chart[] = [];
let renders = 0;
const storedLang = localStorage.getItem('regulars.lang');
let lang: Lang = storedLang === 'zh' || storedLang === 'en' ? storedLang : navigator.language.toLowerCase().startsWith('zh') ? 'zh' : 'en';
let key = localStorage.getItem('regulars.key') ?? '';
const t = (k: Key, vars: Record<string, string | number> = {}): string => translate(lang, k, vars);

const isPeriod = (v: string | null): v is PeriodKind => PERIOD_KINDS.some((p) => p === v);

function readHash(): { page: string; filters: Filters } {
  const [path = '', query = ''] = location.hash.replace(/^#\/?/, '').split('?');
  const q = new URLSearchParams(query);
  const p = q.get('period');
  const g = (k: string): string => q.get(k) ?? '';
  return {
    page: path === '' ? 'overview' : path,
    filters: { as_of: g('as_of'), period: isPeriod(p) ? p : 'month', from: g('from'), to: g('to'), channel: g('channel'), segment: g('segment'), rank: g('rank') },
  };
}
function writeHash(page: string, f: Filters): void {
  const q = new URLSearchParams();
  if (f.as_of !== '') q.set('as_of', f.as_of);
  q.set('period', f.period);
  if (f.period === 'custom') {
    if (f.from !== '') q.set('from', f.from);
    if (f.to !== '') q.set('to', f.to);
  }
  if (f.channel !== '') q.set('channel', f.channel);
  if (f.segment !== '') q.set('segment', f.segment);
  if (f.rank !== '') q.set('rank', f.rank);
  location.hash = `#/${page}?${q.toString()}`;
}

async function api(path: string, init: RequestInit = {}): Promise<Record<string, unknown>> {
  const res = await fetch(path, { ...init, headers: { ...(init.headers ?? {}), authorization: `Bearer ${key}`, 'accept-language': lang === 'zh' ? 'zh-CN' : 'en' } });
  const body: unknown = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(text(obj(body)['message']) || res.statusText);
  return obj(body);
}

/**
 * The server's answer as the named report's document. The server is the one that keeps each
 * report to its contract (src/api/contracts.test.ts checks every answer against its schema); here
 * the envelope is checked, so a page never reads another report's result or an error body.
 */
function isReport<K extends ConsoleReport>(doc: Record<string, unknown>, name: K): doc is Record<string, unknown> & ReportDocument<K> {
  return doc['report'] === name && isRecord(doc['result']) && typeof doc['as_of'] === 'string' && isRecord(doc['params']);
}

function toCsv(rows: Array<Record<string, unknown>>): string {
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v: unknown): string => {
    const s = text(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [cols.join(','), ...rows.map((r) => cols.map((c) => cell(r[c])).join(','))].join('\n');
}

let exportRows: { rows: Array<Record<string, unknown>>; name: string } = { rows: [], name: 'export' };
let meta: Record<string, unknown> = {};

function keyForm(): void {
  const page = document.getElementById('page');
  if (page === null) return;
  const input = h('input', { type: 'password', id: 'key-input', placeholder: t('key_placeholder') });
  const go = h('button', { type: 'button', id: 'key-save' }, t('save'));
  go.addEventListener('click', () => {
    key = input instanceof HTMLInputElement ? input.value.trim() : '';
    localStorage.setItem('regulars.key', key);
    void render();
  });
  page.replaceChildren(h('div', { class: 'empty' }, h('p', {}, t('need_key')), h('pre', {}, h('code', {}, 'regulars keys create --scope admin')), input, ' ', go));
}

/** A select; with `data`, its options other than the empty one are data (channel, segment names). */
function select(id: string, options: Array<[string, string]>, value: string, data = false): HTMLSelectElement {
  const s = document.createElement('select');
  s.id = id;
  for (const [v, label] of options) s.append(h('option', data && v !== '' ? { value: v, translate: 'no' } : { value: v }, label));
  s.value = value;
  return s;
}
function dateInput(id: string, value: string): HTMLInputElement {
  const i = document.createElement('input');
  i.type = 'date';
  i.id = id;
  i.value = value;
  return i;
}

function filterBar(page: string, f: Filters): void {
  const bar = document.getElementById('filters');
  if (bar === null) return;
  const asOf = dateInput('f-as-of', f.as_of === '' ? text(meta['as_of_default']) : f.as_of);
  const period = select(
    'f-period',
    PERIOD_KINDS.map((p) => [p, t(p)]),
    f.period,
  );
  const range = periodRange(f.period, asOf.value, f.from, f.to);
  const from = dateInput('f-from', range.from);
  const to = dateInput('f-to', range.to);
  const channels = Array.isArray(meta['channels']) ? meta['channels'].filter((c): c is string => typeof c === 'string') : [];
  const channel = select('f-channel', [['', t('all_channels')], ...channels.map((c): [string, string] => [c, c])], f.channel, true);
  const segment = select('f-segment', [['', t('all_members')], ...list(meta['segments']).map((x): [string, string] => [text(x['segment_id']), text(x['name'])])], f.segment, true);
  const apply = (): void => {
    const p = isPeriod(period.value) ? period.value : 'month';
    writeHash(page, { as_of: p === 'custom' ? to.value : asOf.value, period: p, from: from.value, to: to.value, channel: channel.value, segment: segment.value, rank: f.rank });
  };
  for (const e of [asOf, period, from, to, channel, segment]) e.addEventListener('change', apply);
  const csv = h('button', { type: 'button', id: 'export-csv' }, t('export_csv'));
  csv.addEventListener('click', () => {
    const blob = new Blob([toCsv(exportRows.rows)], { type: 'text/csv' });
    h('a', { href: URL.createObjectURL(blob), download: `${exportRows.name}.csv` }).click();
  });
  const custom = f.period === 'custom';
  const parts: Array<HTMLElement | null> = [
    custom ? null : h('label', {}, t('as_of'), asOf),
    h('label', {}, t('period'), period),
    custom ? h('label', {}, t('from'), from) : null,
    custom ? h('label', {}, t('to'), to) : null,
    h('span', { class: 'note', id: 'f-range' }, t('period_label', { from: fmt().date(range.from), to: fmt().date(range.to) })),
    h('label', {}, t('channel'), channel),
    h('label', {}, t('segment'), segment),
    csv,
  ];
  bar.replaceChildren(...parts.filter((x): x is HTMLElement => x !== null));
}

const fmt = (): Formatter => formatter(lang, text(meta['currency']) || 'CNY');

function nav(current: string): void {
  const el = document.getElementById('nav');
  if (el === null) return;
  const query = location.hash.includes('?') ? `?${location.hash.split('?')[1] ?? ''}` : '';
  el.replaceChildren(...Object.keys(PAGES).map((p) => h('a', { href: `#/${p}${query}`, class: p === current ? 'active' : '', 'data-page': p }, pageTitle(p))));
  el.classList.remove('open');
  const menu = document.getElementById('menu');
  if (menu !== null) menu.textContent = `☰ ${pageTitle(current)}`;
  const langButton = document.getElementById('lang');
  if (langButton !== null) {
    // The other language's own name: not translated.
    langButton.textContent = lang === 'en' ? '中文' : 'English';
    langButton.setAttribute('translate', 'no');
  }
  const brand = document.querySelector('.brand');
  if (brand !== null) brand.textContent = t('brand');
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  document.title = `${pageTitle(current)} · ${t('brand')}`;
}

/** A page's name in the current language. */
function pageTitle(p: string): string {
  const k = `page_${p}`;
  return k in PAGE_KEYS ? t(PAGE_KEYS[k] ?? 'page_overview') : p;
}
const PAGE_KEYS: Record<string, Key> = {
  page_overview: 'page_overview',
  page_links: 'page_links',
  page_repeat: 'page_repeat',
  page_lifecycle: 'page_lifecycle',
  page_rfm: 'page_rfm',
  page_review: 'page_review',
  page_members: 'page_members',
  page_segments: 'page_segments',
  page_campaigns: 'page_campaigns',
  page_loyalty: 'page_loyalty',
  page_coupons: 'page_coupons',
  page_models: 'page_models',
  page_products: 'page_products',
  page_service: 'page_service',
  page_import: 'page_import',
  page_settings: 'page_settings',
};

function loadingState(): HTMLElement {
  return h('div', { class: 'loading', id: 'loading', role: 'status' }, h('span', { class: 'spinner' }), t('loading'));
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
  pageEl.replaceChildren(loadingState());
  try {
    if (Object.keys(meta).length === 0) meta = await api('/api/meta');
  } catch (err) {
    key = '';
    localStorage.removeItem('regulars.key');
    keyForm();
    pageEl.prepend(h('p', { class: 'error' }, err instanceof Error ? err.message : String(err)));
    return;
  }
  if (mine !== renders) return; // a newer render (another click) took over
  filterBar(page, filters);
  const draw = PAGES[page] ?? PAGES['overview'];
  const asOf = filters.as_of === '' ? text(meta['as_of_default']) : filters.as_of;
  const range = periodRange(filters.period, asOf, filters.from, filters.to);
  const f = fmt();
  // Each render draws into its own box: a slower render that a newer one overtook writes into
  // a box no longer on the page instead of over the newer page.
  const el = h('div', { class: 'page-body', 'aria-busy': 'true' });
  const loading = loadingState();
  pageEl.replaceChildren(loading, el);
  exportRows = { rows: [], name: page };
  const look = (cells: Record<string, (v: unknown, row: Record<string, unknown>) => string> = {}, headers = 'col'): TableLook => ({
    header: (c) => vocab(lang, knows(headers, c) ? headers : 'col', c),
    cell: (c, v, row) => {
      const custom = cells[c];
      return custom !== undefined ? custom(v, row) : f.cell(c, v);
    },
    isData: (c, v, shown) => (Array.isArray(v) && DATA_COLUMNS.has(c)) || (typeof v === 'string' && shown === v && (cells[c] === undefined || DATA_COLUMNS.has(c))),
  });
  const ctx: Ctx = {
    t,
    v: (group, value) => vocab(lang, group, value),
    f,
    lang,
    filters: { ...filters, as_of: asOf },
    range: { ...range, grain: grainOf(filters.period) },
    key,
    el,
    api,
    report: async <K extends ConsoleReport>(name: K, extra: Record<string, string> = {}): Promise<ReportDocument<K>> => {
      const q = new URLSearchParams({ as_of: range.to, ...(filters.segment !== '' ? { segment: filters.segment } : {}), period: grainOf(filters.period), ...extra });
      const doc = await api(`/api/reports/${name}?${q.toString()}`);
      if (!isReport(doc, name)) throw new Error(`${name}: ${t('error')}`);
      // A report over one segment says so above the page.
      const scope = 'scope' in doc.result ? doc.result.scope : undefined;
      if (scope !== undefined && document.getElementById('scope-note') === null) {
        el.prepend(h('p', { class: 'scope', id: 'scope-note' }, t('scope_note', { name: scope.name, members: f.count(scope.members) })));
      }
      return doc;
    },
    chart: (parent, option, height = 360) => {
      const box = h('div', { class: 'chart', style: `height:${height}px` });
      parent.append(box);
      const c = echarts.init(box, null, { renderer: 'canvas' });
      c.setOption({ animation: false, textStyle: { fontFamily: 'system-ui, "PingFang SC", "Noto Sans CJK SC", sans-serif' }, ...option });
      charts.push(c);
    },
    table: (rows, cols, cells, headers) => table(rows, look(cells, headers), cols),
    exportable: (rows, name) => {
      exportRows = { rows, name };
    },
    meta,
    forgetMeta: () => {
      meta = {};
    },
  };
  const show = async (): Promise<void> => {
    try {
      el.replaceChildren();
      if (draw !== undefined) await draw(ctx);
    } catch (err) {
      const retry = h('button', { type: 'button', id: 'retry' }, t('retry'));
      retry.addEventListener('click', () => void render());
      el.replaceChildren(h('div', { class: 'error', id: 'page-error', role: 'alert' }, `${t('error')}: ${err instanceof Error ? err.message : String(err)} `, retry));
    } finally {
      loading.remove();
      el.setAttribute('aria-busy', 'false');
    }
  };
  await show();
}

window.addEventListener('resize', () => {
  for (const c of charts) c.resize();
});
document.getElementById('lang')?.addEventListener('click', () => {
  lang = lang === 'en' ? 'zh' : 'en';
  localStorage.setItem('regulars.lang', lang);
  void render();
});
document.getElementById('menu')?.addEventListener('click', () => document.getElementById('nav')?.classList.toggle('open'));
window.addEventListener('hashchange', () => void render());
void render();

export { isRecord, list, obj, text };
