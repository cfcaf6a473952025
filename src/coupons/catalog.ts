/**
 * Templates and batches in the operational store. A template never changes once created (coupons
 * already issued keep the terms they were given), so it is cached per process after the first read.
 * A batch is one shared code, or a pool of unique codes generated or imported, handed out in order.
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import { audit, big, int, isoTime, text, type OpQueries, type OpRow, type OpStore } from '../ops/index.js';
import { checkSpec, cryptoSource, generateCodes, type CodeSpec, type RandomSource } from './codes.js';
import { refusable, refuse, type Result } from './result.js';
import { validateTemplate, type Template } from './template.js';

/** A new identifier: a letter and ten base-32 characters. */
export function newId(prefix: string): string {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  return prefix + [...randomBytes(10)].map((b) => alphabet[b % 32] ?? '0').join('');
}

export interface StoredTemplate {
  readonly template_id: string;
  readonly template: Template;
  readonly definition: unknown;
  readonly created_at: string;
}

const cache = new Map<string, StoredTemplate>();

/** Saves a template from JSON; refused with every path and reason when it is not one. */
export async function createTemplate(store: OpStore, clock: Clock, json: unknown, actor = 'operator'): Promise<Result<StoredTemplate>> {
  const v = validateTemplate(json);
  if (!v.ok) return { ok: false, error: { type: 'invalid_request', errors: v.errors } };
  const id = newId('T');
  const at = isoTime(clock.now());
  await store.transaction(async (tx) => {
    await tx.run('INSERT INTO coupon_templates (template_id, name, kind, definition, created_at) VALUES (?, ?, ?, ?, ?)', [id, v.template.name, v.template.reward.kind, JSON.stringify(json), at]);
    await audit(tx, clock.now(), actor, 'coupons.template', id, json);
  });
  return { ok: true, value: { template_id: id, template: v.template, definition: json, created_at: at } };
}

/** A template by ID, or undefined. */
export async function getTemplate(q: OpQueries, id: string): Promise<StoredTemplate | undefined> {
  const hit = cache.get(id);
  if (hit !== undefined) return hit;
  const row = await q.one('SELECT template_id, definition, created_at FROM coupon_templates WHERE template_id = ?', [id]);
  if (row === undefined) return undefined;
  const definition: unknown = JSON.parse(text(row, 'definition') ?? 'null');
  const v = validateTemplate(definition);
  if (!v.ok) throw new Error(`stored template ${id} no longer validates: ${JSON.stringify(v.errors)}`);
  const t: StoredTemplate = { template_id: id, template: v.template, definition, created_at: text(row, 'created_at') ?? '' };
  if (cache.size > 1000) cache.clear();
  cache.set(id, t);
  return t;
}

/** Templates, newest first. */
export async function listTemplates(q: OpQueries): Promise<Array<{ template_id: string; name: string; kind: string; created_at: string }>> {
  const rows = await q.all('SELECT template_id, name, kind, created_at FROM coupon_templates ORDER BY created_at DESC, template_id');
  return rows.map((r) => ({ template_id: text(r, 'template_id') ?? '', name: text(r, 'name') ?? '', kind: text(r, 'kind') ?? '', created_at: text(r, 'created_at') ?? '' }));
}

export interface Batch {
  readonly batch_id: string;
  readonly template_id: string;
  readonly mode: 'shared' | 'unique' | 'imported';
  readonly shared_code: string | null;
  readonly campaign_id: string | null;
  readonly pool_size: number;
  readonly issued_from_pool: number;
  readonly created_at: string;
}

const batchOf = (r: OpRow): Batch => {
  const mode = text(r, 'mode');
  return {
    batch_id: text(r, 'batch_id') ?? '',
    template_id: text(r, 'template_id') ?? '',
    mode: mode === 'unique' || mode === 'imported' ? mode : 'shared',
    shared_code: text(r, 'shared_code'),
    campaign_id: text(r, 'campaign_id'),
    pool_size: int(r, 'pool_size'),
    issued_from_pool: int(r, 'next_seq'),
    created_at: text(r, 'created_at') ?? '',
  };
};

/** A batch by ID, or undefined. */
export async function getBatch(q: OpQueries, id: string): Promise<Batch | undefined> {
  const r = await q.one('SELECT * FROM coupon_batches WHERE batch_id = ?', [id]);
  return r === undefined ? undefined : batchOf(r);
}

