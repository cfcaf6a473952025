import { FileRefused } from '../source.js';
import type { Preset } from './types.js';

const SAMPLE = ['master_id', 'sample_id', 'date', 'cds', 'dollars'] as const;
const MASTER = ['customer_id', 'date', 'cds', 'dollars'] as const;

/**
 * CDNOW (Fader, Hardie & Lee 2005): whitespace-aligned purchases. The sample has five columns
 * and no header (its customers keep their master ID, so sample and master agree); the master
 * has four and a header line. Each row is one order of `cds` CDs worth `dollars`.
 */
export const cdnowPreset: Preset = {
  name: 'cdnow',
  summary: 'CDNOW sample (master_id sample_id yyyymmdd cds dollars) and master (customer_id yyyymmdd cds dollars)',
  stageOptions(firstLine) {
    const tokens = firstLine.trim().split(/\s+/);
    const header = tokens.length > 0 && !/^[0-9]/.test(tokens[0] ?? '');
    return { layout: 'whitespace', columns: tokens.length === 5 && !header ? [...SAMPLE] : [...MASTER] };
  },
  mapping(ctx) {
    const id = ctx.columns.includes('master_id') ? 'master_id' : 'customer_id';
    if (!ctx.columns.includes(id)) throw new FileRefused(ctx.file, 'is not a CDNOW file (expected 4 or 5 space-separated columns)');
    // Several purchases by one customer on one day stay separate orders, numbered in file order.
    const order = `"${id}" || '-' || "date" || '-' || row_number() OVER (PARTITION BY "${id}", "date" ORDER BY __line)`;
    return {
      entity: 'sales',
      fields: {
        channel: { const: ctx.channel ?? 'cdnow' },
        order_id: { sql: order },
        buyer_id: { column: id },
        created_at: { column: 'date' },
        paid_at: { column: 'date' },
        status: { const: 'paid' },
        name: { const: 'CDs' },
        quantity: { column: 'cds' },
        amount: { column: 'dollars' },
      },
      timestampFormats: ['%Y%m%d'],
    };
  },
};
