/**
 * Test fixtures for campaigns: a small member base loaded through the real importer, a
 * recording channel adapter, and a clock that tests move. Used by the campaign tests only.
 */
import type { Clock } from '../core/clock.js';
import type { Sandbox } from '../testing/index.js';
import type { ChannelAdapter, OutboundMessage, SendResult } from '../channels/types.js';

/** A clock a test moves forward (`set('2026-11-06 10:00')`, shop time = UTC here). */
export function movableClock(start: string): Clock & { set(at: string): void } {
  let at = new Date(`${start.replace(' ', 'T')}:00Z`);
  return {
    now: () => new Date(at.getTime()),
    set(next: string) {
      at = new Date(`${next.replace(' ', 'T')}:00Z`);
    },
  };
}

/** Member external IDs c01..cNN. */
export const memberKeys = (n: number): string[] => Array.from({ length: n }, (_, i) => `c${String(i + 1).padStart(2, '0')}`);

/**
 * Loads n members on channel `shop` (email cNN@example.com, phone 1380000NNNN) with email and
 * SMS consent granted on 2026-01-01, through the importer as a shop would send them.
 */
export async function loadMembers(s: Sandbox, n: number): Promise<void> {
  const keys = memberKeys(n);
  const members = s.write(
    'members.ndjson',
    keys
      .map((k, i) =>
        JSON.stringify({ channel: 'shop', external_id: k, name: `Member ${k}`, email: `${k}@example.com`, phone: `1380000${String(i + 1).padStart(4, '0')}`, registered_at: '2025-01-01 10:00:00' }),
      )
      .join('\n'),
  );
  const r = await s.import(members, { entity: 'members' });
  if (r.loaded !== n) throw new Error(`fixture: ${r.loaded} of ${n} members loaded`);
  const consents = s.write(
    'consents.csv',
    ['channel,external_id,contact_channel,status,at', ...keys.flatMap((k) => [`shop,${k},email,granted,2026-01-01 00:00:00`, `shop,${k},sms,granted,2026-01-01 00:00:00`])].join('\n'),
  );
  await s.import(consents, { entity: 'consents' });
}

/** Imports events (delivery events, unsubscribes, purchases' companions) as NDJSON. */
export async function importEvents(s: Sandbox, name: string, events: Array<Record<string, unknown>>): Promise<void> {
  const file = s.write(name, events.map((e) => JSON.stringify({ channel: 'gateway', ...e })).join('\n'));
  const r = await s.import(file, { entity: 'events' });
  if (r.rejected > 0) throw new Error(`fixture: ${r.rejected} events rejected`);
}

/** The member ID the base gave an external ID. */
export async function memberOf(s: Sandbox, externalId: string): Promise<string> {
  const row = await s.db.one("SELECT member_id FROM identities WHERE kind = 'account' AND scope = 'shop' AND value = $1", [externalId]);
  const id = row?.['member_id'];
  if (typeof id !== 'string') throw new Error(`fixture: no member for ${externalId}`);
  return id;
}

/**
 * An adapter that records every message it accepts. `crashAfter` makes it throw (like a
 * process dying) once it has accepted that many messages; `answer` overrides the result.
 */
export function recordingAdapter(consentChannel: string, opts: { crashAfter?: number; answer?: (m: OutboundMessage) => SendResult } = {}): ChannelAdapter & { readonly messages: OutboundMessage[] } {
  const messages: OutboundMessage[] = [];
  return {
    kind: 'recording',
    consentChannel,
    messages,
    send(m) {
      if (opts.crashAfter !== undefined && messages.length >= opts.crashAfter) return Promise.reject(new Error('simulated crash'));
      const result = opts.answer?.(m) ?? { status: 'sent', providerId: `p-${messages.length + 1}` };
      if (result.status === 'sent') messages.push(m);
      return Promise.resolve(result);
    },
    close: () => Promise.resolve(),
  };
}

/** The source material's example: email five days before the sale, SMS the day before to non-openers, SMS one hour before. */
export const SALE = {
  name: 'Autumn sale',
  goal: 'purchases',
  audience: { rule: { kind: 'consent', channel: 'email', status: 'granted' } },
  starts_at: '2026-11-11 10:00',
  control: { percent: 20 },
  attribution_days: 3,
  cost: { per_message: { edm: '0.01', sms: '0.05' }, fixed: '10.00' },
  waves: [
    { id: 'edm', channel: 'edm', at: '-5d', template: { subject: 'Sale in 5 days, {{name}}', text: 'Hello {{name}}' } },
    { id: 'sms1', channel: 'sms', at: '-1d', when: { not: { opened: 'edm' } }, template: { text: 'Tomorrow: the sale' } },
    { id: 'sms2', channel: 'sms', at: '-1h', template: { text: 'One hour to go' } },
  ],
};
