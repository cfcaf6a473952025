import { createReadStream, createWriteStream, mkdtempSync, openSync, readSync, closeSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, basename } from 'node:path';
import { createGunzip, gunzipSync } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { Transform, Writable } from 'node:stream';
import { int, str, type Db } from '../core/db/index.js';
import { ident } from './mapping.js';
import { recordAt, recordStarts } from './lines.js';

/** How to read a file into the staging table. */
export interface StageOptions {
  /** 'auto' (UTF-8, else GB18030), 'utf-8', or 'gbk'/'gb18030'. */
  readonly encoding?: string;
  /** A single character; sniffed when absent. */
  readonly delimiter?: string;
  /**
   * 'csv' (default), 'whitespace' for space-aligned text such as CDNOW's, or 'items' for one
   * list of items per line without a header (baskets): one staged row per item, with columns
   * item_no and item.
   */
  readonly layout?: 'csv' | 'whitespace' | 'items';
  /** Column names for a whitespace layout; a first line whose first token is not numeric is a header. */
  readonly columns?: readonly string[];
  /** Column names of a CSV file without a header line: its first line is a row. */
  readonly columnNames?: readonly string[];
}

/**
 * Columns of a staged row that each hold one line (line_item_1, line_item_2, ...): the row
 * becomes one row per non-empty value, with the value in `value` and its number in `number`.
 */
export interface Unpivot {
  /** The columns, in line order. */
  readonly columns: readonly string[];
  /** Each column's line number (line_item_2 is 2), parallel to columns. */
  readonly numbers: readonly number[];
  readonly number: string;
  readonly value: string;
}

/** A row the parser could not read: it goes to the reject file. */
export interface ParseReject {
  readonly line: number;
  readonly field: string;
  readonly reason: string;
  readonly value: string;
}

export interface Staged {
  readonly format: 'csv' | 'ndjson' | 'parquet' | 'whitespace' | 'items';
  readonly encoding: string;
  readonly columns: string[];
  readonly rows: number;
  readonly parseRejects: ParseReject[];
}

/** A file refused as a whole: nothing of it is written. */
export class FileRefused extends Error {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = 'FileRefused';
  }
}

const HEAD_BYTES = 1 << 16;

