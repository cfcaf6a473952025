#!/usr/bin/env node
// Analytics refresh benchmark: `regulars refresh` over a generated merchant against a pandas
// baseline (bench/pandas_baseline.py: RFM and the 45-day second-purchase rate) on the same CSV
// files, in the same run. Prints data sizes, setup times, refresh times (end to end and
// compute-only), pandas times (end to end, read, compute), peak RSS and pandas/regulars ratios.
//   node bench/refresh.js [--size 1m|10m] [--members N --days N] [--runs N] [--cap 20g]
//                         [--check | --no-check] [--no-pandas] [--setup-only] [--no-events] [--part-rows N]
//                         [--one-process]
// --no-events generates and imports everything but events.csv (the largest file, about 3 GB per
// million people): the reports then have no visits, which KPI and links say in their output.
// Data and database live in .bench/refresh-<members>-<days>/ and are reused when present.
// Needs /usr/bin/time (Debian package time), prlimit (util-linux) and pandas for
// /usr/bin/python3 (bench/setup.sh installs it).
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'bin', 'regulars.js');
const SIZES = { '1m': { members: 1_000_000, days: 2800 }, '10m': { members: 10_000_000, days: 2800 } };
const SEED = 'bench';
const LAST_DAY = '2025-12-31';
// Import order: products first; orders before their lines and returns.
const ALL_FILES = ['products', 'members', 'consents', 'orders', 'order_lines', 'returns', 'events'];

const argv = process.argv.slice(2);
const arg = (name, def) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : def;
};
const flag = (name) => argv.includes(`--${name}`);
const fmt = (n) => Math.round(Number(n)).toLocaleString('en-US');
const s2 = (x) => (x === null || x === undefined ? 'n/a' : `${Number(x).toFixed(2)} s`);
const mb = (kb) => `${fmt(kb / 1024)} MB`;
const gb = (bytes) => `${(bytes / 1e9).toFixed(2)} GB`;

