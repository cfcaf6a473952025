/** Settings: thresholds and targets (each described in the page's language) and API keys. */
import { h, list, text, type Ctx } from '../main.js';
import { empty } from '../dom.js';

/** The settings page. */
export async function settings(c: Ctx): Promise<void> {
  c.el.append(h('h2', {}, c.t('settings')));
  const rows = list((await c.api('/api/settings'))['settings']);
  if (rows.length === 0) c.el.append(empty(c.t('settings_empty')));
  // A new database has no targets: say how to load them, rather than show an empty list.
  const targets = rows.find((s) => s['key'] === 'analysis.targets');
  if (targets !== undefined && Array.isArray(targets['value']) && targets['value'].length === 0) {
    c.el.append(h('div', { class: 'empty', 'data-empty': 'true', id: 'no-targets' }, c.t('settings_no_targets'), ' ', h('code', {}, 'regulars targets import targets.csv')));
  }
  const tbody = h('tbody');
  for (const s of rows) {
    const key = text(s['key']);
    const input = document.createElement('input');
    input.value = JSON.stringify(s['value']);
    input.dataset['key'] = key;
    input.className = 'setting-value';
    const save = h('button', { type: 'button' }, c.t('save'));
    const msg = h('span', { class: 'note' });
    save.addEventListener('click', () => {
      let value: unknown;
      try {
        value = JSON.parse(input.value);
      } catch {
        value = input.value;
      }
      c.api(`/api/settings/${encodeURIComponent(key)}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ value }) })
        .then(() => (msg.textContent = `✓ ${c.t('saved')}`))
        .catch((e: unknown) => (msg.textContent = e instanceof Error ? e.message : String(e)));
    });
    const described = c.v('setting', key);
    tbody.append(h('tr', {}, h('td', {}, h('code', {}, key)), h('td', {}, input, ' ', save, ' ', msg), h('td', { class: 'note' }, described === key ? '' : described)));
  }
  c.el.append(
    h('div', { class: 'table-wrap' }, h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, c.v('col', 'key')), h('th', {}, c.v('col', 'value')), h('th', {}, c.v('col', 'description')))), tbody)),
  );
  c.exportable(rows, 'settings');
  c.el.append(h('h2', {}, c.t('keys')));
  const me = await c.api('/api/me');
  if (me['scope'] !== 'admin') {
    c.el.append(h('p', { class: 'note', id: 'keys-admin-only' }, c.t('settings_keys_admin')));
    return;
  }
  const keys = h('div');
  const draw = async (): Promise<void> => {
    const all = list((await c.api('/api/keys'))['keys']);
    const t = c.table(all, ['key_id', 'name', 'scope', 'created_at', 'last_used_at', 'revoked_at'], { scope: (x) => c.v('scope', x) });
    t.querySelectorAll('tbody tr').forEach((tr, i) => {
      const k = all[i];
      if (k === undefined || (k['revoked_at'] !== null && k['revoked_at'] !== undefined)) return;
      const b = h('button', { type: 'button' }, c.t('revoke'));
      b.addEventListener('click', () => void c.api(`/api/keys/${text(k['key_id'])}`, { method: 'DELETE' }).then(draw));
      tr.append(h('td', {}, b));
    });
    keys.replaceChildren(t);
  };
  const name = document.createElement('input');
  name.placeholder = c.t('name');
  name.id = 'key-name';
  const scope = h('select', { id: 'key-scope' }, ...['analyst', 'operator', 'integrator', 'admin'].map((s) => h('option', { value: s }, c.v('scope', s))));
  const shown = h('p', { class: 'note', id: 'key-shown' });
  const create = h('button', { type: 'button', id: 'key-create' }, c.t('create_key'));
  create.addEventListener('click', () => {
    const sc = scope instanceof HTMLSelectElement ? scope.value : 'analyst';
    void c
      .api('/api/keys', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: name.value || 'console', scope: sc }) })
      .then((k) => {
        shown.textContent = `${c.t('key_once')} ${text(k['key'])}`;
        return draw();
      })
      .catch((e: unknown) => (shown.textContent = `${c.t('error')}: ${e instanceof Error ? e.message : String(e)}`));
  });
  c.el.append(h('p', { class: 'form-row' }, name, ' ', scope, ' ', create), shown, keys);
  await draw();
}
