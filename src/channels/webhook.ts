/**
 * The signed webhook channel (SMS and WeChat gateways, or the merchant's own service). Each
 * message is one JSON POST with an `Idempotency-Key` header and an HMAC-SHA256 signature over
 * `timestamp + "." + body`, retried with exponential backoff and deterministic jitter.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { hash32 } from '../core/random.js';
import { renderTemplate } from './template.js';
import type { ChannelAdapter, OutboundMessage, SendResult } from './types.js';

export interface WebhookOptions {
  readonly url: string;
  readonly secret: string;
  readonly consentChannel: string;
  readonly timeoutMs?: number;
  /** Extra attempts after the first within one send (default 3). */
  readonly retries?: number;
  /** First backoff (default 500 ms), doubled per attempt, plus up to 50% jitter. */
  readonly backoffMs?: number;
  /**
   * The longest wait within one send (default 60 000 ms). A Retry-After asking for more ends
   * the send at once with `retry` and `retryAfterMs`, so one slow gateway cannot hold a
   * scheduler pass; the scheduler tries again later.
   */
  readonly maxDelayMs?: number;
  /** Injected for tests; real time otherwise. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Seconds since the epoch, for the signature timestamp (injected for tests). */
  readonly now?: () => number;
}

/** The signature header value for a timestamp and body. */
export function sign(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * For receivers: true when the header is the body's signature and the timestamp is within
 * `toleranceSeconds` of `now` (seconds), which stops replays of old requests.
 */
export function verifySignature(secret: string, timestamp: string, body: string, header: string, toleranceSeconds: number, now: number): boolean {
  const ts = Number(timestamp);
  if (!Number.isInteger(ts) || Math.abs(now - ts) > toleranceSeconds) return false;
  const want = Buffer.from(sign(secret, timestamp, body));
  const got = Buffer.from(header);
  return want.length === got.length && timingSafeEqual(want, got);
}

/** The delay before attempt `attempt` (1 = first retry): doubling, with jitter from the key. */
export function backoff(baseMs: number, attempt: number, key: string): number {
  const exp = baseMs * 2 ** (attempt - 1);
  return Math.round(exp + (exp / 2) * (hash32(`${key}#${attempt}`) / 0x100000000));
}

/** Milliseconds a Retry-After header asks for (seconds, or an HTTP date relative to `nowSeconds`). */
export function retryAfterMs(h: string | null, nowSeconds: number): number | null {
  if (h === null || h.trim() === '') return null;
  const s = Number(h);
  if (Number.isFinite(s) && s >= 0) return s * 1000;
  const at = Date.parse(h);
  return Number.isNaN(at) ? null : Math.max(0, at - nowSeconds * 1000);
}

/** A 2xx answer: sent, with the gateway's message ID when the body is JSON with an `id`. */
function providerId(text: string): SendResult {
  try {
    const j: unknown = JSON.parse(text);
    if (typeof j === 'object' && j !== null && 'id' in j && typeof j.id === 'string') return { status: 'sent', providerId: j.id };
  } catch {
    // A body that is not JSON is fine: the status says it was accepted.
  }
  return { status: 'sent' };
}

/** A webhook channel posting each message to `url`. */
export function webhookChannel(o: WebhookOptions): ChannelAdapter {
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = o.now ?? (() => Math.floor(Date.now() / 1000));
  const retries = o.retries ?? 3;
  const maxDelayMs = o.maxDelayMs ?? 60_000;
  return {
    kind: 'webhook',
    consentChannel: o.consentChannel,
    async send(m: OutboundMessage): Promise<SendResult> {
      const r = renderTemplate(m.template, m.variables);
      if (!r.ok) return { status: 'failed', error: `template variables missing: ${r.missing.join(', ')}` };
      const body = JSON.stringify({
        idempotency_key: m.idempotencyKey,
        campaign_id: m.campaignId,
        wave_id: m.waveId,
        member_id: m.recipient.memberId,
        to: { phone: m.recipient.phone ?? null, email: m.recipient.email ?? null, wechat: m.recipient.wechat ?? null, name: m.recipient.name ?? null },
        subject: r.message.subject ?? null,
        text: r.message.text,
        scheduled_for: m.scheduledFor,
      });
      let last = '';
      let wait = 0;
      for (let attempt = 0; attempt <= retries; attempt++) {
        if (attempt > 0) await sleep(wait);
        wait = backoff(o.backoffMs ?? 500, attempt + 1, m.idempotencyKey);
        const ts = String(now());
        try {
          const res = await fetch(o.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'idempotency-key': m.idempotencyKey, 'x-regulars-timestamp': ts, 'x-regulars-signature': sign(o.secret, ts, body) },
            body,
            // A followed 301/302 turns the POST into a GET without the message, and the
            // gateway's 200 for that would read as sent: redirects are an error instead.
            redirect: 'manual',
            signal: AbortSignal.timeout(o.timeoutMs ?? 10_000),
          });
          const text = await res.text();
          if (res.ok) return providerId(text);
          last = `HTTP ${res.status}: ${text.slice(0, 200)}`;
          if (res.status >= 300 && res.status < 400) return { status: 'failed', error: `${last} (redirects are not followed: configure the final URL)` };
          // 4xx is the request's fault (never retried), except timeouts and rate limits.
          if (res.status !== 408 && res.status !== 429 && res.status < 500) return { status: 'failed', error: last };
          const asked = retryAfterMs(res.headers.get('retry-after'), now());
          if (asked !== null && asked > maxDelayMs) return { status: 'retry', error: `${last} (Retry-After ${Math.ceil(asked / 1000)} s)`, retryAfterMs: asked };
          wait = asked ?? Math.min(wait, maxDelayMs);
        } catch (e) {
          last = e instanceof Error ? e.message : String(e);
        }
      }
      return { status: 'retry', error: `gave up for now after ${retries + 1} attempts: ${last}` };
    },
    close: () => Promise.resolve(),
  };
}