function readHead(file: string): Buffer {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(HEAD_BYTES);
    const n = readSync(fd, buf, 0, HEAD_BYTES, 0);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

function isGzip(head: Buffer): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

function decompressedHead(file: string, head: Buffer): Buffer {
  if (!isGzip(head)) return head;
  try {
    return gunzipSync(head, { finishFlush: 2 }).subarray(0, HEAD_BYTES);
  } catch {
    throw new FileRefused(file, 'looks like gzip but cannot be decompressed (truncated or corrupt)');
  }
}

/**
 * Reads a gzip file to its end: a truncated or corrupt one is refused as a whole (a reader that
 * stops at the break would import part of the file as if it were all of it).
 */
async function checkGzip(file: string): Promise<void> {
  const sink = new Writable({ write: (_chunk, _enc, cb) => cb() });
  try {
    await pipeline(createReadStream(file), createGunzip(), sink);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new FileRefused(file, `is a truncated or corrupt gzip file (${why}); nothing of it is imported: copy or download it again`);
  }
}

/** Checks whether bytes are valid UTF-8, ignoring a sequence cut off at the end. */
function validUtf8Prefix(buf: Buffer): boolean {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  try {
    decoder.decode(buf, { stream: true });
    return true;
  } catch {
    return false;
  }
}

/** The first non-empty line of a text file (gzip-aware), or '' when it cannot be read. */
export function firstLine(file: string): string {
  try {
    const head = decompressedHead(file, readHead(file))
      .toString('utf8')
      .replace(/^\uFEFF/, '');
    return head.split(/\r?\n/).find((l) => l.trim() !== '') ?? '';
  } catch {
    return '';
  }
}

/** Quotes a string literal for the few statements that cannot bind parameters (file paths in COPY/read_csv). */
export function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/**
 * Reads a file (CSV of any delimiter, NDJSON or Parquet; gzip transparently; UTF-8 or GBK)
 * into the temporary table _stage: every column VARCHAR plus __line, the file line of the row.
 * Refuses (throws FileRefused) a file that cannot be what it claims to be.
 */
export async function stageFile(db: Db, file: string, opts: StageOptions): Promise<Staged> {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    throw new FileRefused(file, 'no such file');
  }
  if (size === 0) throw new FileRefused(file, 'the file is empty');
  const rawHead = readHead(file);
  if (rawHead.subarray(0, 4).toString('latin1') === 'PAR1') return stageParquet(db, file);
  const head = decompressedHead(file, rawHead);
  if (head.length === 0) throw new FileRefused(file, 'the file is empty');
  if (isGzip(rawHead)) await checkGzip(file);
  const nul = head.indexOf(0);
  if (nul >= 0) {
    throw new FileRefused(file, `not a text file (binary byte at offset ${nul}); expected CSV, NDJSON or Parquet`);
  }
  const requested = (opts.encoding ?? 'auto').toLowerCase().replace('_', '-');
  const utf8 = validUtf8Prefix(head);
  if (!['auto', 'utf-8', 'utf8', 'gbk', 'gb18030', 'gb2312'].includes(requested)) {
    throw new FileRefused(file, `unknown encoding '${opts.encoding ?? ''}' (use utf-8 or gbk)`);
  }
  const wantUtf8 = requested === 'utf-8' || requested === 'utf8';
  if (wantUtf8 && !utf8) {
    throw new FileRefused(file, 'is not valid UTF-8 (in its first 64 KiB); if it is a GBK/GB18030 export (Taobao, Tmall, JD), pass --encoding gbk or leave --encoding auto');
  }
  const transcode = requested === 'auto' ? !utf8 : !wantUtf8;
  if (transcode) return withTranscoded(file, (utf8File) => stageText(db, file, utf8File, head, opts, 'gb18030'));
  const staged = await stageText(db, file, file, head, opts, 'utf-8');
  const badEncoding = staged.parseRejects.find((r) => r.reason.startsWith('invalid UTF-8'));
  if (badEncoding !== undefined) {
    if (requested === 'auto') {
      return withTranscoded(file, (utf8File) => stageText(db, file, utf8File, head, opts, 'gb18030'));
    }
    throw new FileRefused(file, `is not valid UTF-8 at line ${badEncoding.line}; pass --encoding gbk if it is a GBK export`);
  }
  return staged;
}

