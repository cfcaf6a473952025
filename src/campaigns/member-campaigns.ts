/** The campaigns a member took part in, for the member profile: group, waves and what was sent. */
import type { Db, Row } from '../core/db/index.js';
import type { OpQueries } from '../ops/index.js';
import { campaignNames } from './store.js';

/**
 * Each campaign run a member was assigned to (treatment or control) with its sends, newest first.
 * The rows are analytical; the campaigns' names come from their operational definitions by ID.
 */
export async function memberCampaigns(db: Db, ops: OpQueries, memberId: string): Promise<Row[]> {
  const rows = await db.all(
    `SELECT m.campaign_id, m.run_id, m.grp AS group_kind, s.wave_id, s.channel, s.state,
            strftime(coalesce(s.sent_at, s.due_at), '%Y-%m-%d %H:%M:%S') AS at
     FROM campaign_members m
     LEFT JOIN campaign_sends s ON s.campaign_id = m.campaign_id AND s.run_id = m.run_id AND s.member_id = m.member_id
     WHERE m.member_id = $1
     ORDER BY m.assigned_at DESC, m.campaign_id, s.wave_id`,
    [memberId],
  );
  if (rows.length === 0) return rows;
  const names = await campaignNames(ops);
  return rows.map((r): Row => ({ campaign_id: r['campaign_id'] ?? null, name: names.get(String(r['campaign_id'])) ?? null, ...r }));
}
