import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { sandbox } from '../testing/index.js';
import { setSetting } from '../core/settings/index.js';
import { openRegulars } from '../open.js';
import { smtpReceiver, webhookReceiver } from '../channels/receivers.js';
import { createCampaign, evaluateCampaignRuns, launchCampaign, runDue, setMessageChannel, storedChannels, type ChannelResolver } from './index.js';
import { importEvents, loadMembers, movableClock, SALE } from './testkit.js';

const SECRET = 'gateway-secret-0123456789';

test('end to end: the sale campaign over a real SMTP server and a signed SMS webhook, with restarts, a gateway outage and a crash mid-wave', async () => {
  const smtp = await smtpReceiver();
  const gateway = await webhookReceiver(SECRET);
  const s = await sandbox();
  const first = s.db;
  let db = s.db;
  const clk = movableClock('2026-11-01 10:00');
  try {
    await loadMembers(s, 40);
    await setSetting(db, clk, 'campaigns.pressure_cap_messages', 3);
    await setMessageChannel(s.ops, clk, 'edm', { kind: 'email', host: '127.0.0.1', port: smtp.port, from: '"Shop" <news@shop.example>' });
    await setMessageChannel(s.ops, clk, 'sms', { kind: 'webhook', url: `http://127.0.0.1:${gateway.port}/sms`, secret: SECRET, consent_channel: 'sms', retries: 0 });
    const c = await createCampaign(s.ops, clk, SALE);
    const run = await launchCampaign(db, s.ops, clk, c.campaign_id);
    const groups = await db.all('SELECT member_id, grp FROM campaign_members ORDER BY member_id');
    const treated = groups.filter((g) => g['grp'] === 'treatment').map((g) => String(g['member_id']));
    const control = groups.filter((g) => g['grp'] === 'control').map((g) => String(g['member_id']));
    assert.equal(treated.length + control.length, run.audience);
    const contacts = async (kind: 'email' | 'phone', ids: string[]): Promise<string[]> =>
      (await db.all(`SELECT value FROM identities WHERE kind = $1 AND member_id IN (SELECT unnest(from_json($2, '["VARCHAR"]'))) ORDER BY value`, [kind, JSON.stringify(ids)])).map((r) =>
        String(r['value']),
      );

    // T-5d: the email wave over SMTP.
    clk.set('2026-11-06 10:00');
    let r = await runDue(db, s.ops, clk, storedChannels(s.ops));
    assert.equal(r.sent, treated.length);
    assert.deepEqual(smtp.deliveries.map((d) => d.to).sort(), await contacts('email', treated));
    assert.match(smtp.deliveries[0]?.headers['subject'] ?? '', /^Sale in 5 days, Member c\d\d$/);

    // Opens come back through ingestion, as the email service reports them.
    const openers = treated.slice(0, 5);
    const openerEmails = await contacts('email', openers);
    await importEvents(
      s,
      'opens.ndjson',
      openerEmails.map((e, i) => ({
        event_id: `o${i}`,
        type: 'message_opened',
        at: '2026-11-07 08:00:00',
        buyer_email: e,
        campaign_id: c.campaign_id,
        properties: JSON.stringify({ wave_id: 'edm' }),
      })),
    );

    // The process stops and starts again before T-1d.
    db.close();
    db = await openRegulars(`${s.dir}/test.duckdb`);

    // T-1d: SMS to those who did not open; the gateway is down for the first 3 requests.
    clk.set('2026-11-10 10:00');
    gateway.stumble(3);
    r = await runDue(db, s.ops, clk, storedChannels(s.ops));
    assert.equal(r.retry, 3, 'the three refused messages wait for a retry');
    assert.equal(r.sent, treated.length - openers.length - 3);
    clk.set('2026-11-10 10:05');
    r = await runDue(db, s.ops, clk, storedChannels(s.ops));
    assert.equal(r.sent, 3, 'retried after the backoff with the same keys');
    const sms1 = gateway.deliveries.filter((d) => d.key.includes(':sms1:'));
    assert.deepEqual(
      sms1.map((d) => d.to).sort(),
      await contacts(
        'phone',
        treated.filter((m) => !openers.includes(m)),
      ),
    );

    // T-1h: the process dies right after the gateway accepted the 6th SMS, before recording it.
    clk.set('2026-11-11 09:00');
    const real = storedChannels(s.ops);
    let accepted = 0;
    const dying: ChannelResolver = async (name) => {
      const a = await real(name);
      return {
        ...a,
        send: async (m) => {
          const result = await a.send(m);
          if (++accepted === 6) throw new Error('process killed');
          return result;
        },
      };
    };
    await assert.rejects(runDue(db, s.ops, clk, dying), /process killed/);
    db.close();
    db = await openRegulars(`${s.dir}/test.duckdb`);
    r = await runDue(db, s.ops, clk, storedChannels(s.ops));
    assert.equal(r.sent, treated.length - 5, 'the rest of the wave, including the message in flight at the crash');
    assert.equal(gateway.duplicates, 1, 'the one message in flight was offered again under its key and dropped by the gateway');
    clk.set('2026-11-11 12:00');
    r = await runDue(db, s.ops, clk, storedChannels(s.ops));
    assert.equal(r.sent, 0, 'nothing left to send');

    // Nothing twice, nothing skipped, control never contacted.
    const keys = [...smtp.deliveries, ...gateway.deliveries].map((d) => d.key);
    assert.equal(new Set(keys).size, keys.length, 'every idempotency key delivered once');
    assert.equal(keys.length, treated.length * 2 + (treated.length - openers.length));
    const reached = new Set([...smtp.deliveries.map((d) => d.to), ...gateway.deliveries.map((d) => d.to)]);
    for (const addr of [...(await contacts('email', control)), ...(await contacts('phone', control))]) assert.equal(reached.has(addr), false, `control ${addr} contacted`);
    assert.equal(gateway.rejectedSignatures, 0);
    const ev = await evaluateCampaignRuns(db, s.ops, c.campaign_id);
    assert.equal(ev.runs[0]?.control_contacted, 0);
    assert.deepEqual(
      ev.funnel.map((w) => [w.wave_id, w.states['sent'], w.opened]),
      [
        ['edm', treated.length, openers.length],
        ['sms1', treated.length - openers.length, 0],
        ['sms2', treated.length, 0],
      ],
    );
  } finally {
    await smtp.close();
    await gateway.close();
    if (db === first) s.close();
    else {
      db.close();
      rmSync(s.dir, { recursive: true, force: true });
    }
  }
});
