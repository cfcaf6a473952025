/**
 * What a rule would hold before it is saved: its first members, its share of the member base
 * (members first seen by the date) and how many can be reached on each channel (granted consent
 * on the channel, whose anchor is the address itself: the phone for SMS, the email for EDM).
 */
import { int, str, type Db } from '../core/db/index.js';
import type { SegmentPreview } from '../contracts/index.js';
import { compileSegment, FIRST_SEEN_BY } from './compile.js';
import type { SegmentRule } from './rules.js';

export type { SegmentPreview } from '../contracts/index.js';

/** The first `limit` members of a rule, its size against the base, and its reachable members per consent channel. */
export async function previewSegment(db: Db, rule: SegmentRule, asOf: string, limit = 50): Promise<SegmentPreview> {
  const all = compileSegment(rule, asOf);
  const members = int(await db.one(`SELECT count(*) AS n FROM (${all.sql})`, all.params), 'n');
  const base = int(await db.one(`SELECT count(*) AS n FROM members m WHERE ${FIRST_SEEN_BY}`, [asOf]), 'n');
  const rows = await db.all(
    `SELECT m.member_id, m.name, m.city,
            (SELECT stage FROM member_lifecycle l WHERE l.member_id = m.member_id AND l.as_of <= $1::DATE ORDER BY l.as_of DESC LIMIT 1) AS stage
     FROM members m WHERE m.member_id IN (${all.sql}) ORDER BY m.member_id LIMIT ${Math.max(1, Math.min(200, Math.trunc(limit)))}`,
    all.params,
  );
  const channels = (await db.all('SELECT DISTINCT contact_channel AS c FROM consents ORDER BY 1')).map((r) => String(r['c']));
  const reachable: Array<{ channel: string; members: number }> = [];
  for (const channel of channels) {
    const c = compileSegment({ kind: 'and', rules: [rule, { kind: 'consent', channel, status: 'granted' }] }, asOf);
    reachable.push({ channel, members: int(await db.one(`SELECT count(*) AS n FROM (${c.sql})`, c.params), 'n') });
  }
  const first = rows.map((r) => ({ member_id: str(r, 'member_id') ?? '', name: str(r, 'name'), city: str(r, 'city'), stage: str(r, 'stage') }));
  return { as_of: asOf, members, base, first, reachable };
}
