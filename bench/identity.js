#!/usr/bin/env node
// Identity resolution benchmark: a synthetic identity graph of N identities (default 10M)
// built in SQL, resolved from scratch. Baseline in the same run: DuckDB de-duplicating and
// sorting the same link table (the data-movement floor any resolution must pay).
// Usage: node bench/identity.js [--identities 10000000] [--db FILE]
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openRegulars } from '../dist/open.js';
import { resolveIdentities } from '../dist/identity/index.js';
import { fixedClock } from '../dist/core/clock.js';

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
};
const total = Number(arg('identities', '10000000'));
const file = arg('db', join(tmpdir(), `regulars-bench-identity-${process.pid}.duckdb`));
const secs = (t) => ((performance.now() - t) / 1000).toFixed(2);
const mb = () => Math.round(process.resourceUsage().maxRSS / 1024);

// Shape: accounts = 50%, phones = 30%, emails = 20% of identities. Persons = 80% of accounts,
// so a fifth of people hold two accounts; 3 of 4 persons have a phone, half an email.
const accounts = Math.round(total * 0.5);
const persons = Math.round(accounts * 0.8);
rmSync(file, { force: true });
const db = await openRegulars(file);
let t = performance.now();
await db.run(`CREATE TEMP TABLE p AS SELECT i AS person FROM range(${persons}) t(i)`);
await db.run(`INSERT INTO identities
  SELECT i + 1, 'account', 'ch' || (i % 4), 'a' || i, TIMESTAMP '2020-01-01' + INTERVAL (i % 100000) MINUTE, NULL, 0, NULL FROM range(${accounts}) t(i)`);
await db.run(`INSERT INTO identities
  SELECT ${accounts} + row_number() OVER (ORDER BY person), 'phone', '', '+86139' || lpad(person::VARCHAR, 8, '0'), NULL, NULL, 0, NULL
  FROM p WHERE person % 8 < 6`);
const phones = Number((await db.one("SELECT count(*) AS n FROM identities WHERE kind = 'phone'")).n);
const emails = total - accounts - phones;
await db.run(`INSERT INTO identities
  SELECT ${accounts + phones} + row_number() OVER (ORDER BY person), 'email', '', 'p' || person || '@example.com', NULL, NULL, 0, NULL
  FROM p WHERE person < ${emails}`);
await db.run(`INSERT INTO identity_links SELECT identity_id, identity_id, first_seen, 0 FROM identities WHERE kind = 'account'`);
await db.run(`CREATE TEMP TABLE pid AS
  SELECT p.person, ph.identity_id AS phone_id, em.identity_id AS email_id FROM p
  LEFT JOIN identities ph ON ph.kind = 'phone' AND ph.value = '+86139' || lpad(p.person::VARCHAR, 8, '0')
  LEFT JOIN identities em ON em.kind = 'email' AND em.value = 'p' || p.person || '@example.com'`);
await db.run(`INSERT INTO identity_links
  SELECT a.identity_id, x.id, NULL, 0
  FROM identities a JOIN pid ON pid.person = (a.identity_id - 1) % ${persons},
       LATERAL (SELECT unnest([pid.phone_id, pid.email_id]) AS id) x
  WHERE a.kind = 'account' AND x.id IS NOT NULL`);
const n = Number((await db.one('SELECT count(*) AS n FROM identities')).n);
const links = Number((await db.one('SELECT count(*) AS n FROM identity_links')).n);
console.log(
  `graph: ${n.toLocaleString('en-US')} identities (${accounts.toLocaleString('en-US')} accounts, ${phones.toLocaleString('en-US')} phones, ${emails.toLocaleString('en-US')} emails), ${links.toLocaleString('en-US')} links; built in ${secs(t)}s`,
);

t = performance.now();
await db.run('CREATE TEMP TABLE base AS SELECT DISTINCT anchor_id, identity_id FROM identity_links ORDER BY anchor_id, identity_id');
const baseline = (performance.now() - t) / 1000;
console.log(`baseline (distinct + sort of the links): ${baseline.toFixed(2)}s`);

t = performance.now();
const result = await db.transaction(() => resolveIdentities(db, fixedClock('2026-01-01T00:00:00Z'), 'all', null));
const resolution = (performance.now() - t) / 1000;
const members = Number((await db.one('SELECT count(*) AS n FROM members')).n);
console.log(`resolution: ${resolution.toFixed(2)}s for ${result.identities.toLocaleString('en-US')} identities -> ${members.toLocaleString('en-US')} members`);
console.log(`ratio resolution/baseline: ${(resolution / baseline).toFixed(2)}x; peak RSS ${mb()} MB; goal: under 60 s`);
db.close();
rmSync(file, { force: true });
rmSync(`${file}.wal`, { force: true });