/** Runs a command, timing it from the outside; peak RSS from /usr/bin/time. */
let runs_ = 0;
function run(cmd, args, { cap, stdoutFile, stderrFile } = {}) {
  const timeFile = join(ROOT, '.bench', `.time-${process.pid}-${++runs_}`);
  const full = ['-f', '%M', '-o', timeFile, ...(cap ? ['prlimit', `--as=${cap}`, cmd] : [cmd]), ...args];
  return new Promise((resolveRun, reject) => {
    const t = performance.now();
    const child = spawn('/usr/bin/time', full, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    const err = [];
    child.stdout.on('data', (c) => out.push(c));
    // stderr is written as it comes, so a long import's progress and trace can be followed.
    const errFile = stderrFile ? createWriteStream(stderrFile) : null;
    child.stderr.on('data', (c) => {
      err.push(c);
      errFile?.write(c);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = (performance.now() - t) / 1000;
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      if (stdoutFile) writeFileSync(stdoutFile, stdout);
      errFile?.end();
      let rssKb = null;
      if (existsSync(timeFile)) {
        const m = readFileSync(timeFile, 'utf8').trim().split('\n').pop();
        rssKb = Number(m) || null;
        rmSync(timeFile, { force: true });
      }
      resolveRun({ code, seconds, stdout, stderr, rssKb });
    });
  });
}

function must(r, what) {
  if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}):\n${r.stderr.slice(-2000)}`);
  return r;
}

/** Read-only queries against the benchmark database (closed before any child opens it). */
async function query(dbFile, sqls) {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const inst = await DuckDBInstance.create(dbFile, { access_mode: 'READ_ONLY' });
  const conn = await inst.connect();
  try {
    const out = [];
    for (const sql of sqls) out.push((await conn.runAndReadAll(sql)).getRowObjectsJson());
    return out;
  } finally {
    conn.closeSync();
    inst.closeSync();
  }
}

// ---- child mode: refresh() timed in-process (compute-only) ----
if (flag('child')) {
  const t0 = performance.now();
  const dbFile = arg('child-db');
  const { openRegulars } = await import('../dist/open.js');
  const { refresh } = await import('../dist/analytics/index.js');
  const { systemClock } = await import('../dist/core/clock.js');
  const t1 = performance.now();
  const db = await openRegulars(dbFile);
  const t2 = performance.now();
  const startMs = Date.now();
  const only = arg('child-reports');
  const docs = await refresh(db, systemClock, only === undefined ? {} : { reports: only.split(',') });
  const endMs = Date.now();
  const t3 = performance.now();
  db.close();
  const t4 = performance.now();
  // computed_at is taken as each report starts; the snapshot of the shared views comes first.
  // Reports are listed in the order they ran (a refresh runs the tags last).
  const started = docs.map((d) => ({ report: d.report, at: Date.parse(`${d.computed_at.replace(' ', 'T')}Z`) })).sort((a, b) => a.at - b.at);
  const reports = [{ report: '(shared snapshot)', s: ((started[0]?.at ?? endMs) - startMs) / 1000 }];
  started.forEach((d, i) => reports.push({ report: d.report, s: ((started[i + 1]?.at ?? endMs) - d.at) / 1000 }));
  process.stdout.write(
    `${JSON.stringify({ as_of: docs[0]?.as_of, load_s: (t1 - t0) / 1000, open_s: (t2 - t1) / 1000, refresh_s: (t3 - t2) / 1000, close_s: (t4 - t3) / 1000, reports, max_rss_kb: process.resourceUsage().maxRSS })}\n`,
  );
  process.exit(0);
}

// ---- the benchmark ----
const size = arg('size', '1m');
const preset = SIZES[size];
if (preset === undefined && arg('members') === undefined) throw new Error(`unknown --size ${size}; use 1m, 10m or --members N --days N`);
const members = Number(arg('members', String(preset?.members)));
const days = Number(arg('days', String(preset?.days ?? 730)));
const start = new Date(Date.parse(`${LAST_DAY}T00:00:00Z`) - (days - 1) * 864e5).toISOString().slice(0, 10);
const runs = Number(arg('runs', '1'));
const capText = arg('cap', '20g');
const capMatch = /^(\d+)([kmg]?)$/i.exec(capText);
if (capMatch === null) throw new Error(`--cap must be like 20g, got '${capText}'`);
// prlimit takes bytes.
const cap = String(Number(capMatch[1]) * 1024 ** ' kmg'.indexOf((capMatch[2] || ' ').toLowerCase()));
const noEvents = flag('no-events');
const FILES = noEvents ? ALL_FILES.filter((f) => f !== 'events') : ALL_FILES;
const dir = join(ROOT, '.bench', `refresh-${members}-${days}${noEvents ? '-noevents' : ''}`);
const data = join(dir, 'data');
const dbFile = join(dir, 'regulars.duckdb');
const setupFile = join(dir, 'setup.json');
mkdirSync(dir, { recursive: true });
const setup = existsSync(setupFile) ? JSON.parse(readFileSync(setupFile, 'utf8')) : {};
const saveSetup = () => writeFileSync(setupFile, `${JSON.stringify(setup, null, 2)}\n`);
// Events are the largest file (about 3 GB per million people): compressed at the large size.
const gzipEvents = !noEvents && (flag('gzip-events') || (!flag('no-gzip-events') && members >= 5_000_000));
const csv = (stem) => join(data, stem === 'events' && gzipEvents ? 'events.csv.gz' : `${stem}.csv`);

console.log(`analytics refresh benchmark: ${fmt(members)} people over ${days} days (${start} .. ${LAST_DAY}), seed '${SEED}'${noEvents ? ', without events' : ''}`);
console.log(`data in ${dir.slice(ROOT.length + 1)}`);

// Setup 1: generate (reused when complete).
if (!existsSync(join(data, '.complete'))) {
  rmSync(data, { recursive: true, force: true });
  rmSync(join(dir, '.imported'), { force: true });
  delete setup.importing;
  console.log(`generating ...${gzipEvents ? ' (events.csv through a pipe into events.csv.gz)' : ''}`);
  const args = [
    CLI,
    'generate',
    '--members',
    String(members),
    '--days',
    String(days),
    '--seed',
    SEED,
    '--start',
    start,
    '--out',
    data,
    '--json',
    ...(noEvents ? ['--only', [...FILES, 'truth'].join(',')] : []),
  ];
  let gzip = null;
  if (gzipEvents) {
    // The generator writes events.csv, a named pipe here; gzip stores it compressed.
    mkdirSync(data, { recursive: true });
    must(await run('mkfifo', [join(data, 'events.csv')]), 'mkfifo');
    gzip = run('sh', ['-c', `gzip -1 -c < '${join(data, 'events.csv')}' > '${join(data, 'events.csv.gz')}'`]);
  }
  const r = must(await run('node', args, { stderrFile: join(dir, 'generate.log') }), 'generate');
  if (gzip) {
    must(await gzip, 'gzip of events');
    rmSync(join(data, 'events.csv'), { force: true });
  }
  const rep = JSON.parse(r.stdout);
  setup.generate = {
    command: `regulars generate --members ${members} --days ${days} --seed ${SEED} --start ${start}${noEvents ? ` --only ${[...FILES, 'truth'].join(',')}` : ''}`,
    seconds: r.seconds,
    max_rss_kb: r.rssKb,
    people: rep.people,
    files: rep.files,
  };
  saveSetup();
  writeFileSync(join(data, '.complete'), '');
}
// Setup 2: import every file into a fresh database (reused when complete). One `regulars import`
// per file, each recorded in setup.json as it lands, so an interrupted setup resumes with the
// next file (a file cut off mid-way was rolled back and is imported again). A file of more than
// --part-rows rows (default 25,000,000) is imported in parts of that many rows, as a merchant
// exporting a long history by period would: staging a 100M-line file as text at once needs tens of
// GB of temporary disk. Parts split at line ends (the generator writes no quoted line breaks).
if (!existsSync(join(dir, '.imported'))) {
  const partRows = Number(arg('part-rows', '25000000'));
  if (setup.importing === undefined) {
    for (const f of [dbFile, `${dbFile}.wal`, join(data, 'accounts.csv'), join(dir, 'import.log')]) rmSync(f, { force: true });
    setup.importing = { files: [] };
    saveSetup();
  }
  const done = new Set(setup.importing.files.map((f) => f.file));
  const parts = join(dir, 'parts');
  for (const stem of FILES) {
    const file = csv(stem);
    const rows = setup.generate?.files?.[stem]?.rows ?? 0;
    let inputs = [file];
    if (rows > partRows && !file.endsWith('.gz')) {
      const n = Math.ceil(rows / partRows);
      inputs = Array.from({ length: n }, (_, k) => join(parts, `${stem}-${String(k).padStart(2, '0')}.csv`));
      if (inputs.some((p) => !done.has(p.split('/').pop()) && !existsSync(p))) {
        rmSync(parts, { recursive: true, force: true });
        mkdirSync(parts, { recursive: true });
        console.log(`splitting ${stem}.csv into ${n} parts of ${fmt(partRows)} rows ...`);
        must(
          await run('sh', ['-c', `tail -n +2 '${file}' | split -l ${partRows} -d -a 2 --additional-suffix=.csv --filter='{ head -n 1 "${file}"; cat; } > "$FILE"' - '${join(parts, `${stem}-`)}'`]),
          `split ${stem}`,
        );
      }
    }
    for (const input of inputs) {
      const name = input.split('/').pop();
      if (done.has(name)) continue;
      console.log(`importing ${name} ...`);
      const r = must(await run('node', [CLI, 'import', '--db', dbFile, '--rejects', join(dir, 'rejects'), '--json', input], { stderrFile: join(dir, `import-${name}.log`) }), `import ${name}`);
      const f = JSON.parse(r.stdout).files[0];
      setup.importing.files.push({ file: name, rows_read: f.rows_read, loaded: f.loaded, rejected: f.rejected, seconds: r.seconds, max_rss_kb: r.rssKb });
      saveSetup();
      if (input !== file) rmSync(input, { force: true });
    }
  }
  rmSync(parts, { recursive: true, force: true });
  const [[counts]] = await query(dbFile, [
    `SELECT (SELECT count(*) FROM members) AS members, (SELECT count(*) FROM orders) AS orders, (SELECT count(*) FROM order_lines) AS order_lines,
            (SELECT count(*) FROM returns) AS returns, (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM identities) AS identities`,
  ]);
  const files = setup.importing.files;
  setup.import = {
    command: `regulars import --db regulars.duckdb FILE, once per file (${files.map((f) => f.file).join(', ')})`,
    seconds: files.reduce((a, f) => a + f.seconds, 0),
    max_rss_kb: Math.max(...files.map((f) => f.max_rss_kb ?? 0)),
    files,
    counts,
  };
  delete setup.importing;
  saveSetup();
  writeFileSync(join(dir, '.imported'), '');
}

const g = setup.generate;
const lines = g?.files?.order_lines?.rows ?? 0;
console.log('\ndata (as printed by the generator)');
console.log(
  `  people ${fmt(g.people)}; ${Object.entries(g.files)
    .map(([k, v]) => `${k} ${fmt(v.rows)} rows (${gb(v.bytes)})`)
    .join(', ')}`,
);
const c = setup.import.counts;
console.log(
  `  in the database: ${fmt(c.members)} members, ${fmt(c.identities)} identities, ${fmt(c.orders)} orders, ${fmt(c.order_lines)} order lines, ${fmt(c.returns)} returns, ${fmt(c.events)} events; file ${gb(statSync(dbFile).size)}`,
);
console.log('setup (not the headline)');
console.log(`  generate  ${s2(g.seconds)}  peak RSS ${mb(g.max_rss_kb)}`);
console.log(`  import    ${s2(setup.import.seconds)}  peak RSS ${mb(setup.import.max_rss_kb)}  (${setup.import.files.map((f) => `${f.file} ${s2(f.seconds)}`).join(', ')})`);
if (setup.accounts) console.log(`  account -> member map for the check ${s2(setup.accounts.seconds)}`);
// A database imported by an earlier version is brought to this version's schema before timing
// (migrations can rewrite tables), so the timed refreshes measure the reports only.
const migrated = must(await run('node', [CLI, 'settings', 'get', '--db', dbFile]), 'opening the database (migrations)');
console.log(`  open and migrate ${s2(migrated.seconds)}  peak RSS ${mb(migrated.rssKb)}`);
if (flag('setup-only')) process.exit(0);

// Regulars: the CLI end to end, then refresh() in-process for compute-only (each a full refresh).
const cliRuns = [];
const childRuns = [];
const twoCliRuns = [];
const twoChildRuns = [];
// --one-process (for the largest size, where each refresh takes minutes): each variant runs once
// per run as the in-process child only, and its end to end is that child's wall time (load the
// code, open the database, refresh, close), the same work as `regulars refresh` minus argument parsing.
const oneProcess = flag('one-process');
const child = async (reports) => {
  // stderr kept in the data folder: with REGULARS_TRACE_SQL set, where a refresh spent its time.
  const log = join(dir, `refresh${reports ? `-${reports.replace(',', '-')}` : ''}.log`);
  const r = must(
    await run('node', [fileURLToPath(import.meta.url), '--child', '--child-db', dbFile, ...(reports ? ['--child-reports', reports] : [])], { stderrFile: log }),
    `in-process refresh${reports ? ` of ${reports}` : ''}`,
  );
  return { ...JSON.parse(r.stdout), rssKb: r.rssKb, wall: r.seconds };
};
for (let i = 0; i < runs; i++) {
  if (oneProcess) {
    const c = await child(null);
    childRuns.push(c);
    cliRuns.push({ seconds: c.wall, rssKb: c.rssKb, asOf: c.as_of });
    const t = await child('rfm,repeat');
    twoChildRuns.push(t);
    twoCliRuns.push({ seconds: t.wall, rssKb: t.rssKb });
    continue;
  }
  const cli = must(await run('node', [CLI, 'refresh', '--db', dbFile]), 'regulars refresh');
  const asOf = /as of (\d{4}-\d{2}-\d{2})/.exec(cli.stdout)?.[1];
  cliRuns.push({ seconds: cli.seconds, rssKb: cli.rssKb, asOf });
  childRuns.push(await child(null));
  // Like for like: only the two analyses the pandas baseline computes (the RFM report and the
  // repeat report, which holds the second-purchase rate by cohort), from the same snapshot.
  const two = must(await run('node', [CLI, 'refresh', '--db', dbFile, '--only', 'rfm,repeat']), 'regulars refresh --only rfm,repeat');
  twoCliRuns.push({ seconds: two.seconds, rssKb: two.rssKb });
  twoChildRuns.push(await child('rfm,repeat'));
}
const best = (xs, f) => xs.reduce((a, b) => (f(b) < f(a) ? b : a));
const cli = best(cliRuns, (r) => r.seconds);
const inproc = best(childRuns, (r) => r.refresh_s);
const twoCli = best(twoCliRuns, (r) => r.seconds);
const twoInproc = best(twoChildRuns, (r) => r.refresh_s);
const asOf = cli.asOf;

// pandas: RFM + second-purchase rate, customer key = channel account straight from the files.
const py = (extra) => [join(ROOT, 'bench', 'pandas_baseline.py'), '--orders', csv('orders'), '--lines', csv('order_lines'), '--returns', csv('returns'), '--as-of', asOf, ...extra];
async function pandas(extra) {
  const r = await run('/usr/bin/python3', py(extra), { cap });
  let doc = null;
  try {
    doc = JSON.parse(r.stdout.trim().split('\n').pop() ?? '');
  } catch {
    doc = null;
  }
  if (r.code === 0 && doc && !doc.error) return { ok: true, seconds: r.seconds, rssKb: r.rssKb, doc };
  const why = doc?.error ?? (r.stderr.trim().split('\n').slice(-1)[0] || `exit ${r.code}`);
  return { ok: false, seconds: r.seconds, rssKb: r.rssKb, why, code: r.code };
}
const pandasRuns = [];
if (!flag('no-pandas')) for (let i = 0; i < runs; i++) pandasRuns.push(await pandas([]));
const pd = pandasRuns.length === 0 ? null : (pandasRuns.find((p) => !p.ok) ?? best(pandasRuns, (p) => p.seconds));

const ratio = (a, b) => (a && b ? `${(a / b).toFixed(a / b < 10 ? 2 : 1)}x` : 'n/a');
console.log(`\nregulars refresh as of ${asOf} (${childRuns[0].reports.length - 1} reports, results stored)${runs > 1 ? `, best of ${runs}` : ''}`);
console.log(
  `  end to end   ${s2(cli.seconds)}  (${oneProcess ? 'wall time of the in-process run below: load, open, refresh, close' : 'regulars refresh --db ... as a child process'})  peak RSS ${mb(cli.rssKb)}`,
);
console.log(`  compute-only ${s2(inproc.refresh_s)}  (refresh() in-process; open ${s2(inproc.open_s)}, module load ${s2(inproc.load_s)})  peak RSS ${mb(inproc.rssKb)}`);
console.log(`  per report: ${inproc.reports.map((r) => `${r.report} ${r.s.toFixed(2)}`).join(', ')}`);
if (runs > 1) console.log(`  all runs: end to end ${cliRuns.map((r) => r.seconds.toFixed(2)).join(', ')}; compute-only ${childRuns.map((r) => r.refresh_s.toFixed(2)).join(', ')}`);
console.log('regulars, the two analyses pandas computes (refresh --only rfm,repeat: snapshot, RFM, repeat metrics)');
console.log(`  end to end   ${s2(twoCli.seconds)}  peak RSS ${mb(twoCli.rssKb)}`);
console.log(`  compute-only ${s2(twoInproc.refresh_s)}  peak RSS ${mb(twoInproc.rssKb)}  (${twoInproc.reports.map((r) => `${r.report} ${r.s.toFixed(2)}`).join(', ')})`);
if (runs > 1) console.log(`  all runs: end to end ${twoCliRuns.map((r) => r.seconds.toFixed(2)).join(', ')}; compute-only ${twoChildRuns.map((r) => r.refresh_s.toFixed(2)).join(', ')}`);
if (pd) {
  console.log(`pandas ${''}baseline (RFM + second-purchase rate only, key = channel account, under prlimit --as=${capText})`);
  if (pd.ok) {
    console.log(`  end to end   ${s2(pd.seconds)}  (read ${s2(pd.doc.read_s)}, compute ${s2(pd.doc.compute_s)})  peak RSS ${mb(pd.rssKb)}`);
    if (runs > 1) console.log(`  all runs: end to end ${pandasRuns.map((p) => p.seconds.toFixed(2)).join(', ')}`);
    console.log('ratios pandas / regulars');
    console.log(`  end to end   ${ratio(pd.seconds, cli.seconds)}`);
    console.log(`  compute-only ${ratio(pd.doc.compute_s, inproc.refresh_s)}  (pandas 2 analyses against regulars' ${childRuns[0].reports.length - 1} reports)`);
    console.log(`  the same two analyses: end to end ${ratio(pd.seconds, twoCli.seconds)}, compute-only ${ratio(pd.doc.compute_s, twoInproc.refresh_s)}`);
  } else {
    console.log(`  did not finish: ${pd.why} after ${s2(pd.seconds)} (peak RSS ${mb(pd.rssKb)})`);
  }
}
const goal = lines > 50e6 ? 180 : 30;
console.log(
  `goal: refresh under ${goal} s${goal === 30 ? ' and at least 5x faster than pandas' : ''}: end to end ${s2(cli.seconds)}${pd?.ok && goal === 30 ? `, ${ratio(pd.seconds, cli.seconds)} end to end` : ''}`,
);

