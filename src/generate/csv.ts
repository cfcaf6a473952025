/**
 * CSV output of the generator: the file layouts, RFC 4180 quoting, money
 * formatting from integer cents, and a sink that batches rows into ~64 KB chunks
 * and waits for the stream to drain, so memory stays flat however much is written.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';

/** Header columns of every file the generator writes, in order (the importer's canonical layouts). */
export const LAYOUTS = {
  members: ['channel', 'external_id', 'phone', 'email', 'wechat_unionid', 'wechat_openid', 'pos_card', 'name', 'gender', 'birthday', 'city', 'registered_at'],
  consents: ['channel', 'external_id', 'contact_channel', 'status', 'at', 'source'],
  products: ['sku', 'name', 'category_path', 'brand', 'list_price', 'cost', 'launched_at', 'line_type'],
  orders: [
    'channel',
    'order_id',
    'buyer_id',
    'buyer_phone',
    'buyer_email',
    'buyer_unionid',
    'buyer_openid',
    'buyer_pos_card',
    'buyer_name',
    'store_id',
    'agent_id',
    'created_at',
    'paid_at',
    'shipped_at',
    'completed_at',
    'cancelled_at',
    'status',
    'item_total',
    'discount',
    'shipping',
    'paid_amount',
    'coupon_codes',
  ],
  order_lines: ['channel', 'order_id', 'line_no', 'sku', 'name', 'line_type', 'quantity', 'unit_price', 'amount', 'list_price', 'cost'],
  returns: [
    'channel',
    'return_id',
    'line_no',
    'order_id',
    'order_line_no',
    'buyer_id',
    'buyer_phone',
    'buyer_email',
    'buyer_unionid',
    'buyer_openid',
    'buyer_pos_card',
    'sku',
    'line_type',
    'quantity',
    'amount',
    'reason',
    'returned_at',
  ],
  events: [
    'channel',
    'event_id',
    'type',
    'at',
    'buyer_id',
    'buyer_phone',
    'buyer_email',
    'buyer_unionid',
    'buyer_openid',
    'buyer_pos_card',
    'session_id',
    'source',
    'sku',
    'category',
    'query',
    'dwell_seconds',
    'agent_id',
    'direction',
    'word_count',
    'rating',
    'text',
    'order_id',
    'campaign_id',
    'coupon_code',
    'properties',
  ],
  truth: ['person_id', 'channel', 'external_id'],
} as const satisfies Record<string, readonly string[]>;

export type Stem = keyof typeof LAYOUTS;
export const STEMS: readonly Stem[] = ['members', 'consents', 'products', 'orders', 'order_lines', 'returns', 'events', 'truth'];

/** True when the name is one of the generator's file stems. */
export function isStem(name: string): name is Stem {
  return STEMS.some((s) => s === name);
}

const NEEDS_QUOTES = /[",\n\r]|^\s|\s$/;

/** A field as CSV: quoted (quotes doubled) when it holds a comma, quote or line break, or starts or ends with a space. */
export function quote(text: string): string {
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Integer cents as a decimal string with exactly two places: 12345 -> '123.45', -5 -> '-0.05'. */
export function money(cents: number): string {
  if (!Number.isSafeInteger(cents)) throw new Error(`money needs integer cents, got ${cents}`);
  const sign = cents < 0 ? '-' : '';
  const abs = cents < 0 ? -cents : cents;
  const rest = abs % 100;
  return `${sign}${(abs - rest) / 100}.${rest < 10 ? '0' : ''}${rest}`;
}

const CHUNK = 1 << 16;

/**
 * A CSV file being written: rows are encoded straight into 64 KB buffers (no long
 * strings to collect) and written a chunk at a time. `rows` excludes the header,
 * `bytes` includes it.
 */
export class Sink {
  rows = 0;
  bytes = 0;
  private chunk = Buffer.allocUnsafe(CHUNK);
  private pos = 0;
  private ready: Buffer[] = [];
  private readonly stream: WriteStream;
  private error: Error | null = null;

  constructor(
    readonly path: string,
    header: readonly string[],
  ) {
    this.stream = createWriteStream(path);
    this.stream.on('error', (e) => {
      this.error = e;
    });
    this.put(header.join(','));
  }

  /** Appends one formatted row (without its line break). */
  add(line: string): void {
    this.rows++;
    this.put(line);
  }

  private put(line: string): void {
    // UTF-8 takes at most three bytes per UTF-16 unit.
    const need = line.length * 3 + 1;
    if (this.pos + need > this.chunk.length) {
      if (this.pos > 0) this.ready.push(this.chunk.subarray(0, this.pos));
      this.chunk = Buffer.allocUnsafe(Math.max(CHUNK, need));
      this.pos = 0;
    }
    this.pos += this.chunk.write(line, this.pos, 'utf8');
    this.chunk[this.pos++] = 10;
  }

  /** True when at least one chunk is ready to be written. */
  get full(): boolean {
    return this.ready.length > 0;
  }

  /** Writes the finished chunks (and with `all`, the partial one); resolves when the stream can take more. */
  async flush(all = false): Promise<void> {
    if (all && this.pos > 0) {
      this.ready.push(this.chunk.subarray(0, this.pos));
      this.chunk = Buffer.allocUnsafe(CHUNK);
      this.pos = 0;
    }
    const ready = this.ready;
    this.ready = [];
    for (const b of ready) {
      if (this.error !== null) throw this.error;
      this.bytes += b.length;
      if (!this.stream.write(b)) await once(this.stream, 'drain');
    }
  }

  /** Flushes and closes the file. */
  async close(): Promise<void> {
    await this.flush(true);
    this.stream.end();
    await once(this.stream, 'close');
    if (this.error !== null) throw this.error;
  }
}
