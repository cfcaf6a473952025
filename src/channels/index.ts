/**
 * Outbound channels behind one interface (types.ts): a CSV list, a signed webhook, SMTP email.
 * Channel configurations are stored as JSON (`regulars channels set`), validated here.
 */
import { csvChannel } from './csv.js';
import { emailChannel } from './email.js';
import { webhookChannel } from './webhook.js';
import type { ChannelAdapter } from './types.js';

export type { ChannelAdapter, OutboundMessage, Recipient, MessageTemplate, SendResult } from './types.js';
export { renderTemplate } from './template.js';
export { csvChannel, CSV_COLUMNS } from './csv.js';
export { webhookChannel, verifySignature, sign, backoff, retryAfterMs } from './webhook.js';
export { emailChannel, messageId } from './email.js';

export type ChannelConfig =
  | { readonly kind: 'csv'; readonly file: string; readonly consent_channel: string }
  | {
      readonly kind: 'webhook';
      readonly url: string;
      readonly secret: string;
      readonly consent_channel: string;
      readonly timeout_ms?: number;
      readonly retries?: number;
      readonly backoff_ms?: number;
      readonly max_delay_ms?: number;
    }
  | { readonly kind: 'email'; readonly host: string; readonly port: number; readonly secure?: boolean; readonly user?: string; readonly password?: string; readonly from: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Validates a channel configuration, naming each bad field. */
export function validateChannelConfig(json: unknown): { ok: true; config: ChannelConfig } | { ok: false; errors: Array<{ path: string; reason: string }> } {
  const errors: Array<{ path: string; reason: string }> = [];
  if (!isObject(json)) return { ok: false, errors: [{ path: '$', reason: 'a channel configuration is a JSON object' }] };
  const text = (k: string, required = true): string | undefined => {
    const v = json[k];
    if (v === undefined && !required) return undefined;
    if (typeof v !== 'string' || v === '') {
      errors.push({ path: `$.${k}`, reason: 'must be a non-empty string' });
      return undefined;
    }
    return v;
  };
  const int = (k: string, max: number): number | undefined => {
    const v = json[k];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) {
      errors.push({ path: `$.${k}`, reason: `must be a whole number from 0 to ${max}` });
      return undefined;
    }
    return v;
  };
  const consent = (): string => text('consent_channel') ?? '';
  switch (json['kind']) {
    case 'csv': {
      const file = text('file');
      const c = consent();
      return errors.length > 0 || file === undefined ? { ok: false, errors } : { ok: true, config: { kind: 'csv', file, consent_channel: c } };
    }
    case 'webhook': {
      const url = text('url');
      if (url !== undefined && !/^https?:\/\//.test(url)) errors.push({ path: '$.url', reason: 'must be an http(s) URL' });
      const secret = text('secret');
      if (secret !== undefined && secret.length < 16) errors.push({ path: '$.secret', reason: 'must be at least 16 characters' });
      const c = consent();
      const timeout = int('timeout_ms', 120_000);
      const retries = int('retries', 10);
      const backoffMs = int('backoff_ms', 600_000);
      const maxDelay = int('max_delay_ms', 600_000);
      if (errors.length > 0 || url === undefined || secret === undefined) return { ok: false, errors };
      return {
        ok: true,
        config: {
          kind: 'webhook',
          url,
          secret,
          consent_channel: c,
          ...(timeout === undefined ? {} : { timeout_ms: timeout }),
          ...(retries === undefined ? {} : { retries }),
          ...(backoffMs === undefined ? {} : { backoff_ms: backoffMs }),
          ...(maxDelay === undefined ? {} : { max_delay_ms: maxDelay }),
        },
      };
    }
    case 'email': {
      const host = text('host');
      const port = int('port', 65535);
      if (port === undefined) errors.push({ path: '$.port', reason: 'is required (25, 465, 587, ...)' });
      const from = text('from');
      const user = text('user', false);
      const password = text('password', false);
      const secure = json['secure'];
      if (secure !== undefined && typeof secure !== 'boolean') errors.push({ path: '$.secure', reason: 'must be true or false' });
      if (errors.length > 0 || host === undefined || port === undefined || from === undefined) return { ok: false, errors };
      return {
        ok: true,
        config: { kind: 'email', host, port, from, ...(secure === true ? { secure: true } : {}), ...(user === undefined ? {} : { user }), ...(password === undefined ? {} : { password }) },
      };
    }
    default:
      return { ok: false, errors: [{ path: '$.kind', reason: 'must be csv, webhook or email' }] };
  }
}

/** Builds the adapter for a validated configuration (`sleep` is injected by tests). */
export function createChannel(config: ChannelConfig, deps: { sleep?: (ms: number) => Promise<void> } = {}): ChannelAdapter {
  switch (config.kind) {
    case 'csv':
      return csvChannel({ file: config.file, consentChannel: config.consent_channel });
    case 'webhook':
      return webhookChannel({
        url: config.url,
        secret: config.secret,
        consentChannel: config.consent_channel,
        ...(config.timeout_ms === undefined ? {} : { timeoutMs: config.timeout_ms }),
        ...(config.retries === undefined ? {} : { retries: config.retries }),
        ...(config.backoff_ms === undefined ? {} : { backoffMs: config.backoff_ms }),
        ...(config.max_delay_ms === undefined ? {} : { maxDelayMs: config.max_delay_ms }),
        ...(deps.sleep === undefined ? {} : { sleep: deps.sleep }),
      });
    case 'email':
      return emailChannel({
        host: config.host,
        port: config.port,
        from: config.from,
        ...(config.secure === undefined ? {} : { secure: config.secure }),
        ...(config.user === undefined ? {} : { user: config.user }),
        ...(config.password === undefined ? {} : { password: config.password }),
      });
  }
}
