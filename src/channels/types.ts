/**
 * The one interface every outbound channel implements (CSV export, signed webhook, SMTP
 * email). The campaign scheduler only ever talks to a `ChannelAdapter`; adapters never
 * read or write the database themselves.
 */

/** Where a message goes: the member's addresses, as the scheduler resolved them (consent checked). */
export interface Recipient {
  readonly memberId: string;
  readonly email?: string;
  readonly phone?: string;
  /** A WeChat openid or unionid, for gateways that send WeChat template messages. */
  readonly wechat?: string;
  readonly name?: string;
}

/** One message to one member from one wave of one campaign. */
export interface OutboundMessage {
  /**
   * Stable across retries and restarts: `${campaignId}:${waveId}:${memberId}`. Adapters pass it
   * on (webhook header, email Message-ID, CSV column) so a receiver can drop duplicates.
   */
  readonly idempotencyKey: string;
  readonly campaignId: string;
  readonly waveId: string;
  readonly recipient: Recipient;
  /** The template to render (subject and body with {{variable}} placeholders). */
  readonly template: MessageTemplate;
  /** Member variables for the template: name, tier, points, coupon code, ... (strings only). */
  readonly variables: Readonly<Record<string, string>>;
  /** When the scheduler meant it to go (ISO timestamp, shop-local wall clock). */
  readonly scheduledFor: string;
}

export interface MessageTemplate {
  readonly subject?: string;
  readonly text: string;
  readonly html?: string;
}

/**
 * What happened: `sent` (accepted by the provider), `failed` (permanent: never retry, e.g. a
 * 4xx answer or a rejected address) or `retry` (transient: the scheduler tries again later).
 */
export type SendResult =
  /** `duplicate`: the receiver already held this idempotency key, so nothing new went out. */
  | { readonly status: 'sent'; readonly providerId?: string; readonly duplicate?: boolean }
  | { readonly status: 'failed'; readonly error: string }
  /** `retryAfterMs`: the receiver asked for at least this long a wait (an HTTP Retry-After). */
  | { readonly status: 'retry'; readonly error: string; readonly retryAfterMs?: number };

export interface ChannelAdapter {
  /** 'csv', 'webhook' or 'email'. */
  readonly kind: string;
  /** The contact channel whose consent governs this adapter: 'email', 'sms', 'wechat', ... */
  readonly consentChannel: string;
  /** Sends one message. Never throws for a delivery problem: returns failed or retry. */
  send(message: OutboundMessage): Promise<SendResult>;
  /** Flushes buffered output (the CSV file) and releases connections. */
  close(): Promise<void>;
}
