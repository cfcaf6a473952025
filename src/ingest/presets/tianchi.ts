import type { Preset } from './types.js';

const COLUMNS = ['user_id', 'item_id', 'category_id', 'behavior_type', 'timestamp'] as const;

/**
 * The Tianchi user-behaviour log (Alibaba's public Taobao dataset, UserBehavior.csv):
 * `user_id,item_id,category_id,behavior_type,timestamp`, no header, times in Unix seconds.
 * pv, fav, cart and buy become view, favourite, cart and order events. The log has no event ID:
 * one is made of the row's values (and its place among identical rows), so a re-import adds nothing.
 */
export const tianchiPreset: Preset = {
  name: 'tianchi',
  summary: 'Tianchi user-behaviour log (user_id,item_id,category_id,behavior_type,timestamp; no header; epoch seconds)',
  stageOptions(firstLine) {
    const header = firstLine.split(',')[0]?.trim() === 'user_id';
    return { delimiter: ',', ...(header ? {} : { columnNames: [...COLUMNS] }) };
  },
  mapping(ctx) {
    const id = `concat_ws('-', trim("user_id"), trim("item_id"), trim("behavior_type"), trim("timestamp"),
      row_number() OVER (PARTITION BY "user_id", "item_id", "behavior_type", "timestamp" ORDER BY __line))`;
    return {
      entity: 'events',
      fields: {
        channel: { const: ctx.channel ?? 'taobao' },
        event_id: { sql: id },
        buyer_id: { column: 'user_id' },
        sku: { column: 'item_id' },
        category: { column: 'category_id' },
        type: { column: 'behavior_type' },
        at: { column: 'timestamp' },
      },
      valueMaps: { type: { pv: 'view', fav: 'favourite', cart: 'cart', buy: 'order' } },
      epoch: 'seconds',
    };
  },
};
