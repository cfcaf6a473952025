/** RFC 4180 CSV parser for small files (targets, test fixtures): quoted fields may hold commas, doubled quotes and line breaks. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (quoted) throw new Error('unterminated quoted field');
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** Byte order mark written first in CSV exports, so Excel reads UTF-8 (Chinese names) as UTF-8. */
export const CSV_BOM = '\uFEFF';

/**
 * One CSV cell of an export. Text (names, phones, messages) beginning with =, +, -, @, a tab or
 * a carriage return is neutralised with a leading apostrophe, as OWASP recommends against
 * formula injection ('+8613800138000 stays readable); numbers (`kind: 'number'`) are written as
 * they are. Cells with commas, quotes or line breaks are quoted.
 */
export function csvCell(value: unknown, kind: 'text' | 'number' = 'text'): string {
  const s = value === null || value === undefined ? '' : String(value);
  const safe = kind === 'text' && /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) || safe.startsWith(' ') ? `"${safe.replace(/"/g, '""')}"` : safe;
}
