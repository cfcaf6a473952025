/**
 * Customer-service analytics: per agent and period, the sessions handled, inquiry conversion,
 * attributed sales and order value, response times, words per reply and reviews (PRODUCT:
 * Customer service); see docs/products.md.
 */
import { namedStatements, sqlFile, type Db } from '../core/db/index.js';

const SQL = namedStatements(sqlFile(import.meta.url, 'service.sql'));

/** The rules the service report follows (part of its stored identity). */
export interface ServiceParams {
  readonly from: string;
  readonly to: string;
  readonly session_gap_minutes: number;
  readonly conversion_hours: number;
  readonly good_rating: number;
  readonly bad_rating: number;
}

/** The defaults of PRODUCT's definitions: 30-minute sessions, 72-hour conversion; good 4-5, bad 1-2 stars. */
export const SERVICE_DEFAULTS = { session_gap_minutes: 30, conversion_hours: 72, good_rating: 4, bad_rating: 2 } as const;

const TABLES = ['_sv_msgs', '_sv_numbered', '_sv_sessions', '_sv_first', '_sv_turns', '_sv_orders', '_sv_converted'];

/** The agents' league table for the period, with the totals of its sessions. */
export async function serviceReport(db: Db, p: ServiceParams): Promise<Record<string, unknown>> {
  try {
    await db.run(SQL('messages'), [p.from, p.to]);
    await db.run(SQL('numbered'), [p.session_gap_minutes]);
    await db.run(SQL('sessions'));
    await db.run(SQL('first_response'));
    await db.run(SQL('turns'));
    await db.run(SQL('attributed'), [p.conversion_hours, p.from, p.to]);
    await db.run(SQL('converted'), [p.conversion_hours]);
    return {
      period: { from: p.from, to: p.to },
      totals: (await db.one(SQL('totals'), [p.from, p.to])) ?? {},
      agents: await db.all(SQL('league'), [p.from, p.to, p.good_rating, p.bad_rating]),
    };
  } finally {
    for (const t of TABLES) await db.run(`DROP TABLE IF EXISTS ${t}`);
  }
}

/** The rules printed with the report. */
export function serviceRules(p: Record<string, unknown>): string[] {
  const h = String(p['conversion_hours']);
  return [
    `period ${String(p['from'])}..${String(p['to'])}: the service sessions that start in it`,
    `a session: a member's inquiry messages and the agents' replies with no gap longer than ${String(p['session_gap_minutes'])} minutes; it belongs to the agent who replied first (unanswered sessions are counted apart)`,
    `inquiry conversion = members with a session of the agent who paid an order within ${h} hours after the session ended / members with a session of the agent`,
    `sales and order value: each purchase goes once to the agent of the member's last answered session that ended within the ${h} hours before its payment, in the period of that session; its review follows it (good: ${String(p['good_rating'])}+ stars, bad: ${String(p['bad_rating'])} or fewer)`,
    "first response time: from the member's first message of a session to the first reply after it; response time: from the first message of each turn to the reply that ends it, credited to the replying agent",
    "words per reply: characters (without spaces) for Chinese text, words otherwise; the event's word_count when there is no text",
  ];
}
