import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { countOf, ROOT, sandbox } from '../testing/index.js';
import { setSetting } from '../core/settings/index.js';
import { openRegulars } from '../open.js';
import { createCampaign, launchCampaign, runDue, validateCampaign, evaluateCampaignRuns, getCampaign, type ChannelResolver } from './index.js';
import { importEvents, loadMembers, memberKeys, memberOf, movableClock, recordingAdapter, SALE } from './testkit.js';

test('campaign validation names every problem with its path', () => {
  const v = validateCampaign({
    name: '',
    goal: 'likes',
    audience: { rule: { kind: 'lifecycle', stages: [] } },
    starts_at: '11/11',
    control: { percent: 0 },
    cost: { per_message: { sms: 0.05 } },
    waves: [
      { id: 'a', channel: 'sms', at: '-1x', template: { text: 'x' } },
      { id: 'b', channel: 'sms', at: '-1d', when: { opened: 'c' }, template: { text: '' } },
    ],
  });
  assert.equal(v.ok, false);
  const paths = v.ok ? [] : v.errors.map((e) => e.path);
  assert.deepEqual(
    paths.sort(),
    ['$.audience.rule.stages', '$.control.percent', '$.cost.per_message.sms', '$.goal', '$.name', '$.starts_at', '$.waves[0].at', '$.waves[1].template.text', '$.waves[1].when.opened'].sort(),
  );
  const example = validateCampaign(JSON.parse(readFileSync(join(ROOT, 'docs', 'examples', 'campaign-sale.json'), 'utf8')));
  assert.ok(example.ok, 'the documented example campaign is valid');
  const ok = validateCampaign(SALE);
  assert.equal(ok.ok, true, JSON.stringify(ok));
  if (ok.ok) {
    assert.deepEqual(ok.campaign.control, { percent: 20, stratify_by_lifecycle: false });
    assert.deepEqual(ok.campaign.waves[1]?.when, { not: { opened: 'edm' } });
  }
});

test('control assignment is a stable md5 bucket, replayable in another database, and stratified shares are exact per stage', async () => {
  const a = await sandbox();
  const b = await sandbox();
  try {
    for (const s of [a, b]) await loadMembers(s, 40);
    const ca = await createCampaign(a.ops, movableClock('2026-11-01 10:00'), SALE);
    const runA = await launchCampaign(a.db, a.ops, movableClock('2026-11-01 10:00'), ca.campaign_id);
    // The same campaign ID in another database gives the same groups (the ID is part of the hash).
    const cb = await createCampaign(b.ops, movableClock('2026-11-02 09:00'), (await getCampaign(a.ops, ca.campaign_id)).definition);
    assert.equal(cb.campaign_id, ca.campaign_id);
    await launchCampaign(b.db, b.ops, movableClock('2026-11-02 10:00'), ca.campaign_id);
    const q = 'SELECT member_id, grp, bucket FROM campaign_members ORDER BY member_id';
    const ga = await a.db.all(q);
    assert.deepEqual(await b.db.all(q), ga);
    assert.equal(ga.length, 40);
    assert.equal(runA.audience, 40);
    // Recompute every bucket independently: first 8 hex digits of md5(member:campaign) mod 10000.
    for (const r of ga) {
      const h = createHash('md5')
        .update(`${String(r['member_id'])}:${ca.campaign_id}`)
        .digest('hex');
      const bucket = Number.parseInt(h.slice(0, 8), 16) % 10000;
      assert.equal(r['bucket'], bucket);
      assert.equal(r['grp'], bucket < 2000 ? 'control' : 'treatment');
    }
    assert.equal(runA.control, ga.filter((r) => r['grp'] === 'control').length);
    // Launching again changes nothing.
    const again = await launchCampaign(a.db, a.ops, movableClock('2026-11-03 10:00'), ca.campaign_id);
    assert.deepEqual(again, runA);
    assert.equal(await countOf(a.db, 'SELECT * FROM campaign_members'), 40);

    // Stratified: 25 members in one stage and 15 in another; 20% control in each, exactly.
    const ids = (await a.db.all('SELECT member_id FROM members ORDER BY member_id')).map((r) => String(r['member_id']));
    await a.db.run(`INSERT INTO member_lifecycle SELECT DATE '2026-10-31', member_id, CASE WHEN rn <= 25 THEN 'Regular' ELSE 'Lapsed' END
      FROM (SELECT member_id, row_number() OVER (ORDER BY member_id) AS rn FROM members)`);
    const st = await createCampaign(a.ops, movableClock('2026-11-01 11:00'), { ...SALE, name: 'Stratified', control: { percent: 10, stratify_by_lifecycle: true } });
    await launchCampaign(a.db, a.ops, movableClock('2026-11-01 11:00'), st.campaign_id);
    const shares = await a.db.all("SELECT stratum, count(*) FILTER (WHERE grp = 'control') AS c, count(*) AS n FROM campaign_members WHERE campaign_id = $1 GROUP BY 1 ORDER BY 1", [st.campaign_id]);
    // round(25 x 10%) = 3 (2.5 rounds half up), round(15 x 10%) = 2 (1.5 rounds up).
    assert.deepEqual(
      shares.map((r) => [r['stratum'], Number(r['c']), Number(r['n'])]),
      [
        ['Lapsed', 2, 15],
        ['Regular', 3, 25],
      ],
    );
    assert.equal(ids.length, 40);
  } finally {
    a.close();
    b.close();
  }
});

