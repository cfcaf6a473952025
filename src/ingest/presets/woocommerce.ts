import { FileRefused } from '../source.js';
import type { FieldSource } from '../mapping.js';
import { defined, type Preset } from './types.js';

/**
 * The WooCommerce order export of WebToffee's "Order / Coupon / Subscription Export Import"
 * (sold on woocommerce.com) and of its free edition "Order Export & Order Import for WooCommerce"
 * (wordpress.org plugin order-import-export-for-woocommerce): one row per order, columns as
 * published in "Import and Export of WooCommerce Orders", section "Mapping of WooCommerce Orders"
 * (https://woocommerce.com/document/import-and-export-of-woocommerce-orders/), and as the free
 * plugin's exporter writes them:
 *
 * - order_date: the order's local time, Y-m-d H:i:s (the page shows MM/DD/YYYY H:i:s; both read);
 *   paid_date: a date with its UTC offset (2024-03-01T10:05:00+08:00).
 * - line_item_1, line_item_2, ...: one per item, packed as
 *   name:...|product_id:...|sku:...|quantity:...|total:...|sub_total:...[|tax:...|meta...|refunded:...];
 *   total is after the order's discounts, sub_total before them.
 * - coupon_items: code:...|amount:... joined by ';'.
 * - refund_items: amount:...|reason:...|date:Y-m-d H:i:s joined by ';', the date in the shop's
 *   local time (wp_date) as order_date is.
 * - customer_id: the WordPress user, 0 for a guest checkout.
 */

/** WooCommerce order statuses (wc- prefix dropped) to the canonical ones. */
const STATUSES: Readonly<Record<string, string>> = {
  pending: 'created',
  'on-hold': 'created',
  failed: 'created',
  'checkout-draft': 'created',
  processing: 'paid',
  completed: 'completed',
  cancelled: 'cancelled',
  // Refunded in full: cancelled after payment with the money refunded, so not a purchase.
  refunded: 'cancelled',
};

const PAID = ['processing', 'completed', 'refunded'];

/** One line item as the exporter packs it (the name may hold anything but the product_id key). */
const ITEM = '^name:(.*?)\\|product_id:([^|]*)\\|sku:([^|]*)\\|quantity:([^|]*)\\|total:([^|]*)\\|sub_total:([^|]*)(\\|.*)?$';
const PLAIN = '-?[0-9]+(\\.[0-9]+)?';

const t = (col: string): string => `NULLIF(trim("${col}"), '')`;
const list = (xs: readonly string[]): string => xs.map((x) => `'${x}'`).join(', ');

