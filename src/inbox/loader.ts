/**
 * The inbox loader: moves pending records into the member base in batches, with the same row
 * accounting, validation and identity resolution as a file import (it is one). A step of a
 * workflow across the two stores, never a transaction across them: the import commits in the
 * analytical store, then the records are marked loaded in the operational store. Killed between
 * the two, the records stay pending and the next run imports them again, which the importer's
 * natural keys turn into duplicates: nothing is lost and nothing counted twice.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../core/clock.js';
import { parseCsv } from '../core/csv.js';
import type { Db } from '../core/db/index.js';
import { FileRefused, importFile, type Entity } from '../ingest/index.js';
import { int, isoTime, recordHandoff, text, type OpStore } from '../ops/index.js';
import { LOAD_ORDER } from './keys.js';

/** What one loader run did, per entity. */
export interface LoadReport {
  batches: number;
  loaded: number;
  duplicate: number;
  rejected: number;
  by_entity: Record<string, { loaded: number; duplicate: number; rejected: number }>;
}

/** Records per import unless told otherwise. */
export const DEFAULT_BATCH = 100_000;

export interface LoadOptions {
  /**
   * Records per import at most (default 100,000). Each import resolves identities over the whole
   * graph, a cost that does not shrink with the batch, so a backlog is taken in few large imports;
   * a quiet inbox still loads what is pending at each pass, however little.
   */
  batch?: number;
  /** Stop after this many batches (default: until nothing is pending). */
  maxBatches?: number;
  rejectsDir: string;
  /** Called between the analytical commit and the operational one (tests simulate a crash there). */
  afterImport?: (entity: Entity, records: number) => Promise<void>;
}

function rejectsOf(file: string): Map<number, string> {
  const [header = [], ...rows] = parseCsv(readFileSync(file, 'utf8'));
  const col = (n: string): number => header.indexOf(n);
  const out = new Map<number, string>();
  for (const r of rows) {
    const line = Number(r[col('line')]);
    const reason = `${r[col('field')] ?? ''} ${r[col('reason')] ?? ''}`.trim() + (r[col('value')] ? `: ${r[col('value')] ?? ''}` : '');
    out.set(line, out.has(line) ? `${out.get(line) ?? ''}; ${reason}` : reason);
  }
  return out;
}

/** Loads pending inbox records into the member base until none is left (or maxBatches). */
export async function loadPending(db: Db, ops: OpStore, clock: Clock, opts: LoadOptions): Promise<LoadReport> {
  const size = opts.batch ?? DEFAULT_BATCH;
  const report: LoadReport = { batches: 0, loaded: 0, duplicate: 0, rejected: 0, by_entity: {} };
  const dir = mkdtempSync(join(tmpdir(), 'regulars-inbox-'));
  try {
    for (const entity of LOAD_ORDER) {
      let after = 0;
      for (;;) {
        if (opts.maxBatches !== undefined && report.batches >= opts.maxBatches) return report;
        const rows = await ops.all("SELECT record_id, version, content FROM ingest_inbox WHERE state = 'pending' AND entity = ? AND record_id > ? ORDER BY record_id LIMIT ?", [entity, after, size]);
        if (rows.length === 0) break;
        after = int(rows[rows.length - 1], 'record_id');
        report.batches++;
        const file = join(dir, `${entity}-${report.batches}.ndjson`);
        writeFileSync(file, `${rows.map((r) => text(r, 'content') ?? '{}').join('\n')}\n`);
        let rejects = new Map<number, string>();
        let importId: number | null = null;
        let duplicate = 0;
        try {
          const r = await importFile(db, clock, file, { preset: 'regulars', entity, rejectsDir: opts.rejectsDir, refuseAllInvalid: false });
          importId = r.import_id;
          duplicate = r.duplicate;
          if (r.rejects_file !== null && existsSync(r.rejects_file)) rejects = rejectsOf(r.rejects_file);
        } catch (err) {
          if (!(err instanceof FileRefused)) throw err;
          const reason = err.message.slice(err.file.length + 2);
          rejects = new Map(rows.map((_, i) => [i + 1, reason]));
        }
        await opts.afterImport?.(entity, rows.length);
        const now = isoTime(clock.now());
        await ops.transaction(async (tx) => {
          for (const [i, r] of rows.entries()) {
            const reason = rejects.get(i + 1);
            // Only the version that was imported: a record updated meanwhile stays pending.
            if (reason !== undefined) {
              await tx.run("UPDATE ingest_inbox SET state = 'rejected', reason = ?, updated_at = ? WHERE record_id = ? AND version = ? AND state = 'pending'", [
                reason,
                now,
                int(r, 'record_id'),
                int(r, 'version'),
              ]);
            } else {
              await tx.run("UPDATE ingest_inbox SET state = 'loaded', loaded_at = ?, import_id = ? WHERE record_id = ? AND version = ? AND state = 'pending'", [
                now,
                importId,
                int(r, 'record_id'),
                int(r, 'version'),
              ]);
            }
          }
          const e = (report.by_entity[entity] ??= { loaded: 0, duplicate: 0, rejected: 0 });
          e.rejected += rejects.size;
          e.duplicate += duplicate;
          e.loaded += rows.length - rejects.size;
          report.rejected += rejects.size;
          report.duplicate += duplicate;
          report.loaded += rows.length - rejects.size;
          await recordHandoff(tx, 'inbox -> member base', clock.now(), 'ok', { last_import_id: importId, entity, records: rows.length, rejected: rejects.size });
        });
      }
    }
    return report;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
