import { basename } from 'node:path';
import { FileRefused, sqlString } from '../source.js';
import type { Preset } from './types.js';

/**
 * One basket per line, items separated by commas, no header (the Groceries layout of the
 * association-rule literature). Each line is one paid guest order dated --date (default: the
 * import day) with one line per item, quantity 1 and no price (stored as 0: such an order is a
 * basket, not a purchase). Item names are trimmed ("cream cheese " is "cream cheese").
 */
export const basketsPreset: Preset = {
  name: 'baskets',
  summary: 'one basket per line: items separated by commas, no header (e.g. Groceries)',
  stageOptions: () => ({ layout: 'items', delimiter: ',' }),
  mapping(ctx) {
    const day = ctx.date ?? ctx.today;
    if (day === undefined || !/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new FileRefused(ctx.file, `--date must be a day YYYY-MM-DD, got '${day ?? ''}'`);
    // The order ID is the file's name and the line, so importing the same file again adds nothing
    // and another basket file in the same channel adds its own orders.
    const stem = basename(ctx.file).replace(/\.gz$/i, '');
    return {
      entity: 'sales',
      fields: {
        channel: { const: ctx.channel ?? 'baskets' },
        order_id: { sql: `${sqlString(`${stem}:`)} || __line` },
        line_no: { column: 'item_no' },
        name: { column: 'item' },
        line_type: { const: 'product' },
        quantity: { const: '1' },
        unit_price: { const: '0' },
        created_at: { const: day },
        paid_at: { const: day },
        status: { const: 'paid' },
      },
    };
  },
};
