import { int, namedStatements, sqlFile, str, type Db } from '../core/db/index.js';
import { sqlTimestamp, type Clock } from '../core/clock.js';
import { getSetting } from '../core/settings/index.js';
import { UnionFind } from './union-find.js';
import { rebuildMembers } from './members.js';

const SQL = namedStatements(sqlFile(import.meta.url, 'resolve.sql'));

export interface ResolveResult {
  readonly identities: number;
  readonly members: number;
  readonly merges: number;
  readonly quarantined: number;
}

/**
 * Resolves identities into members. `scope` chooses which: 'all', or a temp table name holding
 * identity_id values touched by an import (their current members are recomputed whole, so the
 * outcome equals a full resolution). Runs inside the caller's transaction.
 */
export async function resolveIdentities(db: Db, clock: Clock, scope: 'all' | { table: string }, importId: number | null): Promise<ResolveResult> {
  const now = sqlTimestamp(clock.now());
  const mergeKinds = await getSetting(db, 'identity.merge_kinds');
  const maxAccounts = await getSetting(db, 'identity.quarantine_max_accounts');
  const maxPerChannel = await getSetting(db, 'identity.quarantine_max_per_channel');

  // 1. Quarantine, judged on the whole graph; changes widen the scope to everyone linked.
  await db.run(SQL('quarantine'), [maxAccounts, maxPerChannel]);
  const changed = await db.all(
    `SELECT identity_id, 'quarantine' AS action FROM _quarantine_new WHERE identity_id NOT IN (SELECT identity_id FROM identity_quarantine)
     UNION ALL SELECT identity_id, 'release' FROM identity_quarantine WHERE identity_id NOT IN (SELECT identity_id FROM _quarantine_new)`,
  );
  for (const row of changed) {
    await db.run(`INSERT INTO merge_events VALUES (nextval('merge_event_seq'), $1::TIMESTAMP, $2, NULL, NULL, $3, $4, $5)`, [
      now,
      str(row, 'action'),
      int(row, 'identity_id'),
      importId,
      'identifier shared by too many accounts',
    ]);
  }
  await db.run('DELETE FROM identity_quarantine WHERE identity_id NOT IN (SELECT identity_id FROM _quarantine_new)');
  await db.run(
    `INSERT INTO identity_quarantine SELECT identity_id, account_count, max_per_channel, $1::TIMESTAMP FROM _quarantine_new
     WHERE identity_id NOT IN (SELECT identity_id FROM identity_quarantine)`,
    [now],
  );

  // 2. The scope: touched identities, everything linked to them, and whole current members.
  await db.run('CREATE OR REPLACE TEMP TABLE _res_seed (identity_id BIGINT)');
  if (scope !== 'all') {
    await db.run(`INSERT INTO _res_seed SELECT DISTINCT identity_id FROM ${scope.table}`);
    // Joins against small distinct sets (an OR of two IN lists is planned as a nested loop).
    await db.run(
      `CREATE OR REPLACE TEMP TABLE _res_seed0 AS
       SELECT identity_id FROM _res_seed
       UNION SELECT via_identity_id FROM merge_events WHERE occurred_at = $1::TIMESTAMP AND action IN ('quarantine','release')`,
      [now],
    );
    await db.run('INSERT INTO _res_seed SELECT l.anchor_id FROM identity_links l JOIN _res_seed0 s ON s.identity_id = l.identity_id');
    await db.run(`INSERT INTO _res_seed SELECT l.identity_id FROM identity_links l WHERE l.anchor_id IN (SELECT identity_id FROM _res_seed)`);
    await db.run(
      `CREATE OR REPLACE TEMP TABLE _res_scope AS
       SELECT DISTINCT identity_id FROM (
         SELECT identity_id FROM _res_seed
         UNION ALL
         SELECT i.identity_id FROM identities i
         WHERE i.member_id IN (SELECT member_id FROM identities WHERE identity_id IN (SELECT identity_id FROM _res_seed)))`,
    );
  }
  await db.run(SQL(scope === 'all' ? 'nodes_all' : 'nodes'));
  const n = int(await db.one('SELECT count(*) AS n FROM _res_nodes'), 'n');

  // 3. Union-find in canonical order, honouring do-not-merge rules.
  const uf = new UnionFind(n);
  await db.forEachIntChunk(SQL('forbidden'), [], ([xs = [], ys = []]) => {
    for (let i = 0; i < xs.length; i++) uf.forbid(xs[i] ?? 0, ys[i] ?? 0);
  });
  await db.forEachIntChunk(SQL('edges'), [toListParam(mergeKinds)], ([xs = [], ys = []]) => {
    for (let i = 0; i < xs.length; i++) uf.union(xs[i] ?? 0, ys[i] ?? 0);
  });
  // Each node's survivor: the lowest (earliest canonical) node of its component.
  const nodes = new Int32Array(n);
  const roots = new Int32Array(n);
  const lowest = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    nodes[i] = i;
    const r = uf.find(i);
    if (lowest[r] === -1) lowest[r] = i;
    roots[i] = lowest[r] ?? i;
  }
  await db.run('CREATE OR REPLACE TEMP TABLE _res_uf (node INTEGER, root INTEGER)');
  await db.appendInts('_res_uf', [nodes, roots]);
  await db.run(SQL('assign'));

  // 4. Audit: merges (several old members now one) and renames, then aliases.
  const merges = await recordMerges(db, now, importId);
  await db.run(
    `INSERT INTO member_aliases
     SELECT DISTINCT m.member_id, a.member_id, $1::TIMESTAMP
     FROM members m JOIN _res_assign a ON a.identity_id = m.anchor_identity_id
     WHERE m.member_id <> a.member_id
     ON CONFLICT (old_member_id) DO UPDATE SET member_id = excluded.member_id, since = excluded.since`,
    [now],
  );
  await db.run(
    `UPDATE member_aliases SET member_id = f.member_id
     FROM (SELECT DISTINCT m.member_id AS old_id, a.member_id FROM members m JOIN _res_assign a ON a.identity_id = m.anchor_identity_id
           WHERE m.member_id <> a.member_id) f
     WHERE member_aliases.member_id = f.old_id`,
  );
  await db.run('DELETE FROM member_aliases WHERE old_member_id IN (SELECT member_id FROM _res_assign)');

  // 5. Write the assignment and rebuild the affected members. Each moved identity is stamped with
  // this resolution's number, so readers that cache a member per identity (order facts) can find
  // what moved since they last looked without reading every identity.
  const seq = int(await db.one("SELECT nextval('member_move_seq') AS seq"), 'seq');
  await db.run(
    `UPDATE identities SET member_id = a.member_id, member_seq = $1 FROM _res_assign a
     WHERE identities.identity_id = a.identity_id AND identities.member_id IS DISTINCT FROM a.member_id`,
    [seq],
  );
  await rebuildMembers(db, now);
  const members = int(await db.one('SELECT count(DISTINCT member_id) AS n FROM _res_assign'), 'n');
  const quarantined = int(await db.one('SELECT count(*) AS n FROM identity_quarantine'), 'n');
  return { identities: n, members, merges, quarantined };
}