async function withTranscoded<T>(file: string, fn: (utf8File: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'regulars-'));
  const out = join(dir, `${basename(file).replace(/\.gz$/i, '')}.utf8`);
  try {
    const decoder = new TextDecoder('gb18030', { fatal: true });
    const transform = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        try {
          cb(null, Buffer.from(decoder.decode(chunk, { stream: true }), 'utf8'));
        } catch {
          cb(new FileRefused(file, 'is neither valid UTF-8 nor GB18030/GBK text'));
        }
      },
      flush(cb) {
        try {
          cb(null, Buffer.from(decoder.decode(), 'utf8'));
        } catch {
          cb(new FileRefused(file, 'ends in the middle of a GB18030 character'));
        }
      },
    });
    const input = createReadStream(file);
    if (isGzip(readHead(file))) await pipeline(input, createGunzip(), transform, createWriteStream(out));
    else await pipeline(input, transform, createWriteStream(out));
    return await fn(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** _stage over _stage_raw with each row's physical line, from a list in row order. */
async function stagePhysicalLines(db: Db, lines: readonly number[]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'regulars-lines-'));
  try {
    const file = join(dir, 'lines.txt');
    writeFileSync(file, `${lines.map((l, k) => `${k},${l}`).join('\n')}\n`);
    await db.run(`CREATE OR REPLACE TEMP TABLE _phys AS SELECT * FROM read_csv(${sqlString(file)}, columns = {'k': 'BIGINT', 'line': 'BIGINT'}, header = false, delim = ',')`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  await db.run('CREATE TEMP VIEW _stage AS SELECT p.line AS __line, s.* FROM _stage_raw s JOIN _phys p ON p.k = s.rowid');
}

/**
 * Replaces _stage with one row per non-empty value of the unpivoted columns, keeping each row's
 * physical line; a row with no value at all stays one row with both new columns empty (so it is
 * rejected for its missing line, never dropped). Returns the rows now staged.
 */
export async function unpivotStage(db: Db, u: Unpivot): Promise<number> {
  const values = `[${u.columns.map((c) => `${ident(c)}::VARCHAR`).join(', ')}]`;
  const numbers = `[${u.numbers.map((n) => String(Math.trunc(n))).join(', ')}]::BIGINT[]`;
  const filled = "list_filter(range(1, len(__vals) + 1), i -> NULLIF(trim(__vals[i]), '') IS NOT NULL)";
  await db.run(
    `CREATE OR REPLACE TEMP TABLE _stage_unpivot AS
     SELECT * EXCLUDE (__vals, __nums, __i), __nums[__i]::VARCHAR AS ${ident(u.number)}, __vals[__i] AS ${ident(u.value)}
     FROM (SELECT *, unnest(CASE WHEN len(${filled}) = 0 THEN [NULL::BIGINT] ELSE ${filled} END) AS __i
           FROM (SELECT s.* EXCLUDE (${u.columns.map(ident).join(', ')}), ${values} AS __vals, ${numbers} AS __nums FROM _stage s))
     ORDER BY __line, __i`,
  );
  await dropStage(db);
  await db.run('ALTER TABLE _stage_unpivot RENAME TO _stage');
  return int(await db.one('SELECT count(*) AS n FROM _stage'), 'n');
}

/** Drops the staged file (a table, or for CSV a view over the raw table). */
export async function dropStage(db: Db): Promise<void> {
  const view = await db.one("SELECT count(*) AS n FROM duckdb_views() WHERE view_name = '_stage' AND temporary");
  if (int(view, 'n') > 0) await db.run('DROP VIEW _stage');
  else await db.run('DROP TABLE IF EXISTS _stage');
  await db.run('DROP TABLE IF EXISTS _stage_raw');
  await db.run('DROP TABLE IF EXISTS _phys');
}

async function stageParquet(db: Db, file: string): Promise<Staged> {
  await dropStage(db);
  try {
    await db.run(`CREATE OR REPLACE TEMP TABLE _stage_pq AS SELECT COLUMNS(*)::VARCHAR FROM read_parquet(${sqlString(file)})`);
    await db.run('CREATE TEMP TABLE _stage AS SELECT (rowid + 1)::BIGINT AS __line, * FROM _stage_pq');
    await db.run('DROP TABLE _stage_pq');
  } catch (err) {
    throw new FileRefused(file, `cannot be read as Parquet: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
  return finish(db, 'parquet', 'binary', []);
}

async function finish(db: Db, format: Staged['format'], encoding: string, parseRejects: ParseReject[]): Promise<Staged> {
  const cols = await db.all("SELECT column_name FROM (DESCRIBE _stage) WHERE column_name <> '__line'");
  const count = await db.one('SELECT count(*)::BIGINT AS n FROM _stage');
  return {
    format,
    encoding,
    columns: cols.map((r) => str(r, 'column_name') ?? ''),
    rows: int(count, 'n'),
    parseRejects,
  };
}

async function stageText(db: Db, file: string, path: string, head: Buffer, opts: StageOptions, encoding: string): Promise<Staged> {
  const text = head
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trimStart();
  const lower = file.toLowerCase();
  if (opts.layout === 'whitespace') return stageWhitespace(db, file, path, opts.columns ?? [], encoding);
  if (opts.layout === 'items') return stageItems(db, file, path, opts.delimiter ?? ',', encoding);
  if (/\.(nd)?jsonl?(\.gz)?$|\.ndjson(\.gz)?$/.test(lower) || text.startsWith('{')) return stageNdjson(db, file, path, encoding);
  return stageCsv(db, file, path, opts, encoding);
}

async function readLines(db: Db, file: string, path: string): Promise<void> {
  await db.run('DROP TABLE IF EXISTS _lines');
  try {
    await db.run(
      `CREATE OR REPLACE TEMP TABLE _lines_raw AS SELECT __raw FROM read_csv(${sqlString(path)},
         columns = {'__raw': 'VARCHAR'}, header = false, delim = '\u001f', quote = '', escape = '',
         max_line_size = 16777216, auto_detect = false)`,
    );
    await db.run('CREATE TEMP TABLE _lines AS SELECT (rowid + 1)::BIGINT AS __line, __raw FROM _lines_raw');
    await db.run('DROP TABLE _lines_raw');
  } catch (err) {
    throw new FileRefused(file, `cannot be read as text lines: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
}

async function stageWhitespace(db: Db, file: string, path: string, columns: readonly string[], encoding: string): Promise<Staged> {
  await readLines(db, file, path);
  const parts = "string_split_regex(trim(__raw), '\\s+')";
  const select = columns.map((c, i) => `${parts}[${i + 1}] AS ${ident(c)}`).join(', ');
  await dropStage(db);
  await db.run(
    `CREATE TEMP TABLE _stage AS SELECT __line, ${select}, len(${parts}) AS __fields, __raw FROM _lines
     WHERE trim(coalesce(__raw, '')) <> ''
       AND NOT (__line = 1 AND NOT regexp_matches(trim(__raw), '^[0-9]'))`,
  );
  const bad = await db.all(`SELECT __line, left(__raw, 80) AS v, __fields FROM _stage WHERE __fields <> ${columns.length}`);
  await db.run(`DELETE FROM _stage WHERE __fields <> ${columns.length}`);
  await db.run('ALTER TABLE _stage DROP COLUMN __fields');
  await db.run('ALTER TABLE _stage DROP COLUMN __raw');
  const rejects = bad.map((r) => ({
    line: int(r, '__line'),
    field: '',
    reason: `expected ${columns.length} space-separated fields, found ${int(r, '__fields')}`,
    value: str(r, 'v') ?? '',
  }));
  return finish(db, 'whitespace', encoding, rejects);
}

async function stageNdjson(db: Db, file: string, path: string, encoding: string): Promise<Staged> {
  await readLines(db, file, path);
  await db.run("DELETE FROM _lines WHERE trim(coalesce(__raw, '')) = ''");
  const bad = await db.all("SELECT __line, left(__raw, 80) AS v FROM _lines WHERE NOT json_valid(__raw) OR json_type(__raw::JSON) <> 'OBJECT'");
  await db.run("DELETE FROM _lines WHERE NOT json_valid(__raw) OR json_type(__raw::JSON) <> 'OBJECT'");
  const keys = await db.all('SELECT DISTINCT unnest(json_keys(__raw::JSON)) AS k FROM _lines ORDER BY k');
  const names = keys.map((r) => str(r, 'k') ?? '').filter((k) => k !== '');
  const select = names.map((k) => `json_extract_string(__raw, ${sqlString(`$."${k.replace(/"/g, '\\"')}"`)}) AS ${ident(k)}`);
  await dropStage(db);
  await db.run(`CREATE TEMP TABLE _stage AS SELECT __line${select.map((s) => `, ${s}`).join('')} FROM _lines`);
  const rejects = bad.map((r) => ({
    line: int(r, '__line'),
    field: '',
    reason: 'not a JSON object',
    value: str(r, 'v') ?? '',
  }));
  return finish(db, 'ndjson', encoding, rejects);
}

async function stageCsv(db: Db, file: string, path: string, opts: StageOptions, encoding: string): Promise<Staged> {
  const delim = opts.delimiter === undefined ? '' : `, delim = ${sqlString(opts.delimiter === '\\t' ? '\t' : opts.delimiter)}`;
  const names = opts.columnNames;
  const header = names === undefined ? 'header = true' : `header = false, names = [${names.map(sqlString).join(', ')}]`;
  const first = names === undefined ? 1 : 0; // the first record that is a row
  await dropStage(db);
  await db.run('DROP TABLE IF EXISTS _rej_errors');
  await db.run('DROP TABLE IF EXISTS _rej_scans');
  try {
    await db.run(
      `CREATE TEMP TABLE _stage_raw AS SELECT * FROM read_csv(${sqlString(path)}, all_varchar = true, ${header},
         store_rejects = true, rejects_table = '_rej_errors', rejects_scan = '_rej_scans',
         max_line_size = 16777216, null_padding = false${delim})`,
    );
  } catch (err) {
    throw new FileRefused(file, `cannot be read as CSV: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
  const errs = await db.all(
    "SELECT DISTINCT line::BIGINT AS line, coalesce(line_byte_position, byte_position, 0)::BIGINT AS pos, error_type, coalesce(column_name, '') AS col, left(coalesce(csv_line, ''), 80) AS v, error_message FROM _rej_errors ORDER BY line",
  );
  // Physical lines: the reader's own line count drifts once a record spans lines or a line is blank.
  const starts = await recordStarts(path);
  const rejectedRecords = new Set<number>();
  const rejects: ParseReject[] = errs.map((r) => {
    const record = recordAt(starts, int(r, 'pos'));
    rejectedRecords.add(record);
    return {
      line: starts.lines[record] ?? int(r, 'line'),
      field: str(r, 'col') ?? '',
      reason: str(r, 'error_type') === 'INVALID ENCODING' ? 'invalid UTF-8 bytes' : `${(str(r, 'error_type') ?? '').toLowerCase()}: ${str(r, 'error_message') ?? ''}`,
      value: str(r, 'v') ?? '',
    };
  });
  const goodLines = starts.lines.filter((_, i) => i >= first && !rejectedRecords.has(i));
  const rows = int(await db.one('SELECT count(*) AS n FROM _stage_raw'), 'n');
  if ((!starts.simple || first === 0) && goodLines.length === rows) {
    await stagePhysicalLines(db, goodLines);
    return finish(db, 'csv', encoding, rejects);
  }
  // Line of each good row: header (1) + its position + the rejected lines before it.
  const lines = [...new Set(rejects.map((r) => r.line))].sort((a, b) => a - b);
  await db.run('DROP TABLE IF EXISTS _rej_lines');
  await db.run('CREATE TEMP TABLE _rej_lines (g BIGINT)');
  if (lines.length > 0) {
    const values = lines.map((l, j) => `(${l - 2 - j})`).join(',');
    await db.run(`INSERT INTO _rej_lines VALUES ${values}`);
  }
  // A view, not a copy: the rows are read once more, by the mapping.
  await db.run(
    lines.length === 0
      ? 'CREATE TEMP VIEW _stage AS SELECT (rowid + 2)::BIGINT AS __line, * FROM _stage_raw'
      : `CREATE TEMP VIEW _stage AS SELECT (s.rowid + 2 + (SELECT count(*) FROM _rej_lines WHERE g <= s.rowid))::BIGINT AS __line, s.* FROM _stage_raw s`,
  );
  return finish(db, 'csv', encoding, rejects);
}

/** One row per item of each line (item_no counts from 1 along the line); empty items are skipped. */
async function stageItems(db: Db, file: string, path: string, delimiter: string, encoding: string): Promise<Staged> {
  await readLines(db, file, path);
  await dropStage(db);
  await db.run(
    `CREATE TEMP TABLE _stage AS
     SELECT __line, item_no::VARCHAR AS item_no, item FROM (
       SELECT __line, unnest(generate_series(1, len(parts))) AS item_no, unnest(parts) AS item
       FROM (SELECT __line, string_split(__raw, $1) AS parts FROM _lines WHERE trim(coalesce(__raw, '')) <> ''))
     WHERE trim(item) <> ''
     ORDER BY __line, item_no::INTEGER`,
    [delimiter === '\\t' ? '\t' : delimiter],
  );
  return finish(db, 'items', encoding, []);
}
