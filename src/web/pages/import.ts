/** Import: upload a file with a preset, watch the progress, read the report, download the rejects. */
import { h, list, obj, text, type Ctx } from '../main.js';
import { empty } from '../dom.js';

const OUTCOMES = ['rows_read', 'loaded', 'guest', 'return', 'non_product', 'rejected', 'duplicate', 'merges'];

/** The import page. */
export async function importPage(c: Ctx): Promise<void> {
  c.el.append(h('h2', {}, c.t('page_import')));
  const options = (v: unknown): HTMLElement[] => (Array.isArray(v) ? v.map((p) => h('option', { value: text(p), translate: 'no' }, text(p))) : []);
  const preset = h('select', { id: 'imp-preset' }, ...options(c.meta['presets']));
  const entity = h(
    'select',
    { id: 'imp-entity' },
    h('option', { value: '' }, '—'),
    ...(Array.isArray(c.meta['entities']) ? c.meta['entities'].map((p) => h('option', { value: text(p) }, c.v('entity', p))) : []),
  );
  const file = document.createElement('input');
  file.type = 'file';
  file.id = 'imp-file';
  const progress = h('progress', { id: 'imp-progress', max: '100', value: '0' });
  const out = h('div', { id: 'imp-report' });
  const go = h('button', { type: 'button', id: 'imp-go' }, c.t('upload'));
  const value = (e: HTMLElement): string => (e instanceof HTMLSelectElement ? e.value : '');
  go.addEventListener('click', () => {
    const f = file.files?.[0];
    if (f === undefined) {
      out.replaceChildren(h('p', { class: 'error', id: 'imp-no-file' }, c.t('choose_file')));
      return;
    }
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/imports?preset=${encodeURIComponent(value(preset))}&entity=${encodeURIComponent(value(entity))}&filename=${encodeURIComponent(f.name)}`);
    xhr.setRequestHeader('authorization', `Bearer ${c.key}`);
    xhr.setRequestHeader('accept-language', c.lang === 'zh' ? 'zh-CN' : 'en');
    xhr.setRequestHeader('content-type', 'application/octet-stream');
    xhr.upload.onprogress = (e) => progress.setAttribute('value', String(e.lengthComputable ? Math.round((100 * e.loaded) / e.total) : 50));
    xhr.onload = () => {
      progress.setAttribute('value', '100');
      let parsed: unknown = {};
      try {
        parsed = JSON.parse(xhr.responseText);
      } catch {
        parsed = { message: xhr.statusText };
      }
      const body = obj(parsed);
      if (xhr.status !== 200) {
        out.replaceChildren(h('p', { class: 'error' }, text(body['message'])));
        return;
      }
      const shown = OUTCOMES.map((k) => ({ what: k, rows: body[k] }));
      out.replaceChildren(h('h3', {}, c.t('import_done')), c.table(shown, undefined, { what: (x) => c.v('imp', x) }));
      if (Number(body['rejected'] ?? 0) > 0) {
        const link = h('a', { href: '#', id: 'imp-rejects' }, c.t('rejects'));
        link.addEventListener('click', (e) => {
          e.preventDefault();
          void fetch(`/api/imports/${text(body['import_id'])}/rejects.csv`, { headers: { authorization: `Bearer ${c.key}` } }).then(async (r) => {
            h('a', { href: URL.createObjectURL(await r.blob()), download: `rejects-${text(body['import_id'])}.csv` }).click();
          });
        });
        out.append(link);
      }
      c.exportable(shown, 'import');
    };
    xhr.send(f);
  });
  c.el.append(
    h('p', { class: 'form-row' }, h('label', {}, c.t('preset'), ' ', preset), ' ', h('label', {}, c.t('entity'), ' ', entity)),
    h('p', { class: 'form-row' }, h('label', {}, c.t('file'), ' ', file), ' ', go, ' ', progress),
    out,
  );
  const recent = list((await c.api('/api/imports'))['imports']);
  c.el.append(h('h3', {}, c.t('recent_imports')));
  // The server's own paths (temporary files, reject folders) are not shown.
  const shownImport = (r: Record<string, unknown>): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(r)) {
      if (/path|dir/.test(k)) continue;
      out[k] = k === 'file' ? text(x).split(/[\\/]/).pop() : x;
    }
    return out;
  };
  c.el.append(recent.length === 0 ? empty(c.t('empty_imports')) : c.table(recent.map(shownImport), undefined, { entity: (x) => c.v('entity', x), file: (x) => text(x), preset: (x) => text(x) }));
}
