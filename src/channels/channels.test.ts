import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCsv } from '../core/csv.js';
import { backoff, createChannel, csvChannel, emailChannel, messageId, renderTemplate, retryAfterMs, sign, validateChannelConfig, verifySignature, webhookChannel } from './index.js';
import { channelContract, sample } from './contract.js';
import { smtpReceiver, webhookReceiver } from './receivers.js';

const SECRET = 'test-secret-0123456789';
const noSleep = (): Promise<void> => Promise.resolve();

channelContract('csv', () => {
  const dir = mkdtempSync(join(tmpdir(), 'regulars-csv-'));
  const file = join(dir, 'list.csv');
  return Promise.resolve({
    make: () => csvChannel({ file, consentChannel: 'sms' }),
    received: () => {
      try {
        const [header = [], ...rows] = parseCsv(readFileSync(file, 'utf8').replace(/^\uFEFF/, ''));
        const col = (r: string[], n: string): string => r[header.indexOf(n)] ?? '';
        // Phones are written with the apostrophe that keeps spreadsheets from reading +86... as a formula.
        return Promise.resolve(rows.map((r) => ({ key: col(r, 'idempotency_key'), to: col(r, 'phone').replace(/^'/, ''), text: col(r, 'text') })));
      } catch {
        return Promise.resolve([]);
      }
    },
    close: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
  });
});

channelContract('webhook', async () => {
  const rx = await webhookReceiver(SECRET);
  return {
    make: () => webhookChannel({ url: `http://127.0.0.1:${rx.port}/send`, secret: SECRET, consentChannel: 'sms', retries: 0, sleep: noSleep }),
    received: () => Promise.resolve(rx.deliveries.map((d) => ({ key: d.key, to: d.to, text: d.text }))),
    refuse: rx.refuse,
    stumble: rx.stumble,
    close: rx.close,
  };
});

channelContract('email', async () => {
  const rx = await smtpReceiver();
  return {
    make: () => emailChannel({ host: '127.0.0.1', port: rx.port, from: '"Shop" <news@shop.example>' }),
    received: () => Promise.resolve(rx.deliveries.map((d) => ({ key: d.key, to: d.to, text: d.text }))),
    refuse: rx.refuse,
    stumble: rx.stumble,
    close: rx.close,
  };
});

test('templates: fallbacks, HTML escaping, and missing variables named', () => {
  const r = renderTemplate({ subject: 'Hi {{name}}', text: '{{name}}: {{offer|free gift}}', html: '<b>{{name}}</b>' }, { name: 'A & <B>' });
  assert.deepEqual(r, { ok: true, message: { subject: 'Hi A & <B>', text: 'A & <B>: free gift', html: '<b>A &amp; &lt;B&gt;</b>' } });
  assert.deepEqual(renderTemplate({ text: '{{a}} {{b}} {{a}}' }, { b: '' }), { ok: false, missing: ['a', 'b'] });
});

test('webhook: signatures verify, tampering and stale timestamps do not', async () => {
  const body = '{"x":1}';
  const h = sign(SECRET, '1700000000', body);
  assert.equal(verifySignature(SECRET, '1700000000', body, h, 300, 1700000100), true);
  assert.equal(verifySignature(SECRET, '1700000000', '{"x":2}', h, 300, 1700000100), false, 'tampered body');
  assert.equal(verifySignature(SECRET, '1700000000', body, h, 300, 1700000400), false, 'stale timestamp');
  assert.equal(verifySignature('other-secret-0000000', '1700000000', body, h, 300, 1700000100), false, 'wrong secret');
  // The receiver rejects a request signed with another secret.
  const rx = await webhookReceiver(SECRET);
  try {
    const bad = webhookChannel({ url: `http://127.0.0.1:${rx.port}/`, secret: 'not-the-secret-000', consentChannel: 'sms', retries: 0 });
    const r = await bad.send(sample('m1'));
    assert.equal(r.status, 'failed');
    assert.equal(rx.rejectedSignatures, 1);
  } finally {
    await rx.close();
  }
});

test('webhook: retries with doubling backoff and deterministic jitter, honours Retry-After, then hands back to the scheduler', async () => {
  // Jitter is a pure function of the key and attempt: up to +50%.
  for (const attempt of [1, 2, 3]) {
    const d = backoff(100, attempt, 'k');
    assert.ok(d >= 100 * 2 ** (attempt - 1) && d <= 150 * 2 ** (attempt - 1));
    assert.equal(d, backoff(100, attempt, 'k'));
  }
  const rx = await webhookReceiver(SECRET);
  try {
    const waits: number[] = [];
    const sleep = (ms: number): Promise<void> => {
      waits.push(ms);
      return Promise.resolve();
    };
    rx.stumble(2);
    const a = webhookChannel({ url: `http://127.0.0.1:${rx.port}/`, secret: SECRET, consentChannel: 'sms', retries: 3, backoffMs: 100, sleep });
    assert.deepEqual(await a.send(sample('m1')), { status: 'sent', providerId: 'gw-1' });
    assert.deepEqual(waits, [0, 0], 'Retry-After: 0 from the gateway wins over the backoff');
    rx.stumble(10);
    const r = await a.send(sample('m2'));
    assert.equal(r.status, 'retry');
    assert.equal(waits.length, 5);
    // A refused connection (nothing listening) is transient too, with the computed backoff.
    const dead = webhookChannel({ url: 'http://127.0.0.1:9/', secret: SECRET, consentChannel: 'sms', retries: 2, backoffMs: 100, sleep });
    waits.length = 0;
    assert.equal((await dead.send(sample('m3'))).status, 'retry');
    assert.deepEqual(waits, [backoff(100, 1, 'C1:1:w1:m3'), backoff(100, 2, 'C1:1:w1:m3')]);
  } finally {
    await rx.close();
  }
});

test('email: the Message-ID and header carry the idempotency key', async () => {
  const rx = await smtpReceiver();
  try {
    const a = emailChannel({ host: '127.0.0.1', port: rx.port, from: '"Shop" <news@shop.example>' });
    await a.send(sample('m1'));
    await a.close();
    const d = rx.deliveries[0];
    assert.equal(d?.headers['message-id'], messageId('C1:1:w1:m1', 'news@shop.example'));
    assert.equal(d?.headers['subject'], 'Sale for Name m1');
    assert.equal(d?.to, 'm1@example.com');
  } finally {
    await rx.close();
  }
});

test('channel configurations are validated with paths; createChannel builds each kind', () => {
  const bad = validateChannelConfig({ kind: 'webhook', url: 'ftp://x', secret: 'short', consent_channel: '' });
  assert.deepEqual(bad.ok ? [] : bad.errors.map((e) => e.path), ['$.url', '$.secret', '$.consent_channel']);
  assert.deepEqual(validateChannelConfig({ kind: 'pigeon' }), { ok: false, errors: [{ path: '$.kind', reason: 'must be csv, webhook or email' }] });
  const ok = validateChannelConfig({ kind: 'email', host: 'smtp.example', port: 587, from: 'a@b.c' });
  assert.ok(ok.ok);
  if (ok.ok) assert.equal(createChannel(ok.config).consentChannel, 'email');
});

/** An HTTP server answering each request from `answer`, recording method and path. */
async function scripted(answer: (path: string) => { status: number; headers?: Record<string, string> }): Promise<{ url: string; seen: string[]; close(): Promise<void> }> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      seen.push(`${req.method ?? ''} ${req.url ?? ''}`);
      const a = answer(req.url ?? '');
      res.writeHead(a.status, a.headers ?? {}).end(a.status === 200 ? '{"id":"gw-1"}' : 'no');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

test('webhook: a redirect is a failure, not a silent GET that reads as sent', async () => {
  const rx = await scripted((path) => (path === '/old' ? { status: 302, headers: { location: '/new' } } : { status: 200 }));
  try {
    const a = webhookChannel({ url: `${rx.url}/old`, secret: SECRET, consentChannel: 'sms', retries: 2, sleep: noSleep });
    const r = await a.send(sample('m1'));
    assert.equal(r.status, 'failed');
    assert.match(r.status === 'failed' ? r.error : '', /^HTTP 302.*redirects are not followed/);
    assert.deepEqual(rx.seen, ['POST /old']);
  } finally {
    await rx.close();
  }
});

test('webhook: a Retry-After beyond max_delay_ms hands the message back at once, with the wait asked for', async () => {
  const answers = [{ status: 429, headers: { 'retry-after': '2' } }, { status: 200 }, { status: 503, headers: { 'retry-after': '120' } }];
  const rx = await scripted(() => answers.shift() ?? { status: 500 });
  const waits: number[] = [];
  try {
    const a = webhookChannel({ url: rx.url, secret: SECRET, consentChannel: 'sms', retries: 3, maxDelayMs: 60_000, sleep: (ms) => Promise.resolve(void waits.push(ms)) });
    assert.deepEqual(await a.send(sample('m1')), { status: 'sent', providerId: 'gw-1' });
    assert.deepEqual(waits, [2000], 'a Retry-After within the limit is waited for');
    assert.deepEqual(await a.send(sample('m2')), { status: 'retry', error: 'HTTP 503: no (Retry-After 120 s)', retryAfterMs: 120_000 });
    assert.deepEqual(waits, [2000], 'no wait within the send');
    assert.equal(rx.seen.length, 3);
    // An HTTP-date Retry-After counts from the injected clock: 30 s after 10:00:00.
    assert.equal(retryAfterMs('Thu, 05 Nov 2026 10:00:30 GMT', Date.parse('2026-11-05T10:00:00Z') / 1000), 30_000);
    assert.equal(retryAfterMs('soon', 0), null);
  } finally {
    await rx.close();
  }
  const v = validateChannelConfig({ kind: 'webhook', url: 'https://gw.example/send', secret: SECRET, consent_channel: 'sms', max_delay_ms: 5000 });
  assert.deepEqual(v.ok ? v.config : v.errors, { kind: 'webhook', url: 'https://gw.example/send', secret: SECRET, consent_channel: 'sms', max_delay_ms: 5000 });
  const w = validateChannelConfig({ kind: 'webhook', url: 'https://gw.example/send', secret: SECRET, consent_channel: 'sms', max_delay_ms: -1 });
  assert.deepEqual(w.ok ? [] : w.errors.map((e) => e.path), ['$.max_delay_ms']);
});

test('csv: a restart reports the resend as a duplicate; a file with other columns is never appended to', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'regulars-csv-'));
  try {
    const file = join(dir, 'list.csv');
    assert.deepEqual(await csvChannel({ file, consentChannel: 'sms' }).send(sample('m1')), { status: 'sent', providerId: 'line 2' });
    assert.deepEqual(await csvChannel({ file, consentChannel: 'sms' }).send(sample('m1')), { status: 'sent', providerId: 'already in file', duplicate: true });
    assert.equal(
      readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l !== '').length,
      2,
      'header and one row',
    );

    const foreign = join(dir, 'foreign.csv');
    writeFileSync(foreign, 'mobile,message\n13800000001,hello\n');
    const r = await csvChannel({ file: foreign, consentChannel: 'sms' }).send(sample('m1'));
    assert.equal(r.status, 'failed');
    assert.match(r.status === 'failed' ? r.error : '', /has the columns mobile,message/);
    assert.equal(readFileSync(foreign, 'utf8'), 'mobile,message\n13800000001,hello\n');

    const empty = join(dir, 'empty.csv');
    writeFileSync(empty, '');
    assert.equal((await csvChannel({ file: empty, consentChannel: 'sms' }).send(sample('m1'))).status, 'sent');
    assert.equal(parseCsv(readFileSync(empty, 'utf8'))[0]?.[0], '\uFEFFidempotency_key', 'a BOM first, so Excel reads UTF-8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