// The check: identical keys give identical figures; the account key shows what identity resolution changes.
const check = flag('check') || (!flag('no-check') && lines <= 20e6);
if (check && pd?.ok) {
  const map = join(data, 'accounts.csv');
  if (!existsSync(map)) {
    const t = performance.now();
    await query(dbFile, [`COPY (SELECT scope AS channel, value AS buyer_id, member_id FROM identities WHERE kind = 'account' AND member_id IS NOT NULL) TO '${map}' (HEADER)`]);
    setup.accounts = { seconds: (performance.now() - t) / 1000 };
    saveSetup();
  }
  const dump = join(dir, 'pandas-rfm-members.csv');
  const pm = await pandas(['--members-map', map, '--dump-rfm', dump]);
  console.log(`\ncheck at this size: pandas again with accounts mapped to members (${map.slice(ROOT.length + 1)}, exported from the database)`);
  if (!pm.ok) console.log(`  pandas with the member map did not finish: ${pm.why}`);
  else {
    console.log(`  pandas with member keys: end to end ${s2(pm.seconds)} (read ${s2(pm.doc.read_s)}, compute ${s2(pm.doc.compute_s)})`);
    const [[rfmTot], [diff], [rep]] = await query(dbFile, [
      `SELECT count(*) AS buyers, sum(monetary)::VARCHAR AS monetary FROM member_rfm WHERE as_of = DATE '${asOf}' AND window_days = 365`,
      `WITH p AS (SELECT * FROM read_csv('${dump}', all_varchar = true)),
            r AS (SELECT * FROM member_rfm WHERE as_of = DATE '${asOf}' AND window_days = 365)
       SELECT count(*) FILTER (WHERE r.member_id IS NULL) AS only_pandas, count(*) FILTER (WHERE p.customer IS NULL) AS only_regulars,
              count(*) FILTER (WHERE r.member_id IS NOT NULL AND p.customer IS NOT NULL AND (
                r.recency <> p.recency::INTEGER OR r.frequency <> p.frequency::INTEGER OR r.monetary <> p.monetary::DECIMAL(18,4)
                OR r.r_score <> p.r_score::INTEGER OR r.f_score <> p.f_score::INTEGER OR r.m_score <> p.m_score::INTEGER
                OR r.segment <> p.segment OR r.group_cn <> p.group_cn)) AS differing,
              count(*) FILTER (WHERE r.member_id IS NOT NULL AND p.customer IS NOT NULL) AS both
       FROM p FULL JOIN r ON r.member_id = p.customer`,
      `SELECT result FROM analysis_results WHERE report = 'repeat' AND as_of = DATE '${asOf}' ORDER BY computed_at DESC LIMIT 1`,
    ]);
    const regCohorts = JSON.parse(rep.result).second_purchase.map((x) => ({ cohort: x.cohort, new_buyers: Number(x.new_buyers), second_buyers: Number(x.second_buyers), rate: x.rate }));
    const same = (a, b) => a.length === b.length && a.every((x, i) => x.cohort === b[i]?.cohort && x.new_buyers === b[i].new_buyers && x.second_buyers === b[i].second_buyers && x.rate === b[i].rate);
    const pool = (xs) => {
      const n = xs.reduce((a, x) => a + x.new_buyers, 0);
      const s = xs.reduce((a, x) => a + x.second_buyers, 0);
      return `${fmt(s)} / ${fmt(n)} = ${(s / n).toFixed(4)}`;
    };
    const pmRows = pm.doc.second_purchase;
    const paRows = pd.doc.second_purchase;
    console.log(`  RFM buyers: regulars ${fmt(rfmTot.buyers)}, pandas (member key) ${fmt(pm.doc.rfm.buyers)}, pandas (account key) ${fmt(pd.doc.rfm.buyers)}`);
    console.log(`  RFM monetary: regulars ${rfmTot.monetary}, pandas (member key) ${pm.doc.rfm.monetary}, pandas (account key) ${pd.doc.rfm.monetary}`);
    console.log(
      `  per member (member key): ${fmt(diff.both)} in both, ${fmt(diff.only_pandas)} only in pandas, ${fmt(diff.only_regulars)} only in regulars, ${fmt(diff.differing)} with any differing R, F, M, score or group`,
    );
    console.log(
      `  second-purchase cohorts: regulars ${regCohorts.length}, pandas ${pmRows.length}; identical (cohort, new, second, rate) with member keys: ${same(regCohorts, pmRows) ? 'yes' : 'NO'}; with account keys: ${same(regCohorts, paRows) ? 'yes' : 'no'}`,
    );
    console.log(`  pooled over the shown cohorts: regulars ${pool(regCohorts)}; pandas member key ${pool(pmRows)}; pandas account key ${pool(paRows)}`);
    console.log(
      `  customers with a purchase: ${fmt(pm.doc.customers_with_purchases)} members against ${fmt(pd.doc.customers_with_purchases)} channel accounts (identity resolution joins a person's accounts across channels)`,
    );
    const agree = Number(diff.only_pandas) === 0 && Number(diff.only_regulars) === 0 && Number(diff.differing) === 0 && same(regCohorts, pmRows);
    console.log(`  agreement on identical keys: ${agree ? 'yes' : 'NO'}`);
    if (!agree) process.exitCode = 1;
  }
}