export const woocommercePreset: Preset = {
  name: 'woocommerce',
  summary: 'WooCommerce order export (order_id, order_number, order_date, status, order_total, customer_id, line_item_1, ...)',
  stageOptions: () => ({ delimiter: ',' }),
  unpivot(columns) {
    const items = columns
      .map((c) => ({ c, n: /^line_item_([0-9]+)$/.exec(c)?.[1] }))
      .flatMap(({ c, n }) => (n === undefined ? [] : [{ c, n: Number(n) }]))
      .sort((a, b) => a.n - b.n);
    if (items.length === 0) return undefined;
    return { columns: items.map((i) => i.c), numbers: items.map((i) => i.n), number: 'line_item_no', value: 'line_item' };
  },
  mapping(ctx) {
    const c = ctx.columns;
    const has = (name: string): boolean => c.includes(name);
    const first = (...names: string[]): FieldSource | undefined => {
      const present = names.filter(has);
      return present.length === 0 ? undefined : { sql: `coalesce(${present.map(t).join(', ')})` };
    };
    if (!has('line_item')) {
      throw new FileRefused(ctx.file, `is not a WooCommerce order export: no line_item_1, line_item_2, ... columns; found ${c.slice(0, 12).join(', ')}`);
    }
    const orderKey = first('order_number', 'order_id');
    if (orderKey === undefined) throw new FileRefused(ctx.file, 'is not a WooCommerce order export: neither order_number nor order_id is a column');
    const status = `regexp_replace(lower(${t('status')}), '^wc-', '')`;
    const canonical = `CASE ${status} ${Object.entries(STATUSES)
      .map(([from, to]) => `WHEN '${from}' THEN '${to}'`)
      .join(' ')} END`;
    const paid = `(${has('paid_date') ? `${t('paid_date')} IS NOT NULL OR ` : ''}${status} IN (${list(PAID)}))`;
    const item = (group: number): string => `NULLIF(regexp_extract(line_item, '${ITEM}', ${group}), '')`;
    // Loosely, so a line packed otherwise still names what it lacks; the row check rejects it.
    const key = (k: string): string => `NULLIF(regexp_extract(line_item, '(^|\\|)${k}:([^|]*)', 2), '')`;
    const customer = has('customer_id') ? 'customer_id' : 'customer_user';
    const refundAmounts = `regexp_extract_all(refund_items, '(^|;)amount:([^|;]*)', 2)`;
    const rowChecks = [
      `CASE WHEN ${t('status')} IS NOT NULL AND ${status} NOT IN (${list(Object.keys(STATUSES))})
        THEN 'status' || chr(9) || 'is not a WooCommerce order status (${Object.keys(STATUSES).join(', ')})' || chr(9) || ${t('status')} END`,
      `CASE WHEN line_item IS NULL THEN 'line_item' || chr(9) || 'the order has no line item (every line_item_N is empty)' || chr(9) || ''
        WHEN NOT regexp_full_match(line_item, '${ITEM}')
        THEN 'line_item_' || line_item_no || chr(9) || 'is not packed as name:...|product_id:...|sku:...|quantity:...|total:...|sub_total:...' || chr(9) || left(line_item, 200) END`,
    ];
    return {
      entity: 'sales',
      fields: defined({
        channel: { const: ctx.channel ?? 'woocommerce' },
        // The order number the shop shows its customers (the order ID unless a numbering plugin sets it).
        order_id: orderKey,
        buyer_id: has(customer) ? { sql: `CASE WHEN ${t(customer)} <> '0' THEN ${t(customer)} END` } : undefined,
        // The billing email is on guest and member orders alike; the account's email otherwise.
        buyer_email: first('billing_email', 'customer_email'),
        buyer_phone: first('billing_phone', 'shipping_phone'),
        // Phones without a country code are read in the buyer's country, not the shop's default.
        buyer_country: first('billing_country', 'shipping_country'),
        buyer_name: has('billing_first_name') || has('billing_last_name') ? { concat: ['billing_first_name', 'billing_last_name'].filter(has), separator: ' ' } : undefined,
        created_at: { column: 'order_date' },
        paid_at: has('paid_date') ? { column: 'paid_date' } : undefined,
        status: { sql: canonical },
        item_total: first('order_subtotal'),
        discount: first('discount_total'),
        shipping: first('shipping_total'),
        paid_amount: { sql: `CASE WHEN ${paid} THEN ${t('order_total')} END` },
        coupon_codes: has('coupon_items') ? { sql: `NULLIF(array_to_string(regexp_extract_all(coupon_items, '(^|;)code:([^|;]*)', 2), ','), '')` } : undefined,
        // Every refund's amount, summed when all are plain numbers; otherwise as written, so the row is
        // rejected with its value rather than read as another sum.
        refunded_amount: has('refund_items')
          ? {
              sql: `CASE WHEN len(${refundAmounts}) = 0 THEN NULL
                 WHEN list_bool_and(list_transform(${refundAmounts}, x -> regexp_full_match(trim(x), '${PLAIN}')))
                 THEN list_sum(list_transform(${refundAmounts}, x -> trim(x)::DECIMAL(18,4)))::VARCHAR
                 ELSE refund_items END`,
            }
          : undefined,
        // The latest refund's local time: a later export's new refund is dated by it.
        refunded_at: has('refund_items') ? { sql: `list_max(regexp_extract_all(refund_items, '\\|date:([0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2})', 1))` } : undefined,
        line_no: { column: 'line_item_no' },
        name: { sql: `coalesce(${item(1)}, ${key('name')})` },
        // The SKU, else the product ID written as the export packs it (product_id:12), so it never
        // passes for another product's numeric SKU.
        sku: { sql: `coalesce(${item(3)}, ${key('sku')}, 'product_id:' || coalesce(${item(2)}, ${key('product_id')}))` },
        quantity: { sql: `coalesce(${item(4)}, ${key('quantity')})` },
        // Before discounts (sub_total), as order_subtotal is: the discount is the order's discount_total.
        amount: { sql: `coalesce(${item(6)}, ${key('sub_total')})` },
      }),
      requiredColumns: ['order_date', 'status', 'order_total'],
      rowChecks,
      timestampFormats: ['%m/%d/%Y %H:%M:%S', '%m/%d/%Y %H:%M'],
      ...(has('order_currency') ? { currencyColumn: 'order_currency' } : {}),
    };
  },
};
