import { FileRefused } from '../source.js';
import type { FieldSource } from '../mapping.js';
import { defined, type Preset } from './types.js';

/** The first of the columns (older and newer names of one export) that the file has. */
function first(columns: readonly string[], ...names: string[]): FieldSource | undefined {
  const found = names.filter((n) => columns.includes(n));
  return found.length === 0 ? undefined : { coalesce: found };
}

/**
 * Shopify's customers export (Customers > Export): one row per customer. Members by default;
 * `--entity consents` reads the same file's email marketing consent (Accepts Email Marketing, or
 * Accepts Marketing in older exports), dated at the import: the export gives no consent date.
 */
export const shopifyCustomersPreset: Preset = {
  name: 'shopify-customers',
  summary: 'Shopify customers export (Customer ID, First Name, Last Name, Email, Accepts Email Marketing, Phone, ...)',
  stageOptions: () => ({ delimiter: ',' }),
  mapping(ctx) {
    const c = ctx.columns;
    const id = first(c, 'Customer ID', 'Email');
    if (id === undefined) throw new FileRefused(ctx.file, 'is not a Shopify customers export: it has neither Customer ID nor Email');
    const channel = { const: ctx.channel ?? 'shopify' };
    if (ctx.entity === 'consents') {
      const accepts = first(c, 'Accepts Email Marketing', 'Accepts Marketing');
      if (accepts === undefined) throw new FileRefused(ctx.file, 'has no Accepts Email Marketing (or Accepts Marketing) column to read consents from');
      return {
        entity: 'consents',
        fields: { channel, external_id: id, contact_channel: { const: 'email' }, status: accepts, at: { const: ctx.now }, source: { const: 'shopify customers export' } },
        valueMaps: { status: { yes: 'granted', no: 'withdrawn', Yes: 'granted', No: 'withdrawn', true: 'granted', false: 'withdrawn' } },
      };
    }
    if (ctx.entity !== undefined && ctx.entity !== 'members') throw new FileRefused(ctx.file, `--entity ${ctx.entity}: a customers export holds members or consents`);
    const names = ['First Name', 'Last Name'].filter((n) => c.includes(n));
    return {
      entity: 'members',
      fields: defined({
        channel,
        external_id: id,
        email: first(c, 'Email'),
        phone: first(c, 'Phone', 'Default Address Phone'),
        country: first(c, 'Country Code', 'Default Address Country Code', 'Country'),
        name: names.length > 0 ? { concat: names, separator: ' ' } : undefined,
        city: first(c, 'City', 'Default Address City'),
      }),
    };
  },
};