function toListParam(values: readonly string[]): string {
  return `[${values.map((v) => `'${v.replace(/'/g, "''")}'`).join(',')}]`;
}

async function recordMerges(db: Db, now: string, importId: number | null): Promise<number> {
  // For each new member holding identities of several old members: one event per absorbed member,
  // naming an identifier that links accounts of both; written by one statement (at 10M members
  // an import can merge tens of thousands, and a statement per event took minutes).
  await db.run(SQL('merges'));
  await db.run(
    `INSERT INTO merge_events SELECT nextval('merge_event_seq'), $1::TIMESTAMP, 'merge', member_id, old_member_id, via, $2, NULL
     FROM _merges`,
    [now, importId],
  );
  const merges = int(await db.one('SELECT count(*) AS n FROM _merges'), 'n');
  // New accounts that joined a member of several accounts, with an identifier they share with it.
  await db.run(
    `INSERT INTO merge_events
     SELECT nextval('merge_event_seq'), $1::TIMESTAMP, 'join', x.member_id, NULL, x.via, $2, 'account ' || i.scope || ':' || i.value || ' joined'
     FROM (
       WITH anchors AS MATERIALIZED (
         SELECT a.identity_id, a.member_id, a.old_member_id FROM _res_assign a
         WHERE a.member_id IS NOT NULL AND a.identity_id IN (SELECT anchor_id FROM identity_links)
       ), multi AS (
         SELECT member_id FROM anchors GROUP BY member_id HAVING count(*) > 1
       ), joined AS (
         SELECT identity_id, member_id FROM anchors WHERE old_member_id IS NULL AND member_id IN (SELECT member_id FROM multi)
       )
       -- via: an identifier of the account's own that belongs to the same member
       SELECT j.member_id, j.identity_id, min(l.identity_id) AS via
       FROM joined j
       JOIN identity_links l ON l.anchor_id = j.identity_id AND l.identity_id <> j.identity_id
       JOIN _res_assign a2 ON a2.identity_id = l.identity_id AND a2.member_id = j.member_id
       GROUP BY j.member_id, j.identity_id
     ) x JOIN identities i USING (identity_id)
     ORDER BY x.member_id, x.identity_id`,
    [now, importId],
  );
  return merges;
}
