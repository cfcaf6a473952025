/**
 * Local receivers for tests: an SMTP server and a webhook endpoint on 127.0.0.1, recording
 * what arrives and able to refuse (permanently) or stumble (transiently) on demand.
 */
import { createServer, type IncomingMessage } from 'node:http';
import { SMTPServer } from 'smtp-server';
import { verifySignature } from './webhook.js';

export interface Delivery {
  readonly key: string;
  readonly to: string;
  readonly text: string;
  readonly headers: Record<string, string>;
}

export interface Receiver {
  readonly port: number;
  readonly deliveries: Delivery[];
  refuse(on: boolean): void;
  stumble(n: number): void;
  close(): Promise<void>;
}

/** Unfolds and reads the headers of a raw RFC 5322 message; the body is what follows. */
function parseMail(raw: string): { headers: Record<string, string>; body: string } {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const headers: Record<string, string> = {};
  for (const line of head.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  return { headers, body: raw.slice(split + 4).replace(/=\r\n/g, '') };
}

/** An SMTP server: 550 on RCPT while refusing, 451 while stumbling. */
export async function smtpReceiver(): Promise<Receiver> {
  const deliveries: Delivery[] = [];
  let refusing = false;
  let stumbles = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(address, _session, cb) {
      if (refusing) return cb(Object.assign(new Error('mailbox unavailable'), { responseCode: 550 }));
      if (stumbles > 0) {
        stumbles--;
        return cb(Object.assign(new Error('try again later'), { responseCode: 451 }));
      }
      cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const { headers, body } = parseMail(Buffer.concat(chunks).toString('utf8'));
        deliveries.push({ key: headers['x-regulars-idempotency-key'] ?? '', to: session.envelope.rcptTo.map((r) => r.address).join(','), text: body, headers });
        cb();
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    port,
    deliveries,
    refuse: (on) => {
      refusing = on;
    },
    stumble: (n) => {
      stumbles = n;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const bodyOf = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });

/**
 * A webhook endpoint that checks every signature (401 when wrong), answers 400 while refusing
 * and 503 (with Retry-After: 0) while stumbling, records the accepted requests, and (like a
 * real gateway) acknowledges a repeated idempotency key without delivering it again.
 */
export async function webhookReceiver(secret: string): Promise<Receiver & { readonly rejectedSignatures: number; readonly duplicates: number }> {
  const deliveries: Delivery[] = [];
  const seen = new Map<string, string>();
  let duplicates = 0;
  let refusing = false;
  let stumbles = 0;
  let badSignatures = 0;
  const server = createServer((req, res) => {
    void bodyOf(req).then((body) => {
      const h = (name: string): string => {
        const v = req.headers[name];
        return typeof v === 'string' ? v : '';
      };
      if (!verifySignature(secret, h('x-regulars-timestamp'), body, h('x-regulars-signature'), 300, Math.floor(Date.now() / 1000))) {
        badSignatures++;
        res.writeHead(401).end('bad signature');
        return;
      }
      if (refusing) return void res.writeHead(400).end('{"error":"invalid number"}');
      if (stumbles > 0) {
        stumbles--;
        return void res.writeHead(503, { 'retry-after': '0' }).end('busy');
      }
      // Like a real gateway: a key already accepted is acknowledged again, not sent again.
      const known = seen.get(h('idempotency-key'));
      if (known !== undefined) {
        duplicates++;
        return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: known }));
      }
      const j: unknown = JSON.parse(body);
      const rec = typeof j === 'object' && j !== null ? j : {};
      const text = 'text' in rec && typeof rec.text === 'string' ? rec.text : '';
      const to = 'to' in rec && typeof rec.to === 'object' && rec.to !== null && 'phone' in rec.to && typeof rec.to.phone === 'string' ? rec.to.phone : '';
      deliveries.push({ key: h('idempotency-key'), to, text, headers: { 'x-regulars-signature': h('x-regulars-signature') } });
      seen.set(h('idempotency-key'), `gw-${deliveries.length}`);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `gw-${deliveries.length}` }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    port,
    deliveries,
    get rejectedSignatures() {
      return badSignatures;
    },
    get duplicates() {
      return duplicates;
    },
    refuse: (on) => {
      refusing = on;
    },
    stumble: (n) => {
      stumbles = n;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
