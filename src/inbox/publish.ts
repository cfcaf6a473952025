/**
 * The hand-off from the analytical store to the operational one after each load and refresh: the
 * identity-to-member map (so a till finds a member by phone or card without the analytical store)
 * and each member's current scores. Only identities moved since the last publication are copied
 * (resolution stamps each move with its number, identities.member_seq).
 */
import type { Clock } from '../core/clock.js';
import { int as dint, str, type Db } from '../core/db/index.js';
import { listHandoffs, recordHandoff, type OpStore } from '../ops/index.js';

const NAME = 'identities -> operational';
const CHUNK = 500;

/** Publishes identities moved since the last run; returns how many rows were written. */
export async function publishIdentities(db: Db, ops: OpStore, clock: Clock): Promise<{ identities: number; through_seq: number }> {
  const last = (await listHandoffs(ops)).find((h) => h.name === NAME);
  const detail = last?.detail;
  const since = typeof detail === 'object' && detail !== null && 'through_seq' in detail && typeof detail.through_seq === 'number' ? detail.through_seq : -1;
  const top = dint(await db.one('SELECT coalesce(max(member_seq), 0) AS s FROM identities'), 's');
  const rows = await db.all('SELECT kind, scope, value, member_id FROM identities WHERE member_seq > $1 AND member_seq <= $2 ORDER BY kind, scope, value', [since, top]);
  // One transaction per chunk, so tills writing the same store wait for a chunk, never for the
  // whole map; the run is recorded last, so a run cut short is done again from the same point
  // (the writes are upserts and deletes by key: doing one twice changes nothing).
  for (let i = 0; i < rows.length; i += CHUNK) {
    const part = rows.slice(i, i + CHUNK);
    const live = part.filter((r) => str(r, 'member_id') !== null);
    const gone = part.filter((r) => str(r, 'member_id') === null);
    await ops.transaction(async (tx) => {
      if (live.length > 0) {
        await tx.run(
          `INSERT INTO published_identities (kind, scope, value, member_id) VALUES ${live.map(() => '(?, ?, ?, ?)').join(', ')}
           ON CONFLICT (kind, scope, value) DO UPDATE SET member_id = excluded.member_id`,
          live.flatMap((r) => [str(r, 'kind') ?? '', str(r, 'scope') ?? '', str(r, 'value') ?? '', str(r, 'member_id') ?? '']),
        );
      }
      for (const r of gone) await tx.run('DELETE FROM published_identities WHERE kind = ? AND scope = ? AND value = ?', [str(r, 'kind') ?? '', str(r, 'scope') ?? '', str(r, 'value') ?? '']);
    });
  }
  await ops.transaction(async (tx) => recordHandoff(tx, NAME, clock.now(), 'ok', { through_seq: top, identities: rows.length }));
  return { identities: rows.length, through_seq: top };
}

/** The member an identifier belongs to, from the operational store alone (null when unknown). */
export async function publishedMember(ops: OpStore, kind: string, scope: string, value: string): Promise<string | null> {
  const r = await ops.one('SELECT member_id FROM published_identities WHERE kind = ? AND scope = ? AND value = ?', [kind, scope, value]);
  const m = r?.['member_id'];
  return typeof m === 'string' ? m : null;
}
