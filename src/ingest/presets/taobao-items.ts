import { defined, type Preset } from './types.js';
import type { FieldSource } from '../mapping.js';

/** Taobao/Tmall exports wrap long numbers as ="..." so spreadsheets keep them. */
const clean = (col: string): string => `regexp_replace(trim("${col}"), '^="?(.*?)"?$', '\\1')`;

/**
 * The Taobao/Tmall item report (宝贝报表, exported beside the order report): one row per item of
 * an order, keyed by 订单编号, so its lines join the order report's orders (import the order
 * report with the taobao preset, then this one; lines may also come first). Lines are numbered
 * in file order within their order; the line value is 价格 x 购买数量.
 */
export const taobaoItemsPreset: Preset = {
  name: 'taobao-items',
  summary: 'Taobao/Tmall item report (宝贝报表: 订单编号, 标题, 价格, 购买数量, 外部系统编号, 商家编码, ...), GBK or UTF-8',
  stageOptions: () => ({}),
  mapping(ctx) {
    const c = ctx.columns;
    const col = (name: string): FieldSource | undefined => (c.includes(name) ? { sql: clean(name) } : undefined);
    return {
      entity: 'order_lines',
      fields: defined({
        channel: { const: ctx.channel ?? 'taobao' },
        order_id: { sql: clean('订单编号') },
        name: col('标题'),
        sku: col('商家编码') ?? col('外部系统编号'),
        quantity: { sql: clean('购买数量') },
        unit_price: { sql: clean('价格') },
      }),
      requiredColumns: ['订单编号', '购买数量', '价格'],
    };
  },
};