test('the sale example: EDM T-5d, SMS T-1d to non-openers, SMS T-1h; restart and crash in the middle; control never contacted', async () => {
  const s = await sandbox();
  const clk = movableClock('2026-11-05 09:00');
  const first = s.db;
  let db = s.db;
  try {
    await loadMembers(s, 30);
    await setSetting(db, clk, 'campaigns.pressure_cap_messages', 5);
    const c = await createCampaign(s.ops, clk, SALE);
    const run = await launchCampaign(db, s.ops, clk, c.campaign_id);
    assert.equal(run.audience, 30);
    const treated: string[] = (await db.all("SELECT member_id FROM campaign_members WHERE grp = 'treatment' ORDER BY member_id")).map((r) => String(r['member_id']));
    const control = (await db.all("SELECT member_id FROM campaign_members WHERE grp = 'control' ORDER BY member_id")).map((r) => String(r['member_id']));
    assert.ok(control.length > 0 && treated.length > 0);
    // Control members never get a send row at all.
    assert.equal(await countOf(db, "SELECT * FROM campaign_sends s JOIN campaign_members m USING (campaign_id, run_id, member_id) WHERE m.grp = 'control'"), 0);

    const edm = recordingAdapter('email');
    const sms = recordingAdapter('sms');
    const resolve: ChannelResolver = (name) => Promise.resolve(name === 'edm' ? edm : sms);

    // Before T-5d nothing is due.
    let r = await runDue(db, s.ops, clk, resolve);
    assert.equal(r.sent, 0);
    clk.set('2026-11-06 10:00');
    r = await runDue(db, s.ops, clk, resolve);
    assert.equal(r.sent, treated.length);
    assert.deepEqual(edm.messages.map((m) => m.recipient.memberId).sort(), treated);
    assert.match(edm.messages[0]?.idempotencyKey ?? '', new RegExp(`^${c.campaign_id}:1:edm:`));

    // Openers come back through ingestion: the first three treated members opened or clicked.
    const openers = treated.slice(0, 3);
    const emails = await Promise.all(openers.map(async (m) => String((await db.one("SELECT value FROM identities WHERE member_id = $1 AND kind = 'email'", [m]))?.['value'])));
    await importEvents(
      s,
      'opens.ndjson',
      emails.map((e, i) => ({
        event_id: `open-${i}`,
        type: i === 2 ? 'message_clicked' : 'message_opened',
        at: '2026-11-07 12:00:00',
        buyer_email: e,
        campaign_id: c.campaign_id,
        properties: JSON.stringify({ wave_id: 'edm' }),
      })),
    );
    // An open of another wave's message does not count for this condition.
    const other = String((await db.one("SELECT value FROM identities WHERE member_id = $1 AND kind = 'email'", [treated[5] ?? '']))?.['value']);
    await importEvents(s, 'opens2.ndjson', [
      { event_id: 'open-x', type: 'message_opened', at: '2026-11-07 12:00:00', buyer_email: other, campaign_id: c.campaign_id, properties: JSON.stringify({ wave_id: 'sms2' }) },
    ]);

    // Restart: close the database and open it again, as a new process would.
    db.close();
    db = await openRegulars(`${s.dir}/test.duckdb`);

    clk.set('2026-11-10 10:00');
    r = await runDue(db, s.ops, clk, resolve);
    assert.deepEqual(
      r.planned.map((p) => [p.wave_id, p.sends]),
      [['sms1', treated.length - 3]],
    );
    assert.equal(r.sent, treated.length - 3);
    assert.deepEqual(
      sms.messages.map((m) => m.recipient.memberId).sort(),
      treated.filter((m) => !openers.includes(m)),
    );

    // T-1h: the process dies after 4 of the SMS went out; the rest stay 'sending'/'planned'.
    clk.set('2026-11-11 09:00');
    const crashing = recordingAdapter('sms', { crashAfter: 4 });
    await assert.rejects(
      runDue(db, s.ops, clk, (name) => Promise.resolve(name === 'edm' ? edm : crashing)),
      /simulated crash/,
    );
    assert.equal(await countOf(db, "SELECT * FROM campaign_sends WHERE wave_id = 'sms2' AND state = 'sent'"), 4);
    const stuck = await countOf(db, "SELECT * FROM campaign_sends WHERE wave_id = 'sms2' AND state = 'sending'");
    assert.ok(stuck > 0, 'the batch handed to the adapter is left sending');

    db.close();
    db = await openRegulars(`${s.dir}/test.duckdb`);
    clk.set('2026-11-11 09:05');
    const after = recordingAdapter('sms');
    r = await runDue(db, s.ops, clk, (name) => Promise.resolve(name === 'edm' ? edm : after));
    assert.equal(r.sent, treated.length - 4);
    // Nothing skipped: every treated member got sms2 from one of the two processes...
    const sms2 = [...crashing.messages, ...after.messages];
    assert.deepEqual(sms2.map((m) => m.recipient.memberId).sort(), treated);
    // ...and nothing twice: every key once (the crashed batch's keys were resent unchanged,
    // but the adapter that died never acknowledged them).
    assert.equal(new Set(sms2.map((m) => m.idempotencyKey)).size, treated.length);
    assert.equal(await countOf(db, "SELECT * FROM campaign_sends WHERE state <> 'sent'"), 0);

    // A further run sends nothing.
    r = await runDue(db, s.ops, clk, resolve);
    assert.equal(r.sent, 0);
    const all = [...edm.messages, ...sms.messages, ...sms2];
    assert.equal(all.filter((m) => control.includes(m.recipient.memberId)).length, 0, 'control members never contacted');
    const ev = await evaluateCampaignRuns(db, s.ops, c.campaign_id);
    assert.equal(ev.runs[0]?.control_contacted, 0);
    assert.deepEqual(
      ev.funnel.map((w) => [w.wave_id, w.states['sent'] ?? 0, w.opened]),
      [
        ['edm', treated.length, 3],
        ['sms1', treated.length - 3, 0],
        ['sms2', treated.length, 1],
      ],
    );
    // Cost: 10.00 fixed + edm n x 0.01 + sms (2n - 3) x 0.05.
    const n = treated.length;
    const cents = 1000 + n + (2 * n - 3) * 5;
    assert.equal(ev.runs[0]?.cost.total, `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}00`);
  } finally {
    if (db === first) s.close();
    else {
      db.close();
      rmSync(s.dir, { recursive: true, force: true });
    }
  }
});

