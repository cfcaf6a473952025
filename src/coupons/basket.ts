/** A basket from JSON (the till's request): product lines with decimal-string prices, postage, channel, store. */
import { toUnits } from '../core/decimal.js';
import type { Basket, BasketLine } from './discount.js';
import type { FieldError } from './template.js';

const MONEY = /^\d{1,14}(\.\d{1,4})?$/;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks JSON as a basket; prices are decimal strings (never floats). */
export function parseBasket(json: unknown): { ok: true; basket: Basket } | { ok: false; errors: FieldError[] } {
  const errors: FieldError[] = [];
  if (!isObject(json) || !Array.isArray(json['lines'])) return { ok: false, errors: [{ path: '$.lines', reason: 'a basket needs a list of lines' }] };
  const lines: BasketLine[] = [];
  json['lines'].forEach((l: unknown, i: number) => {
    const p = `$.lines[${i}]`;
    if (!isObject(l)) return void errors.push({ path: p, reason: 'must be an object' });
    const sku = l['sku'];
    const qty = l['quantity'];
    const price = l['unit_price'];
    if (typeof sku !== 'string' || sku === '') errors.push({ path: `${p}.sku`, reason: 'must be a non-empty string' });
    if (typeof qty !== 'number' || !Number.isInteger(qty) || qty < 1) errors.push({ path: `${p}.quantity`, reason: 'must be a whole number of at least 1' });
    if (typeof price !== 'string' || !MONEY.test(price)) errors.push({ path: `${p}.unit_price`, reason: 'must be a decimal string such as "9.90"' });
    const category = l['category'];
    const brand = l['brand'];
    if (typeof sku === 'string' && typeof qty === 'number' && typeof price === 'string' && MONEY.test(price)) {
      lines.push({ sku, quantity: qty, unit_price: toUnits(price, 4), ...(typeof category === 'string' ? { category } : {}), ...(typeof brand === 'string' ? { brand } : {}) });
    }
  });
  const shipping = json['shipping'];
  if (shipping !== undefined && (typeof shipping !== 'string' || !MONEY.test(shipping))) errors.push({ path: '$.shipping', reason: 'must be a decimal string' });
  const channel = json['channel'];
  const store = json['store'];
  if (channel !== undefined && typeof channel !== 'string') errors.push({ path: '$.channel', reason: 'must be a string' });
  if (store !== undefined && typeof store !== 'string') errors.push({ path: '$.store', reason: 'must be a string' });
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    basket: {
      lines,
      shipping: typeof shipping === 'string' ? toUnits(shipping, 4) : 0n,
      ...(typeof channel === 'string' ? { channel } : {}),
      ...(typeof store === 'string' ? { store } : {}),
    },
  };
}
