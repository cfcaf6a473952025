/**
 * The canonical import layouts: one definition that drives validation, parsing,
 * the --map format and docs/import.md.
 */
export type FieldType = 'text' | 'timestamp' | 'date' | 'decimal' | 'integer' | 'json';

export interface FieldDef {
  readonly type: FieldType;
  readonly required?: boolean;
}

const t: FieldDef = { type: 'text' };
const treq: FieldDef = { type: 'text', required: true };
const ts: FieldDef = { type: 'timestamp' };
const tsreq: FieldDef = { type: 'timestamp', required: true };
const dec: FieldDef = { type: 'decimal' };
const int: FieldDef = { type: 'integer' };

/** Identifier fields any buyer-carrying record may have. */
const buyer = {
  buyer_id: t, // channel-scoped account: marketplace buyer ID, shop customer ID
  buyer_phone: t,
  buyer_email: t,
  buyer_unionid: t,
  buyer_openid: t,
  buyer_pos_card: t,
  /** The buyer's country (ISO code or calling code): how a phone without a country code is read. */
  buyer_country: t,
} as const;

const orderFields = {
  channel: treq,
  order_id: treq,
  ...buyer,
  buyer_name: t,
  store_id: t,
  agent_id: t,
  created_at: tsreq,
  paid_at: ts,
  shipped_at: ts,
  completed_at: ts,
  cancelled_at: ts,
  status: t,
  item_total: dec,
  discount: dec,
  shipping: dec,
  paid_amount: dec,
  coupon_codes: t,
  /** Money refunded on the order so far (a later export may raise it). */
  refunded_amount: dec,
  refunded_at: ts,
} as const;

const lineFields = {
  line_no: int,
  sku: t,
  name: t,
  line_type: t,
  quantity: { type: 'decimal', required: true },
  unit_price: dec,
  amount: dec,
  list_price: dec,
  cost: dec,
} as const;

export const ENTITIES = {
  members: {
    channel: treq,
    external_id: treq,
    phone: t,
    email: t,
    wechat_unionid: t,
    wechat_openid: t,
    pos_card: t,
    /** ISO code or calling code: how a phone without a country code is read. */
    country: t,
    name: t,
    gender: t,
    birthday: { type: 'date' },
    city: t,
    registered_at: ts,
  },
  consents: {
    channel: treq,
    external_id: treq,
    contact_channel: treq,
    status: treq,
    at: tsreq,
    source: t,
  },
  products: {
    sku: treq,
    name: t,
    category_path: t,
    brand: t,
    list_price: dec,
    cost: dec,
    launched_at: { type: 'date' },
    line_type: t,
  },
  orders: orderFields,
  order_lines: { channel: treq, order_id: treq, ...lineFields },
  returns: {
    channel: treq,
    return_id: treq,
    line_no: int,
    order_id: t,
    order_line_no: int,
    ...buyer,
    sku: t,
    line_type: t,
    quantity: { type: 'decimal', required: true },
    amount: { type: 'decimal', required: true },
    reason: t,
    returned_at: tsreq,
  },
  events: {
    channel: treq,
    event_id: treq,
    type: treq,
    at: tsreq,
    ...buyer,
    session_id: t,
    source: t,
    sku: t,
    category: t,
    query: t,
    dwell_seconds: int,
    agent_id: t,
    direction: t,
    word_count: int,
    rating: int,
    text: t,
    order_id: t,
    campaign_id: t,
    coupon_code: t,
    properties: { type: 'json' },
  },
  /** One row per order line with the order's fields repeated (or only on its first row). */
  sales: {
    ...orderFields,
    ...lineFields,
    is_return: t,
    return_id: t,
  },
} as const satisfies Record<string, Record<string, FieldDef>>;

export type Entity = keyof typeof ENTITIES;
export const ENTITY_NAMES = Object.keys(ENTITIES) as readonly string[];

/** True when the name is a canonical entity. */
export function isEntity(name: string): name is Entity {
  return Object.hasOwn(ENTITIES, name);
}

/** The fields of an entity as [name, definition] pairs, in layout order. */
export function entityFields(entity: Entity): Array<[string, FieldDef]> {
  return Object.entries(ENTITIES[entity]);
}

/** Line types that are not products (postage, fees, adjustments...). */
export const LINE_TYPES = ['product', 'postage', 'fee', 'adjustment', 'discount', 'sample', 'bad_debt', 'commission'] as const;

export const ORDER_STATUSES = ['created', 'paid', 'shipped', 'completed', 'cancelled'] as const;

export const EVENT_TYPES = [
  'visit',
  'view',
  'search',
  'cart',
  'favourite',
  'inquiry',
  'review',
  'share',
  'message_delivered',
  'message_opened',
  'message_clicked',
  'unsubscribed',
  'coupon_received',
  'coupon_redeemed',
  'community_join',
  'community_post',
] as const;
