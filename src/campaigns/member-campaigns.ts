/** The campaigns a member took part in, for the member profile: group, waves and what was sent. */
import type { Db, Row } from '../core/db/index.js';

/** Each campaign run a member was assigned to (treatment or control) with its sends, newest first. */
export async function memberCampaigns(db: Db, memberId: string): Promise<Row[]> {
  return db.all(
    `SELECT m.campaign_id, c.name, m.run_id, m.grp AS group_kind, s.wave_id, s.channel, s.state,
            strftime(coalesce(s.sent_at, s.due_at), '%Y-%m-%d %H:%M:%S') AS at
     FROM campaign_members m JOIN campaigns c USING (campaign_id)
     LEFT JOIN campaign_sends s ON s.campaign_id = m.campaign_id AND s.run_id = m.run_id AND s.member_id = m.member_id
     WHERE m.member_id = $1
     ORDER BY m.assigned_at DESC, m.campaign_id, s.wave_id`,
    [memberId],
  );
}
