/**
 * Physical lines of CSV records. A record may span lines (a quoted line break) and blank lines
 * are skipped, so "record N" is not "line N + 1": warnings and reject files promise the line.
 */
import { createReadStream, openSync, readSync, closeSync } from 'node:fs';
import { createGunzip } from 'node:zlib';

/** Where each record starts: its physical line (1-based) and byte offset, header included. */
export interface RecordStarts {
  readonly lines: number[];
  readonly offsets: number[];
  /** True when every record is one line and no line is blank: record N is then line N + 1. */
  readonly simple: boolean;
}

function gzipped(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(2);
    return readSync(fd, b, 0, 2, 0) === 2 && b[0] === 0x1f && b[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

/** Scans a CSV file (gzip-aware) for the start of every record, quotes ("...") respected. */
export async function recordStarts(path: string): Promise<RecordStarts> {
  const lines: number[] = [];
  const offsets: number[] = [];
  let simple = true;
  let line = 1;
  let offset = 0;
  let quoted = false;
  let atStart = true; // at the start of a line, outside quotes
  const input = gzipped(path) ? createReadStream(path).pipe(createGunzip()) : createReadStream(path);
  for await (const chunk of input) {
    const buf: Buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    for (let i = 0; i < buf.length; i++, offset++) {
      const c = buf[i];
      if (atStart) {
        if (c === 0x0d) continue;
        if (c === 0x0a) {
          // A blank line: the reader skips it, the line count does not.
          simple = false;
          line++;
          continue;
        }
        atStart = false;
        lines.push(line);
        offsets.push(offset);
      }
      if (c === 0x22) quoted = !quoted;
      else if (c === 0x0a) {
        line++;
        if (quoted) simple = false;
        else atStart = true;
      }
    }
  }
  return { lines, offsets, simple };
}

/** The index of the record a byte position falls in (the last start at or before it). */
export function recordAt(starts: RecordStarts, position: number): number {
  let lo = 0;
  let hi = starts.offsets.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts.offsets[mid] ?? 0) <= position) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