test('guards: consent withdrawn, unsubscribed, contact pressure across campaigns, quiet hours, best send hour', async () => {
  const s = await sandbox();
  const clk = movableClock('2026-03-01 08:00');
  try {
    await loadMembers(s, 12);
    const db = s.db;
    const m1 = await memberOf(s, 'c01');
    const m2 = await memberOf(s, 'c02');
    const m3 = await memberOf(s, 'c03');
    // c01 withdraws SMS consent; c02 unsubscribes from SMS (an event after the consent).
    await s.import(s.write('withdraw.csv', 'channel,external_id,contact_channel,status,at\nshop,c01,sms,withdrawn,2026-02-01 00:00:00\n'), { entity: 'consents' });
    await importEvents(s, 'unsub.ndjson', [{ event_id: 'u1', type: 'unsubscribed', at: '2026-02-15 00:00:00', buyer_phone: '13800000002', properties: '{"channel":"sms"}' }]);
    // c03 prefers 20:00 (a best-send-hour tag); quiet hours start at 21:00.
    await db.run("INSERT INTO member_tags VALUES (DATE '2026-02-28', $1, 'best_send_hour', '20', '5 of 8')", [m3]);
    await db.run("INSERT INTO member_tags VALUES (DATE '2026-02-28', $1, 'best_send_hour', '22', '4 of 6')", [m2]);

    const base = { goal: 'purchases', audience: { rule: { kind: 'consent', channel: 'email', status: 'granted' } }, control: { percent: 1 }, attribution_days: 7 };
    const sms = recordingAdapter('sms');
    const resolve: ChannelResolver = () => Promise.resolve(sms);
    // Campaign A: one SMS at 10:00 on 03-02. Campaign B: SMS at 23:00 on 03-02 (quiet) and at the best hour on 03-03.
    const a = await createCampaign(s.ops, clk, { ...base, name: 'A', starts_at: '2026-03-02 10:00', waves: [{ id: 'w', channel: 'sms', at: '0', template: { text: 'A' } }] });
    const b = await createCampaign(s.ops, clk, {
      ...base,
      name: 'B',
      starts_at: '2026-03-02 23:00',
      waves: [
        { id: 'late', channel: 'sms', at: '0', template: { text: 'B1' } },
        { id: 'best', channel: 'sms', at: '+1d', best_hour: true, template: { text: 'B2' } },
      ],
    });
    await launchCampaign(db, s.ops, clk, a.campaign_id);
    await launchCampaign(db, s.ops, clk, b.campaign_id);
    const due = async (id: string, wave: string, member: string): Promise<string> =>
      String((await db.one('SELECT due_at::VARCHAR AS d FROM campaign_sends WHERE campaign_id = $1 AND wave_id = $2 AND member_id = $3', [id, wave, member]))?.['d']);
    // 23:00 is in quiet hours: moved to 09:00 the next morning, with the reason recorded.
    assert.equal(await due(b.campaign_id, 'late', m1), '2026-03-03 09:00:00');
    assert.equal(
      String((await db.one('SELECT reason FROM campaign_sends WHERE campaign_id = $1 AND wave_id = $2 AND member_id = $3', [b.campaign_id, 'late', m1]))?.['reason']),
      'deferred: quiet hours',
    );
    // Best hour: c03 at 20:00 on 03-03; c02's 22:00 is quiet, so 09:00 on 03-04; no tag: the wave's own hour (23:00, quiet: 09:00 next day).
    assert.equal(await due(b.campaign_id, 'best', m3), '2026-03-03 20:00:00');
    assert.equal(await due(b.campaign_id, 'best', m2), '2026-03-04 09:00:00');

    // Pressure cap: 1 message per 7 days, across campaigns.
    await setSetting(db, clk, 'campaigns.pressure_cap_messages', 1);
    clk.set('2026-03-02 10:00');
    let r = await runDue(db, s.ops, clk, resolve);
    const treatedA = await countOf(db, "SELECT * FROM campaign_members WHERE campaign_id = $1 AND grp = 'treatment'", [a.campaign_id]);
    const inA = async (m: string): Promise<boolean> => (await countOf(db, "SELECT * FROM campaign_members WHERE campaign_id = $1 AND member_id = $2 AND grp = 'treatment'", [a.campaign_id, m])) === 1;
    const blockedA = ((await inA(m1)) ? 1 : 0) + ((await inA(m2)) ? 1 : 0);
    assert.equal(r.sent, treatedA - blockedA);
    clk.set('2026-03-02 22:00');
    r = await runDue(db, s.ops, clk, resolve);
    assert.equal(r.quiet, true);
    assert.equal(r.sent, 0, 'nothing goes out in quiet hours');
    clk.set('2026-03-03 09:00');
    r = await runDue(db, s.ops, clk, resolve);
    // Only B's treated members whom A did not reach (A's control) may get B's message.
    const notReachedByA = await countOf(
      db,
      `SELECT * FROM campaign_members b WHERE b.campaign_id = $1 AND b.grp = 'treatment' AND b.member_id NOT IN ($2, $3)
      AND b.member_id NOT IN (SELECT member_id FROM campaign_sends WHERE campaign_id = $4 AND state = 'sent')`,
      [b.campaign_id, m1, m2, a.campaign_id],
    );
    assert.equal(r.sent, notReachedByA, 'everyone reached by A already had their one message this week');
    const reasons = await db.all("SELECT member_id, reason FROM campaign_sends WHERE campaign_id = $1 AND wave_id = 'late' AND state = 'suppressed' ORDER BY member_id", [b.campaign_id]);
    const reasonOf = (m: string): unknown => reasons.find((x) => x['member_id'] === m)?.['reason'];
    if (await inA(m1)) assert.equal(reasonOf(m1), 'no consent');
    if (await inA(m2)) assert.equal(reasonOf(m2), 'unsubscribed');
    assert.ok(reasons.some((x) => x['reason'] === 'contact pressure'));
    // Every due send was decided: none left planned for 'late'.
    assert.equal(await countOf(db, "SELECT * FROM campaign_sends WHERE campaign_id = $1 AND wave_id = 'late' AND state = 'planned'", [b.campaign_id]), 0);
    assert.equal(sms.messages.filter((m) => m.recipient.memberId === m1 || m.recipient.memberId === m2).length, 0, 'withdrawn and unsubscribed members get no SMS');
    assert.equal(memberKeys(12).length, 12);

    // A gateway asking for a long wait (Retry-After 2 hours) is not retried before then.
    await setSetting(db, clk, 'campaigns.pressure_cap_messages', 5);
    const slow = recordingAdapter('sms', { answer: () => ({ status: 'retry', error: 'HTTP 429', retryAfterMs: 2 * 3600 * 1000 }) });
    clk.set('2026-03-03 20:00');
    r = await runDue(db, s.ops, clk, () => Promise.resolve(slow));
    const next = await db.one("SELECT next_attempt_at::VARCHAR AS t, state FROM campaign_sends WHERE campaign_id = $1 AND wave_id = 'best' AND member_id = $2", [b.campaign_id, m3]);
    assert.deepEqual(next, { t: '2026-03-03 22:00:00', state: 'retry' });
  } finally {
    s.close();
  }
});
