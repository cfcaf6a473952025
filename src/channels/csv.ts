/**
 * The CSV channel: the list a merchant uploads to a marketplace's own messaging tool. One row
 * per message, appended as it is sent; a key already in the file is never written again, so a
 * resend after a restart does not duplicate a line.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { CSV_BOM, csvCell, parseCsv } from '../core/csv.js';
import { renderTemplate } from './template.js';
import type { ChannelAdapter, OutboundMessage, SendResult } from './types.js';

export const CSV_COLUMNS = ['idempotency_key', 'campaign_id', 'wave_id', 'member_id', 'name', 'phone', 'email', 'wechat', 'subject', 'text', 'scheduled_for'] as const;

/** A CSV list channel writing to `file` (created with a header when absent). */
export function csvChannel(o: { file: string; consentChannel: string }): ChannelAdapter {
  const written = new Set<string>();
  // A file with other columns (another tool's list, an older layout) is never appended to:
  // its keys cannot be read, so a restart would write duplicates into misaligned columns.
  let refusal: string | undefined;
  const existing = existsSync(o.file) ? readFileSync(o.file, 'utf8') : '';
  // A BOM so Excel reads Chinese names as UTF-8.
  if (existing.trim() === '') appendFileSync(o.file, `${CSV_BOM}${CSV_COLUMNS.join(',')}\n`);
  else {
    const [header = [], ...rows] = parseCsv(existing.replace(/^\uFEFF/, ''));
    if (header.join(',') !== CSV_COLUMNS.join(',')) refusal = `${o.file} has the columns ${header.join(',')}, not ${CSV_COLUMNS.join(',')}: choose another file`;
    else for (const r of rows) written.add(r[0] ?? '');
  }
  return {
    kind: 'csv',
    consentChannel: o.consentChannel,
    send(m: OutboundMessage): Promise<SendResult> {
      if (refusal !== undefined) return Promise.resolve({ status: 'failed', error: refusal });
      if (written.has(m.idempotencyKey)) return Promise.resolve({ status: 'sent', providerId: 'already in file', duplicate: true });
      const r = renderTemplate(m.template, m.variables);
      if (!r.ok) return Promise.resolve({ status: 'failed', error: `template variables missing: ${r.missing.join(', ')}` });
      const row = [
        m.idempotencyKey,
        m.campaignId,
        m.waveId,
        m.recipient.memberId,
        m.recipient.name ?? '',
        m.recipient.phone ?? '',
        m.recipient.email ?? '',
        m.recipient.wechat ?? '',
        r.message.subject ?? '',
        r.message.text,
        m.scheduledFor,
      ];
      try {
        // Text cells (names, phones, messages) neutralised against formula injection.
        appendFileSync(o.file, `${row.map((v) => csvCell(v)).join(',')}\n`);
      } catch (e) {
        return Promise.resolve({ status: 'retry', error: e instanceof Error ? e.message : String(e) });
      }
      written.add(m.idempotencyKey);
      return Promise.resolve({ status: 'sent', providerId: `line ${written.size + 1}` });
    },
    close: () => Promise.resolve(),
  };
}
