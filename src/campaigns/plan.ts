/**
 * Planning a wave: one send row per treatment member whose condition on earlier waves holds,
 * at the wave's time (or the member's best send hour that day), moved out of quiet hours.
 */
import { namedStatements, sqlFile, type Db, type SqlParam } from '../core/db/index.js';
import { getSetting, quietHours } from '../core/settings/index.js';
import { addMinutes, offsetMinutes, type Wave, type WaveCondition } from './definition.js';

const SQL = namedStatements(sqlFile(import.meta.url, 'campaigns.sql'));

/** Delivery event types that show a wave's message reached the member, per condition. */
const EVENT_TYPES = {
  delivered: ['message_delivered', 'message_opened', 'message_clicked'],
  opened: ['message_opened', 'message_clicked'],
  clicked: ['message_clicked'],
} as const;

/**
 * Compiles a wave condition to a boolean SQL expression over campaign_members `m`. Campaign
 * and run are $1 and $2 of the enclosing statement; every other value is bound. Delivery
 * events identify the wave by `properties.wave_id` and, when given, the run by
 * `properties.run_id`; they must come after the run's launch.
 */
export function conditionSql(c: WaveCondition, params: SqlParam[]): string {
  const bind = (v: SqlParam): string => {
    params.push(v);
    return `$${params.length}`;
  };
  if ('not' in c) return `NOT (${conditionSql(c.not, params)})`;
  if ('all' in c) return `(${c.all.map((x) => conditionSql(x, params)).join(' AND ')})`;
  if ('any' in c) return `(${c.any.map((x) => conditionSql(x, params)).join(' OR ')})`;
  if ('sent' in c) {
    return `EXISTS (SELECT 1 FROM campaign_sends s WHERE s.campaign_id = $1 AND s.run_id = $2::INTEGER AND s.wave_id = ${bind(c.sent)} AND s.member_id = m.member_id AND s.state = 'sent')`;
  }
  const [wave, types] = 'delivered' in c ? [c.delivered, EVENT_TYPES.delivered] : 'opened' in c ? [c.opened, EVENT_TYPES.opened] : [c.clicked, EVENT_TYPES.clicked];
  return `m.member_id IN (
    SELECT i.member_id FROM events e JOIN identities i ON i.identity_id = e.actor_id
    WHERE e.campaign_id = $1 AND json_extract_string(e.properties, '$.wave_id') = ${bind(wave)}
      AND coalesce(json_extract_string(e.properties, '$.run_id'), $2::VARCHAR) = $2::VARCHAR
      AND e.type IN (SELECT unnest(from_json(${bind(JSON.stringify(types))}, '["VARCHAR"]')))
      AND e.occurred_at >= (SELECT launched_at FROM campaign_runs r WHERE r.campaign_id = $1 AND r.run_id = $2::INTEGER)
      AND i.member_id IS NOT NULL)`;
}

/** The wave's nominal time for a run starting at T (shop-local `YYYY-MM-DD HH:MM[:SS]`). */
export function waveTime(startsAt: string, wave: Wave): string {
  return addMinutes(startsAt, offsetMinutes(wave.at));
}

/**
 * When a wave is planned: at launch for waves without a condition; for conditional waves at
 * the wave's time (best-hour waves: the start of the wave's day), so the condition sees
 * every delivery event that came back before.
 */
export function planTime(startsAt: string, wave: Wave): string {
  const at = waveTime(startsAt, wave);
  return wave.best_hour === true ? `${at.slice(0, 10)} 00:00:00` : at;
}

/** Plans one wave of one run; returns the number of sends planned. Run inside a transaction. */
export async function planWave(db: Db, campaignId: string, runId: number, startsAt: string, wave: Wave, now: string): Promise<number> {
  const params: SqlParam[] = [campaignId, runId, wave.id, wave.channel, waveTime(startsAt, wave), wave.best_hour === true, now];
  const cond = wave.when === undefined ? 'TRUE' : conditionSql(wave.when, params);
  await db.run(SQL('plan_wave').replace('/*condition*/', cond), params);
  const quiet = quietHours(await getSetting(db, 'campaigns.quiet_hours'));
  if (quiet !== null) await db.run(SQL('defer_quiet'), [campaignId, runId, wave.id, quiet.start, quiet.end]);
  await db.run(SQL('mark_planned'), [campaignId, runId, wave.id, now]);
  const row = await db.one('SELECT sends FROM campaign_wave_plans WHERE campaign_id = $1 AND run_id = $2 AND wave_id = $3', [campaignId, runId, wave.id]);
  return Number(row?.['sends'] ?? 0);
}
