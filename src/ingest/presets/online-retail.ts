import type { Preset } from './types.js';

/** Non-product stock codes of the UCI Online Retail data and what they are. */
export const ONLINE_RETAIL_NON_PRODUCT: Readonly<Record<string, string>> = {
  POST: 'postage',
  DOT: 'postage',
  C2: 'postage',
  M: 'adjustment',
  m: 'adjustment',
  D: 'discount',
  S: 'sample',
  B: 'bad_debt',
  'BANK CHARGES': 'fee',
  AMAZONFEE: 'fee',
  CRUK: 'commission',
};

const lineTypeSql = (): string => {
  const whens = Object.entries(ONLINE_RETAIL_NON_PRODUCT)
    .map(([code, type]) => `WHEN trim("StockCode") = '${code.replace(/'/g, "''")}' THEN '${type}'`)
    .join(' ');
  // A negative quantity outside a cancellation invoice is a stock adjustment, not a sale.
  return `CASE ${whens}
    WHEN NOT starts_with(upper(trim("InvoiceNo")), 'C') AND TRY_CAST("Quantity" AS INTEGER) < 0 THEN 'adjustment'
    ELSE 'product' END`;
};

/**
 * UCI Online Retail: one row per invoice line. Invoices starting with C are cancellations
 * (returns, matched to the buyer's earlier purchase of the SKU where the data has one);
 * rows without CustomerID are guest orders.
 */
export const onlineRetailPreset: Preset = {
  name: 'online-retail',
  summary: 'UCI Online Retail (InvoiceNo, StockCode, Description, Quantity, InvoiceDate, UnitPrice, CustomerID, Country)',
  stageOptions: () => ({ delimiter: ',' }),
  mapping(ctx) {
    return {
      entity: 'sales',
      fields: {
        channel: { const: ctx.channel ?? 'online-retail' },
        order_id: { column: 'InvoiceNo' },
        return_id: { column: 'InvoiceNo' },
        is_return: { sql: `starts_with(upper(trim("InvoiceNo")), 'C')` },
        buyer_id: { sql: `regexp_replace(trim("CustomerID"), '\\.0+$', '')` },
        sku: { column: 'StockCode' },
        name: { column: 'Description' },
        line_type: { sql: lineTypeSql() },
        quantity: { column: 'Quantity' },
        unit_price: { column: 'UnitPrice' },
        created_at: { column: 'InvoiceDate' },
        paid_at: { column: 'InvoiceDate' },
        status: { const: 'paid' },
        // Country (the buyer's country) has no canonical field on a sale and is not loaded.
      },
      timestampFormats: ['%m/%d/%Y %H:%M', '%d/%m/%Y %H:%M'],
      requiredColumns: ['InvoiceNo', 'StockCode', 'Quantity', 'InvoiceDate', 'UnitPrice', 'CustomerID'],
    };
  },
};
