/**
 * The scheduler stands apart from request handling: a campaign that cannot send fails alone, and
 * a slow gateway on the scheduler's own connection never holds the API's reads.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sandbox } from '../testing/index.js';
import { buildApp, createKey } from '../api/index.js';
import { CampaignError, createCampaign, getCampaign, launchCampaign, runDue, type ChannelResolver } from './index.js';
import { loadMembers, movableClock, recordingAdapter, SALE } from './testkit.js';
import type { ChannelAdapter, OutboundMessage } from '../channels/index.js';

const ONE_WAVE = (name: string, channel: string) => ({ ...SALE, name, waves: [{ id: 'edm', channel, at: '-5d', template: { subject: 'Hi {{name}}', text: 'Hello' } }] });

test('a campaign whose channel is missing is marked failed with the reason; the other campaign still sends', async () => {
  const s = await sandbox();
  try {
    await loadMembers(s, 30);
    const clk = movableClock('2026-11-01 10:00');
    const broken = await createCampaign(s.ops, clk, ONE_WAVE('Broken', 'nowhere'));
    const fine = await createCampaign(s.ops, movableClock('2026-11-01 10:01'), ONE_WAVE('Fine', 'edm'));
    await launchCampaign(s.db, s.ops, clk, broken.campaign_id);
    await launchCampaign(s.db, s.ops, clk, fine.campaign_id);
    const edm = recordingAdapter('email');
    const resolve: ChannelResolver = async (name) => {
      if (name === 'edm') return edm;
      throw new CampaignError(`no message channel ${name}: create it with regulars channels set ${name} --config ...`, [], 'not_found');
    };
    clk.set('2026-11-06 10:00');
    const r = await runDue(s.db, s.ops, clk, resolve);
    assert.deepEqual(
      r.failures.map((f) => f.campaign_id),
      [broken.campaign_id],
    );
    assert.match(r.failures[0]?.reason ?? '', /no message channel nowhere/);
    assert.ok(r.sent > 0 && r.sent === edm.messages.length, `the other campaign sent (${r.sent})`);
    assert.ok(edm.messages.every((m) => m.campaignId === fine.campaign_id));
    const stored = await getCampaign(s.ops, broken.campaign_id);
    assert.equal(stored.status, 'failed');
    assert.match(stored.failure ?? '', /wave edm: no message channel nowhere/);
    assert.equal((await getCampaign(s.ops, fine.campaign_id)).status, 'launched');
    // The failed campaign is not retried on every run; the healthy one has nothing left.
    const again = await runDue(s.db, s.ops, clk, resolve);
    assert.deepEqual(again.failures, []);
    assert.equal(again.sent, 0);
  } finally {
    s.close();
  }
});

test('a slow gateway (100 ms a message) on the scheduler connection: a member search completes while the wave is still sending', async () => {
  const s = await sandbox();
  const app = await buildApp({ ops: s.ops, db: s.db, clock: movableClock('2026-11-06 10:00'), rejectsDir: `${s.dir}/rejects` });
  const own = await s.db.connect();
  try {
    await loadMembers(s, 30);
    const clk = movableClock('2026-11-01 10:00');
    const c = await createCampaign(s.ops, clk, ONE_WAVE('Slow', 'edm'));
    await launchCampaign(s.db, s.ops, clk, c.campaign_id);
    const { key } = await createKey(s.ops, clk, 'operator', 'service desk');
    const events: string[] = [];
    const slow: ChannelAdapter = {
      kind: 'slow',
      consentChannel: 'email',
      send: async (m: OutboundMessage) => {
        events.push(`send ${m.recipient.memberId}`);
        await new Promise((r) => setTimeout(r, 100));
        return { status: 'sent', providerId: m.idempotencyKey };
      },
      close: async () => undefined,
    };
    clk.set('2026-11-06 10:00');
    let sending = true;
    const run = runDue(own, s.ops, clk, async () => slow).finally(() => {
      sending = false;
      events.push('wave done');
    });
    // Wait for the first message to be on its way, then search as a service agent would.
    while (!events.some((e) => e.startsWith('send '))) await new Promise((r) => setTimeout(r, 5));
    const search = await app.inject({ url: '/api/members?q=c07', headers: { authorization: `Bearer ${key}` } });
    assert.equal(search.statusCode, 200, search.body);
    events.push(`search done while sending: ${String(sending)}`);
    const report = await run;
    assert.ok(report.sent >= 20, `the wave went out (${report.sent})`);
    const searchAt = events.findIndex((e) => e.startsWith('search done'));
    const doneAt = events.indexOf('wave done');
    assert.equal(events[searchAt], 'search done while sending: true');
    assert.ok(searchAt < doneAt, `the search finished before the wave: ${events.slice(0, 3).join(', ')} ... ${events.slice(-3).join(', ')}`);
    const sendsBefore = events.slice(0, searchAt).filter((e) => e.startsWith('send ')).length;
    assert.ok(sendsBefore < report.sent, `only ${sendsBefore} of ${report.sent} messages had gone when the search answered`);
  } finally {
    own.close();
    await app.close();
    s.close();
  }
});
