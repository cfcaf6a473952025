import { defined, optionalColumn, type Preset } from './types.js';

const PLAIN = "'-?\\d+(\\.\\d+)?'";
const plain = (col: string): string => `regexp_full_match(trim("${col}"), ${PLAIN})`;

/**
 * Subtotal + Discount Amount as text when both are plain numbers; otherwise Subtotal as written,
 * so the import reads it or rejects it with its value (never a misread sum).
 */
const itemTotal = (discount: boolean): string =>
  discount
    ? `CASE WHEN ${plain('Subtotal')} AND (NULLIF(trim("Discount Amount"), '') IS NULL OR ${plain('Discount Amount')})
        THEN (trim("Subtotal")::DECIMAL(18,4) + coalesce(NULLIF(trim("Discount Amount"), '')::DECIMAL(18,4), 0))::VARCHAR
        ELSE "Subtotal" END`
    : '"Subtotal"';

/**
 * Shopify's orders export: one row per line item; order-level fields (email, totals, times)
 * sit on the order's first row only. Optional columns that a shop's export lacks stay empty.
 */
export const shopifyPreset: Preset = {
  name: 'shopify',
  summary: 'Shopify orders export (Name, Email, Financial Status, Created at, Lineitem quantity/name/price/sku, ...)',
  stageOptions: () => ({ delimiter: ',' }),
  mapping(ctx) {
    const c = ctx.columns;
    const has = (name: string): boolean => c.includes(name);
    const phone = ['Phone', 'Billing Phone', 'Shipping Phone'].filter(has).map((p) => `NULLIF(trim("${p}"), '')`);
    const countries = ['Billing Country', 'Shipping Country'].filter(has).map((p) => `NULLIF(trim("${p}"), '')`);
    const financial = has('Financial Status') ? `lower(trim("Financial Status"))` : 'NULL';
    const paid = `${financial} IN ('paid', 'partially_paid', 'partially_refunded', 'refunded')`;
    const status = `CASE
      WHEN ${has('Cancelled at') ? `NULLIF(trim("Cancelled at"), '') IS NOT NULL` : 'false'} OR ${financial} = 'voided' THEN 'cancelled'
      WHEN ${has('Fulfilled at') ? `NULLIF(trim("Fulfilled at"), '') IS NOT NULL` : 'false'} THEN 'shipped'
      WHEN ${paid} THEN 'paid'
      WHEN ${financial} IS NOT NULL THEN 'created' END`;
    return {
      entity: 'sales',
      fields: defined({
        channel: { const: ctx.channel ?? 'shopify' },
        order_id: { column: 'Name' },
        buyer_email: optionalColumn(c, 'Email'),
        buyer_phone: phone.length > 0 ? { sql: `coalesce(${phone.join(', ')})` } : undefined,
        buyer_name: optionalColumn(c, 'Billing Name'),
        // Phones without a country code are read in the buyer's country, not the shop's default.
        buyer_country: countries.length > 0 ? { sql: `coalesce(${countries.join(', ')})` } : undefined,
        store_id: optionalColumn(c, 'Location'),
        agent_id: optionalColumn(c, 'Employee'),
        created_at: { column: 'Created at' },
        paid_at: optionalColumn(c, 'Paid at'),
        shipped_at: optionalColumn(c, 'Fulfilled at'),
        cancelled_at: optionalColumn(c, 'Cancelled at'),
        status: has('Financial Status') ? { sql: status } : undefined,
        // Shopify's Subtotal is after discounts; the canonical item total is before them.
        item_total: has('Subtotal') ? { sql: itemTotal(has('Discount Amount')) } : undefined,
        discount: optionalColumn(c, 'Discount Amount'),
        shipping: optionalColumn(c, 'Shipping'),
        paid_amount: has('Total') ? { sql: `CASE WHEN ${paid} THEN "Total" END` } : undefined,
        coupon_codes: optionalColumn(c, 'Discount Code'),
        // Shopify gives the refunded total, not when: the refund is dated at the import that first shows it.
        refunded_amount: optionalColumn(c, 'Refunded Amount'),
        sku: optionalColumn(c, 'Lineitem sku'),
        name: optionalColumn(c, 'Lineitem name'),
        quantity: { column: 'Lineitem quantity' },
        unit_price: { column: 'Lineitem price' },
        list_price: optionalColumn(c, 'Lineitem compare at price'),
      }),
      ...(has('Currency') ? { currencyColumn: 'Currency' } : {}),
    };
  },
};
