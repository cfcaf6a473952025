/**
 * Email over SMTP (nodemailer). The Message-ID derives from the idempotency key and the key
 * rides in an `X-Regulars-Idempotency-Key` header, so a resend after a restart is the same
 * message to every system that deduplicates. SMTP 5xx answers fail; 4xx and connection
 * problems are retried later by the scheduler.
 */
import { createHash } from 'node:crypto';
import nodemailer from 'nodemailer';
import { renderTemplate } from './template.js';
import type { ChannelAdapter, OutboundMessage, SendResult } from './types.js';

export interface EmailOptions {
  readonly host: string;
  readonly port: number;
  /** TLS from the first byte (port 465); otherwise STARTTLS when the server offers it. */
  readonly secure?: boolean;
  readonly user?: string;
  readonly password?: string;
  /** The From address, e.g. `"Shop" <news@shop.example>`. */
  readonly from: string;
  readonly timeoutMs?: number;
}

/** The Message-ID a message key always gets (`<sha256-prefix@domain of From>`). */
export function messageId(key: string, from: string): string {
  const domain = /@([^>\s]+)/.exec(from)?.[1] ?? 'regulars.invalid';
  return `<${createHash('sha256').update(key).digest('hex').slice(0, 32)}@${domain}>`;
}

function responseCode(e: unknown): number | null {
  if (typeof e === 'object' && e !== null && 'responseCode' in e && typeof e.responseCode === 'number') return e.responseCode;
  return null;
}

/** An SMTP email channel; one pooled connection for the whole run. */
export function emailChannel(o: EmailOptions): ChannelAdapter {
  const transport = nodemailer.createTransport({
    host: o.host,
    port: o.port,
    secure: o.secure === true,
    ...(o.user === undefined ? {} : { auth: { user: o.user, pass: o.password ?? '' } }),
    pool: true,
    maxConnections: 1,
    connectionTimeout: o.timeoutMs ?? 10_000,
    socketTimeout: o.timeoutMs ?? 10_000,
  });
  return {
    kind: 'email',
    consentChannel: 'email',
    async send(m: OutboundMessage): Promise<SendResult> {
      if (m.recipient.email === undefined) return { status: 'failed', error: 'no email address' };
      const r = renderTemplate(m.template, m.variables);
      if (!r.ok) return { status: 'failed', error: `template variables missing: ${r.missing.join(', ')}` };
      try {
        const info: { messageId?: unknown } = await transport.sendMail({
          from: o.from,
          to: m.recipient.name === undefined ? m.recipient.email : { name: m.recipient.name, address: m.recipient.email },
          subject: r.message.subject ?? '',
          text: r.message.text,
          ...(r.message.html === undefined ? {} : { html: r.message.html }),
          messageId: messageId(m.idempotencyKey, o.from),
          headers: { 'X-Regulars-Idempotency-Key': m.idempotencyKey, 'X-Regulars-Campaign': m.campaignId, 'X-Regulars-Wave': m.waveId },
        });
        return typeof info.messageId === 'string' ? { status: 'sent', providerId: info.messageId } : { status: 'sent' };
      } catch (e) {
        const code = responseCode(e);
        const error = e instanceof Error ? e.message : String(e);
        return code !== null && code >= 500 ? { status: 'failed', error } : { status: 'retry', error };
      }
    },
    close: () => {
      transport.close();
      return Promise.resolve();
    },
  };
}
