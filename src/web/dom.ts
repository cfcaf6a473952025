/** The small DOM helpers every page shares: elements, tables, empty and error states. */

/** An element with attributes and children (text or nodes; null and undefined are skipped). */
export function h(tag: string, attrs: Record<string, string> = {}, ...children: Array<Node | string | null | undefined>): HTMLElement {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const c of children) if (c !== null && c !== undefined) e.append(typeof c === 'string' ? document.createTextNode(c) : c);
  return e;
}

/** How a table shows its headers and cells (the page's language and formatter). */
export interface TableLook {
  header(column: string): string;
  cell(column: string, value: unknown, row: Record<string, unknown>): string;
  /** True when a shown cell is data (a name, an ID, a product), shown as it is in every language. */
  isData(column: string, value: unknown, shown: string): boolean;
}

/** A table of rows; the columns default to the first row's keys. Wide tables scroll inside their box. */
export function table(rows: ReadonlyArray<Record<string, unknown>>, look: TableLook, cols?: readonly string[]): HTMLElement {
  const keys = cols ?? Object.keys(rows[0] ?? {});
  const t = h(
    'table',
    {},
    h('thead', {}, h('tr', {}, ...keys.map((k) => h('th', { 'data-col': k }, look.header(k))))),
    h(
      'tbody',
      {},
      ...rows.map((r) =>
        h(
          'tr',
          {},
          ...keys.map((k) => {
            const shown = look.cell(k, r[k], r);
            return h('td', look.isData(k, r[k], shown) ? { translate: 'no' } : {}, shown);
          }),
        ),
      ),
    ),
  );
  return h('div', { class: 'table-wrap' }, t);
}

/** One labelled fact (a card of the summary row); `id` names it for tests. */
export function fact(label: string, value: Node | string, id = '', kind: 'fact' | 'card' = 'fact'): HTMLElement {
  return h('div', { class: kind, ...(id === '' ? {} : { [`data-${kind}`]: id }) }, h('div', { class: 'label' }, label), h('div', { class: 'value' }, value));
}

/** An empty state: what is missing and what to do next. */
export function empty(text: string): HTMLElement {
  return h('div', { class: 'empty', 'data-empty': 'true' }, text);
}

/** A list of objects from a JSON value (anything else gives an empty list). */
export function list(v: unknown): Array<Record<string, unknown>> {
  return Array.isArray(v) ? v.filter(isRecord) : [];
}

/** True for a JSON object (not an array, not null). */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An object from a JSON value (anything else gives an empty object). */
export function obj(v: unknown): Record<string, unknown> {
  return isRecord(v) ? v : {};
}

/** Text from a JSON value ('' for null and missing). */
export function text(v: unknown): string {
  return v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** A typed element (an input is an HTMLInputElement) with attributes and children. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: Array<Node | string | null | undefined>): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const c of children) if (c !== null && c !== undefined) e.append(typeof c === 'string' ? document.createTextNode(c) : c);
  return e;
}
