import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sandbox } from '../testing/index.js';

// Delivery events come back as ordinary `events` records (docs/channels.md): a gateway names the
// member by the address it sent to, and carries the wave and idempotency key in `properties`
// (JSON text, as POST /api/ingest/events takes it: record values there are never objects).
test('delivery events import through ingestion and are found by campaign, wave, key and member', async () => {
  const s = await sandbox();
  try {
    await s.import(s.write('members.csv', ['channel,external_id,phone,email,name', 'shop,c1,13800000001,lin@example.com,Lin', 'shop,c2,13800000002,zhao@example.com,Zhao'].join('\n')));
    const ev = (o: Record<string, unknown>): string => JSON.stringify(o);
    const lines = [
      ev({
        channel: 'sms',
        event_id: 'C1:1:W1:m-1:delivered',
        type: 'message_delivered',
        at: '2026-01-05 10:00:05',
        buyer_phone: '+8613800000001',
        campaign_id: 'C1',
        properties: JSON.stringify({ wave_id: 'W1', idempotency_key: 'C1:1:W1:m-1' }),
      }),
      ev({
        channel: 'sms',
        event_id: 'C1:1:W1:m-1:clicked',
        type: 'message_clicked',
        at: '2026-01-05 10:03:00',
        buyer_phone: '+8613800000001',
        campaign_id: 'C1',
        properties: JSON.stringify({ wave_id: 'W1', idempotency_key: 'C1:1:W1:m-1', url: 'https://shop.example/sale' }),
      }),
      ev({
        channel: 'email',
        event_id: 'C1:1:W2:m-2:delivered',
        type: 'message_delivered',
        at: '2026-01-06 09:00:00',
        buyer_email: 'Zhao@Example.com',
        campaign_id: 'C1',
        properties: JSON.stringify({ wave_id: 'W2', idempotency_key: 'C1:1:W2:m-2' }),
      }),
      ev({
        channel: 'email',
        event_id: 'C1:1:W2:m-2:opened',
        type: 'message_opened',
        at: '2026-01-06 11:30:00',
        buyer_email: 'zhao@example.com',
        campaign_id: 'C1',
        properties: JSON.stringify({ wave_id: 'W2', idempotency_key: 'C1:1:W2:m-2' }),
      }),
      ev({
        channel: 'email',
        event_id: 'C1:1:W2:m-2:unsubscribed',
        type: 'unsubscribed',
        at: '2026-01-06 11:31:00',
        buyer_email: 'zhao@example.com',
        campaign_id: 'C1',
        properties: JSON.stringify({ wave_id: 'W2', idempotency_key: 'C1:1:W2:m-2' }),
      }),
      ev({
        channel: 'sms',
        event_id: 'C9:1:W1:m-1:delivered',
        type: 'message_delivered',
        at: '2026-01-07 10:00:00',
        buyer_phone: '13800000001',
        campaign_id: 'C9',
        properties: JSON.stringify({ wave_id: 'W1', idempotency_key: 'C9:1:W1:m-1' }),
      }),
    ];
    const file = s.write('delivery.ndjson', `${lines.join('\n')}\n`);
    const report = await s.import(file, { entity: 'events' });
    assert.equal(report.loaded, 6, JSON.stringify(report));
    assert.equal(report.rejected, 0);

    // A gateway posting the same batch again (a retry) adds nothing: (channel, event_id) is the key.
    const again = await s.import(file, { entity: 'events' });
    assert.equal(again.loaded, 0);
    assert.equal(again.duplicate, 6);

    const rows = await s.db.all(
      `SELECT e.type, e.campaign_id, json_extract_string(e.properties, '$.wave_id') AS wave_id,
              json_extract_string(e.properties, '$.idempotency_key') AS idempotency_key, i.member_id,
              (SELECT member_id FROM identities WHERE value = $2) AS lin, (SELECT member_id FROM identities WHERE value = $3) AS zhao
       FROM events e JOIN identities i ON i.identity_id = e.actor_id
       WHERE e.campaign_id = $1 ORDER BY e.occurred_at`,
      ['C1', 'c1', 'c2'],
    );
    const who = (r: Record<string, unknown>): string => (r['member_id'] === r['lin'] ? 'Lin' : r['member_id'] === r['zhao'] ? 'Zhao' : `unknown ${String(r['member_id'])}`);
    assert.deepEqual(
      rows.map((r) => [r['type'], r['campaign_id'], r['wave_id'], r['idempotency_key'], who(r)]),
      [
        ['message_delivered', 'C1', 'W1', 'C1:1:W1:m-1', 'Lin'],
        ['message_clicked', 'C1', 'W1', 'C1:1:W1:m-1', 'Lin'],
        ['message_delivered', 'C1', 'W2', 'C1:1:W2:m-2', 'Zhao'],
        ['message_opened', 'C1', 'W2', 'C1:1:W2:m-2', 'Zhao'],
        ['unsubscribed', 'C1', 'W2', 'C1:1:W2:m-2', 'Zhao'],
      ],
    );
  } finally {
    s.close();
  }
});
