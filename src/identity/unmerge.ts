/**
 * Unmerge: splits one account (with the identifiers only it brings) off a member, records it,
 * and leaves do-not-merge rules between that account and the member's other accounts, which
 * every later resolution honours.
 */
import { int, str, type Db } from '../core/db/index.js';
import { sqlTimestamp, type Clock } from '../core/clock.js';
import { resolveIdentities } from './resolve.js';

export interface UnmergeResult {
  readonly member_id: string;
  readonly split_identity: { kind: string; channel: string | null; value: string };
  readonly new_member_id: string | null;
  readonly remaining_member_id: string | null;
  readonly rules_added: number;
}

export class UnmergeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnmergeError';
  }
}

/** Splits the account `channel:external-id` (or any identifier value) off member `memberId`. */
export async function unmerge(db: Db, clock: Clock, memberId: string, account: string, reason: string | null): Promise<UnmergeResult> {
  const colon = account.indexOf(':');
  const scope = colon > 0 ? account.slice(0, colon) : null;
  const value = colon > 0 ? account.slice(colon + 1) : account;
  const target = await db.all(
    `SELECT identity_id, kind, scope, value FROM identities
     WHERE member_id = $1 AND value = $2 AND ($3::VARCHAR IS NULL OR scope = $3)
       AND identity_id IN (SELECT anchor_id FROM identity_links)`,
    [memberId, value, scope],
  );
  if (target.length !== 1) {
    throw new UnmergeError(
      target.length === 0
        ? `member ${memberId} has no account '${account}' (name one of its accounts as channel:external-id; see regulars members show)`
        : `'${account}' names ${target.length} accounts of ${memberId}; prefix it with its channel`,
    );
  }
  const split = target[0];
  const splitId = int(split, 'identity_id');
  const others = await db.all(
    `SELECT DISTINCT i.identity_id FROM identities i
     WHERE i.member_id = $1 AND i.identity_id <> $2 AND i.identity_id IN (SELECT anchor_id FROM identity_links)`,
    [memberId, splitId],
  );
  if (others.length === 0) throw new UnmergeError(`member ${memberId} has only the one account '${account}'; there is nothing to split`);
  const now = sqlTimestamp(clock.now());
  return db.transaction(async () => {
    let added = 0;
    for (const o of others) {
      const other = int(o, 'identity_id');
      const [a, b] = splitId < other ? [splitId, other] : [other, splitId];
      const exists = await db.one('SELECT 1 AS x FROM do_not_merge WHERE identity_a = $1 AND identity_b = $2', [a, b]);
      if (exists !== undefined) continue;
      await db.run('INSERT INTO do_not_merge VALUES ($1, $2, $3::TIMESTAMP, $4)', [a, b, now, reason]);
      added++;
    }
    await db.run('CREATE OR REPLACE TEMP TABLE _unmerge_scope AS SELECT identity_id FROM identities WHERE member_id = $1', [memberId]);
    await resolveIdentities(db, clock, { table: '_unmerge_scope' }, null);
    const after = async (id: number): Promise<string | null> => str(await db.one('SELECT member_id FROM identities WHERE identity_id = $1', [id]), 'member_id');
    const newMember = await after(splitId);
    const remaining = await after(int(others[0], 'identity_id'));
    await db.run(`INSERT INTO merge_events VALUES (nextval('merge_event_seq'), $1::TIMESTAMP, 'unmerge', $2, $3, $4, NULL, $5)`, [
      now,
      remaining,
      newMember,
      splitId,
      reason ?? `split ${account} off ${memberId}`,
    ]);
    return {
      member_id: memberId,
      split_identity: { kind: str(split, 'kind') ?? '', channel: str(split, 'scope') || null, value: str(split, 'value') ?? '' },
      new_member_id: newMember,
      remaining_member_id: remaining,
      rules_added: added,
    };
  });
}

/** Quarantined identifiers and resolution totals. */
export async function identityReport(db: Db): Promise<Record<string, unknown>> {
  const quarantine = await db.all(
    `SELECT i.kind, i.value, q.account_count AS accounts, q.max_per_channel, strftime(q.since, '%Y-%m-%d %H:%M:%S') AS since
     FROM identity_quarantine q JOIN identities i USING (identity_id)
     ORDER BY q.account_count DESC, i.kind, i.value`,
  );
  const byKind = await db.all(`SELECT kind, count(*) AS identities, count(member_id) AS with_member FROM identities GROUP BY kind ORDER BY kind`);
  const totals = await db.one(
    `SELECT (SELECT count(*) FROM members) AS members, (SELECT count(*) FROM identities) AS identities,
            (SELECT count(*) FROM merge_events WHERE action = 'merge') AS merges,
            (SELECT count(*) FROM merge_events WHERE action = 'unmerge') AS unmerges,
            (SELECT count(*) FROM do_not_merge) AS do_not_merge_rules,
            (SELECT count(*) FROM member_aliases) AS aliases`,
  );
  return { totals: totals ?? {}, by_kind: byKind, quarantine };
}
