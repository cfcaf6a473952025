/**
 * The contract every channel adapter keeps, as node:test tests registered per adapter. A
 * harness wraps a real local receiver (an SMTP server, an HTTP server, a file).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChannelAdapter, OutboundMessage } from './types.js';

export interface Received {
  readonly key: string;
  readonly to: string;
  readonly text: string;
}

export interface Harness {
  /** A new adapter instance (a second call is what a restarted process would build). */
  make(): ChannelAdapter;
  /** Everything the receiver accepted, in order. */
  received(): Promise<Received[]>;
  /** Makes the receiver refuse permanently (absent for receivers that cannot refuse). */
  refuse?(on: boolean): void;
  /** Makes the receiver fail transiently for the next n deliveries. */
  stumble?(n: number): void;
  close(): Promise<void>;
}

/** A message to member `id` with the given template text. */
export function sample(id: string, text = 'Hello {{name}}, {{offer|10% off}}'): OutboundMessage {
  return {
    idempotencyKey: `C1:1:w1:${id}`,
    campaignId: 'C1',
    waveId: 'w1',
    recipient: { memberId: id, email: `${id}@example.com`, phone: '13800000001', name: `Name ${id}` },
    template: { subject: 'Sale for {{name}}', text },
    variables: { name: `Name ${id}` },
    scheduledFor: '2026-11-06 10:00:00',
  };
}

/** Registers the shared contract tests for one adapter. */
export function channelContract(name: string, setup: () => Promise<Harness>): void {
  const run = (title: string, fn: (h: Harness) => Promise<void>): void => {
    test(`${name} contract: ${title}`, async () => {
      const h = await setup();
      try {
        await fn(h);
      } finally {
        await h.close();
      }
    });
  };

  run('a message arrives once, rendered, with its idempotency key visible to the receiver', async (h) => {
    const a = h.make();
    assert.equal((await a.send(sample('m1'))).status, 'sent');
    assert.equal((await a.send(sample('m2'))).status, 'sent');
    await a.close();
    const got = await h.received();
    assert.deepEqual(
      got.map((g) => g.key),
      ['C1:1:w1:m1', 'C1:1:w1:m2'],
    );
    assert.match(got[0]?.text ?? '', /Hello Name m1, 10% off/);
  });

  run('a resend by a restarted process carries the same key, so the receiver can drop it', async (h) => {
    const a = h.make();
    assert.equal((await a.send(sample('m1'))).status, 'sent');
    await a.close();
    const b = h.make();
    assert.equal((await b.send(sample('m1'))).status, 'sent');
    await b.close();
    const keys = (await h.received()).map((g) => g.key);
    assert.ok(keys.length >= 1 && keys.every((k) => k === 'C1:1:w1:m1'), JSON.stringify(keys));
    assert.equal(new Set(keys).size, 1);
  });

  run('a missing template variable fails the message and sends nothing', async (h) => {
    const a = h.make();
    const r = await a.send(sample('m1', 'Hi {{nickname}}'));
    await a.close();
    assert.equal(r.status, 'failed');
    assert.match(r.status === 'failed' ? r.error : '', /nickname/);
    assert.equal((await h.received()).length, 0);
  });

  run('a permanent refusal is failed; a transient one is retried (now or by the scheduler later)', async (h) => {
    if (h.refuse === undefined || h.stumble === undefined) {
      // A file cannot refuse; the CSV list's failure modes are covered by its own tests.
      assert.equal(h.make().kind, 'csv');
      return;
    }
    const a = h.make();
    h.refuse(true);
    assert.equal((await a.send(sample('m1'))).status, 'failed');
    h.refuse(false);
    h.stumble(1);
    const r = await a.send(sample('m2'));
    assert.ok(r.status === 'retry' || r.status === 'sent', JSON.stringify(r));
    const again = r.status === 'retry' ? await a.send(sample('m2')) : r;
    assert.equal(again.status, 'sent');
    await a.close();
    assert.deepEqual(
      (await h.received()).map((g) => g.key),
      ['C1:1:w1:m2'],
    );
  });
}