/** Batches, newest first, optionally of one template. */
export async function listBatches(q: OpQueries, templateId?: string): Promise<Batch[]> {
  const rows = await q.all('SELECT * FROM coupon_batches WHERE (CAST(? AS TEXT) IS NULL OR template_id = ?) ORDER BY created_at DESC, batch_id', [templateId ?? null, templateId ?? null]);
  return rows.map(batchOf);
}

export type BatchCodes = { readonly shared: string } | { readonly generate: number; readonly spec?: Partial<CodeSpec> } | { readonly imported: readonly string[] };

const CHUNK = 500;

/**
 * Creates a batch of a template: one shared code, `generate` unique codes of a pattern, or
 * imported codes. Codes already used by any batch are refused (import) or drawn again (generate).
 */
export async function createBatch(
  store: OpStore,
  clock: Clock,
  req: { template_id: string; codes: BatchCodes; campaign_id?: string },
  random: RandomSource = cryptoSource(),
  actor = 'operator',
): Promise<Result<Batch>> {
  const codes = req.codes;
  let spec: CodeSpec | null = null;
  if ('generate' in codes) {
    spec = { pattern: codes.spec?.pattern ?? '########', charset: codes.spec?.charset ?? '23456789ABCDEFGHJKMNPQRSTUVWXYZ', prefix: codes.spec?.prefix ?? '' };
    const bad = checkSpec(spec, codes.generate);
    if (bad !== null) return { ok: false, error: bad };
  }
  if ('shared' in codes && !/^[A-Za-z0-9-]{3,64}$/.test(codes.shared)) return { ok: false, error: { type: 'invalid_request', errors: [{ path: '$.shared', reason: '3-64 letters, digits, -' }] } };
  const id = newId('B');
  const at = isoTime(clock.now());
  return refusable(() =>
    store.transaction(async (tx) => {
      if ((await getTemplate(tx, req.template_id)) === undefined) refuse({ type: 'unknown_template', template_id: req.template_id });
      let pool: string[] = [];
      if ('shared' in codes) {
        const taken = await tx.one('SELECT count(*) AS n FROM coupon_codes WHERE code = ?', [codes.shared]);
        if (big(taken, 'n') > 0n) refuse({ type: 'codes_taken', codes: [codes.shared] });
        pool = [codes.shared]; // held in the code table so no other batch can take it; never handed out from the pool
      } else if ('imported' in codes) {
        pool = [...codes.imported];
        const clash = await existing(tx, pool);
        if (clash.size > 0) refuse({ type: 'codes_taken', codes: [...clash].slice(0, 20) });
      } else if (spec !== null) {
        pool = generateCodes(spec, codes.generate, random);
        // Codes of earlier batches drawn again are replaced by fresh ones until none clash.
        for (let clash = await existing(tx, pool); clash.size > 0; clash = await existing(tx, pool)) {
          const keep = pool.filter((c) => !clash.has(c));
          pool = [...keep, ...generateCodes(spec, clash.size, random, new Set([...pool, ...clash]))];
        }
      }
      const mode = 'shared' in codes ? 'shared' : 'imported' in codes ? 'imported' : 'unique';
      await tx.run('INSERT INTO coupon_batches (batch_id, template_id, mode, shared_code, campaign_id, pool_size, next_seq, created_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?)', [
        id,
        req.template_id,
        mode,
        'shared' in codes ? codes.shared : null,
        req.campaign_id ?? null,
        mode === 'shared' ? 0 : pool.length,
        at,
      ]);
      for (let i = 0; i < pool.length; i += CHUNK) {
        const part = pool.slice(i, i + CHUNK);
        await tx.run(
          `INSERT INTO coupon_codes (code, batch_id, seq) VALUES ${part.map(() => '(?, ?, ?)').join(', ')}`,
          part.flatMap((c, j) => [c, id, i + j]),
        );
      }
      await audit(tx, clock.now(), actor, 'coupons.batch', id, { template_id: req.template_id, mode, codes: pool.length, campaign_id: req.campaign_id ?? null });
      const b = await getBatch(tx, id);
      if (b === undefined) throw new Error(`batch ${id} vanished`);
      return b;
    }),
  );
}

/** Which of the codes some batch already holds. */
async function existing(tx: OpQueries, codes: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < codes.length; i += CHUNK) {
    const part = codes.slice(i, i + CHUNK);
    const rows = await tx.all(`SELECT code FROM coupon_codes WHERE code IN (${part.map(() => '?').join(', ')})`, part);
    for (const r of rows) found.add(text(r, 'code') ?? '');
  }
  return found;
}
