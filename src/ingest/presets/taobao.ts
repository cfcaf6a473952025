import { defined, type Preset } from './types.js';
import type { FieldSource } from '../mapping.js';

/** Taobao/Tmall exports wrap long numbers as ="..." so spreadsheets keep them; unwrap every value. */
const clean = (col: string): string => `regexp_replace(trim("${col}"), '^="?(.*?)"?$', '\\1')`;

/** 订单状态 to the canonical status; anything else is left as written and rejected with its value. */
const STATUS = (col: string): string => `CASE
  WHEN contains(${clean(col)}, '交易成功') OR ${clean(col)} = 'TRADE_FINISHED' THEN 'completed'
  WHEN contains(${clean(col)}, '已发货') OR ${clean(col)} = 'WAIT_BUYER_CONFIRM_GOODS' THEN 'shipped'
  WHEN contains(${clean(col)}, '已付款') OR ${clean(col)} = 'WAIT_SELLER_SEND_GOODS' THEN 'paid'
  WHEN contains(${clean(col)}, '等待买家付款') OR ${clean(col)} = 'WAIT_BUYER_PAY' THEN 'created'
  WHEN contains(${clean(col)}, '关闭') OR ${clean(col)} LIKE 'TRADE_CLOSED%' THEN 'cancelled'
  ELSE ${clean(col)} END`;

/**
 * The Taobao/Tmall seller-centre order report (订单报表): one row per order, Chinese headers,
 * usually GBK. The order's goods become one line (宝贝标题 x 宝贝总数量).
 */
export const taobaoPreset: Preset = {
  name: 'taobao',
  summary: 'Taobao/Tmall order report (订单编号, 买家会员名, 买家实际支付金额, 订单状态, 订单创建时间, ...), GBK or UTF-8',
  stageOptions: () => ({}),
  mapping(ctx) {
    const c = ctx.columns;
    const col = (name: string): FieldSource | undefined => (c.includes(name) ? { sql: clean(name) } : undefined);
    const req = (name: string): FieldSource => ({ sql: clean(name) });
    const goods = col('买家应付货款');
    return {
      entity: 'sales',
      fields: defined({
        channel: { const: ctx.channel ?? 'taobao' },
        order_id: req('订单编号'),
        buyer_id: req('买家会员名'),
        buyer_phone: col('联系手机') ?? col('联系电话'),
        buyer_name: col('收货人姓名'),
        created_at: req('订单创建时间'),
        paid_at: col('订单付款时间'),
        completed_at: col('确认收货时间'),
        status: c.includes('订单状态') ? { sql: STATUS('订单状态') } : undefined,
        item_total: goods,
        shipping: col('买家应付邮费'),
        paid_amount: req('买家实际支付金额'),
        // The report gives the refunded total, not when: dated at the import that first shows it.
        refunded_amount: col('退款金额'),
        // Line 0: the order's goods as one stand-in line, replaced by the item report's lines (taobao-items).
        line_no: { const: '0' },
        name: col('宝贝标题'),
        quantity: c.includes('宝贝总数量') ? { sql: clean('宝贝总数量') } : { const: '1' },
        amount: goods ?? req('买家实际支付金额'),
      }),
      requiredColumns: ['订单编号', '买家会员名', '订单创建时间', '买家实际支付金额'],
    };
  },
};
