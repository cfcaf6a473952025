#!/usr/bin/env node
// Loyalty HTTP benchmark: earn and spend calls through a real listening server at a fixed rate
// (open loop: latency counts from the moment a request was due, so a stall is not hidden), first
// alone (the baseline, same run), then while the same server imports generated files uploaded to
// POST /api/imports. The server is a separate process holding both stores (embedded: DuckDB and
// the SQLite operational store); its analytical engine is limited to one thread with
// `SET threads = 1` on its DuckDB connection before it serves. With --pg URL the operational
// store is PostgreSQL and the loyalty calls are spread over two `--role api` server processes
// (the import still goes to the one process holding the DuckDB file). The server prints DuckDB's
// `current_setting('threads')` so the run shows the limit took. By default the server's background
// loop (inbox loader and the loyalty jobs after each load) is off, so the import is the only other
// work; with --jobs it runs as in production, and the loyalty arrivals job then earns the imported
// orders in the server while the calls go on.
//   node bench/loyalty-api.js [--rate 1000] [--seconds 15] [--members 50000] [--accounts 1000] [--pg URL] [--split] [--nice] [--jobs]
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { setPriority } from 'node:os';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A pool of keep-alive HTTP/1.1 connections to 127.0.0.1:`port`, at most `size`, one request in
 * flight on each; `post` resolves with the status once the whole answer has arrived.
 */
function tillPool(port, size, key) {
  const idle = [];
  const waiting = [];
  let open = 0;
  const dial = () => {
    const sock = connect({ host: '127.0.0.1', port, noDelay: true });
    let buf = Buffer.alloc(0);
    let done = null;
    sock.on('data', (d) => {
      buf = buf.length === 0 ? d : Buffer.concat([buf, d]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buf.subarray(0, end).toString('latin1');
      const m = /\r\ncontent-length: *(\d+)/i.exec(head);
      if (m === null) throw new Error(`an answer without Content-Length: ${head}`);
      const total = end + 4 + Number(m[1]);
      if (buf.length < total) return;
      if (buf.length > total) throw new Error('an answer longer than its Content-Length');
      buf = Buffer.alloc(0);
      const finish = done;
      done = null;
      release(conn);
      finish(Number(head.slice(9, 12)));
    });
    sock.on('error', (e) => {
      if (done !== null) done(Promise.reject(e));
    });
    const conn = {
      send: (req, resolve) => {
        done = resolve;
        sock.write(req);
      },
      sock,
    };
    open++;
    return conn;
  };
  const release = (conn) => {
    const next = waiting.shift();
    if (next !== undefined) conn.send(next.req, next.resolve);
    else idle.push(conn);
  };
  return {
    post: (path, body) =>
      new Promise((resolve) => {
        const req = `POST ${path} HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\nauthorization: Bearer ${key}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
        const conn = idle.pop() ?? (open < size ? dial() : undefined);
        if (conn === undefined) waiting.push({ req, resolve });
        else conn.send(req, resolve);
      }),
    close: () => {
      for (const c of idle) c.sock.destroy();
    },
  };
}

/** CPU time (user + system) a process has used, in ms, from /proc (NaN where there is none). */
function cpuMs(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) * 10; // clock ticks of 10 ms (USER_HZ is 100 on Linux)
  } catch {
    return Number.NaN;
  }
}

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
};

if (process.argv[2] === '--upload') {
  // Upload mode: node bench/loyalty-api.js --upload <operator key> <files...>
  const [, , , key, ...paths] = process.argv;
  const t = performance.now();
  for (const path of paths) {
    const r = await fetch(`http://127.0.0.1:39231/api/imports?filename=${path.split('/').pop()}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'text/csv' },
      body: readFileSync(path),
    });
    const j = await r.json();
    if (r.status !== 200) throw new Error(`import ${path}: ${r.status} ${JSON.stringify(j)}`);
  }
  process.stdout.write(JSON.stringify({ seconds: (performance.now() - t) / 1000, files: paths.length }));
} else if (process.argv[2] === '--server') {
  // Server mode: node bench/loyalty-api.js --server <db> <port> <role> [pgUrl]
  const [, , , dbFile, port, role, pg] = process.argv.filter((a) => a !== '--nice');
  const { openStores } = await import('../dist/open.js');
  const { openOps, opsPathFor } = await import('../dist/ops/index.js');
  const { serve } = await import('../dist/api/index.js');
  const { systemClock } = await import('../dist/core/clock.js');
  if (role === 'api') {
    const ops = await openOps(pg !== undefined ? { pg } : { sqlite: opsPathFor(dbFile), checkpoints: 'background' });
    await serve(ops, undefined, systemClock, { port: Number(port), host: '127.0.0.1' });
  } else {
    // --nice: the process holding the analytical file runs below the API processes' CPU priority
    // (as `nice -n 10 regulars serve` would), so an import yields the cores to the tills' calls.
    if (process.argv.includes('--nice')) setPriority(10);
    const stores = await openStores(dbFile, pg ?? null, 'background');
    await stores.db.run('SET threads = 1');
    const threads = await stores.db.one("SELECT current_setting('threads') AS t");
    await serve(stores.ops, stores.db, systemClock, { port: Number(port), host: '127.0.0.1' });
    process.stdout.write(`duckdb threads ${String(threads?.t)}\n`);
  }
  process.stdout.write('listening\n');
} else {
  const rate = Number(arg('rate', '1000'));
  const seconds = Number(arg('seconds', '15'));
  const members = Number(arg('members', '50000'));
  const accounts = Number(arg('accounts', '1000'));
  const pg = arg('pg', undefined);
  const jobs = process.argv.includes('--jobs');
  const dir = mkdtempSync(join(tmpdir(), 'regulars-bench-loyalty-api-'));
  const dbFile = join(dir, 'shop.duckdb');
  const { generate } = await import('../dist/generate/index.js');
  const { openOps, opsPathFor } = await import('../dist/ops/index.js');
  const { createKey } = await import('../dist/api/index.js');
  const { checkLedger, parseProgramme, saveProgramme } = await import('../dist/loyalty/index.js');
  const { systemClock } = await import('../dist/core/clock.js');
  const { percentile } = { percentile: (xs, p) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] };

  const g = await generate({ members, days: 365, seed: 'bench-loyalty', out: join(dir, 'gen'), start: '2025-01-01' });
  const files = ['products', 'members', 'orders', 'order_lines'].map((s) => g.files[s]);
  const ops = await openOps(pg !== undefined ? { pg } : { sqlite: opsPathFor(dbFile) });
  const p = parseProgramme({ programme_id: 'main', name: 'Bench', starts_on: '2020-01-01', pending_days: 0, expiry: { model: 'never' } });
  await saveProgramme(ops, p.config, new Date());
  const pos = (await createKey(ops, systemClock, 'pos', 'bench-till')).key;
  const operator = (await createKey(ops, systemClock, 'operator', 'bench-import')).key;
  await ops.close();

  let threads = '?';
  const env = { ...process.env, REGULARS_SCHEDULER_SECONDS: '0', ...(jobs ? {} : { REGULARS_LOADER_SECONDS: '0' }) };
  const start = (port, role) =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [new URL(import.meta.url).pathname, '--server', dbFile, String(port), role, ...(pg !== undefined ? [pg] : []), ...(nice ? ['--nice'] : [])], {
        stdio: ['ignore', 'pipe', 'inherit'],
        env,
      });
      child.stdout.on('data', (d) => {
        const t = /duckdb threads (\d+)/.exec(d.toString());
        if (t !== null) threads = t[1];
        if (d.toString().includes('listening')) resolve(child);
      });
      child.on('exit', (code) => reject(new Error(`server exited ${code}`)));
    });
  // --split (embedded): the till's calls go to a `serve --role api` process on the same SQLite
  // file while the import goes to the process holding the DuckDB file, as a busy shop deploys it.
  const split = process.argv.includes('--split');
  const nice = process.argv.includes('--nice');
  const servers = [await start(39231, 'all')];
  if (pg !== undefined) servers.push(await start(39232, 'api'), await start(39233, 'api'));
  else if (split) servers.push(await start(39232, 'api'));
  const loyaltyPorts = pg !== undefined ? [39232, 39233] : split ? [39232] : [39231];
  const loyaltyServers = servers.length > 1 ? servers.slice(1) : servers;
  // The tills' client: keep-alive connections, at most 64 per server, as a till fleet behind a
  // proxy holds them; a call beyond waits for a free one, and the wait counts (its latency runs
  // from its due time). It writes each request in one piece and reads the answer by its
  // Content-Length, so that the client, which shares the two cores with the server, spends as
  // little of them as it can (node's http.request cost about 0.2 ms of CPU a call, a quarter of
  // what the server spends on it).
  const pools = new Map(loyaltyPorts.map((port) => [port, tillPool(port, 64, pos)]));
  let seq = 0;
  const call = (path, body) => {
    const port = loyaltyPorts[seq++ % loyaltyPorts.length];
    return pools.get(port).post(`/api/loyalty/main/${path}`, JSON.stringify(body));
  };
  // Seed: every account earns 100,000 points so that spends never run dry.
  for (let a = 0; a < accounts; a++)
    await call('earn', { who: { member_id: `B${a}` }, order: { order_id: `seed-${a}`, paid_at: '2025-06-01T00:00:00Z', lines: [{ amount: '100000' }] }, key: `seed-${a}` });

  let x = 12345;
  const next = () => (x = (x * 1103515245 + 12345) % 2147483648);
  const run = async (label, secs, background) => {
    const lat = [];
    const statuses = {};
    const inflight = [];
    const cpu0 = loyaltyServers.map((c) => cpuMs(c.pid));
    const own0 = process.cpuUsage();
    const t0 = performance.now();
    const total = Math.round(rate * secs);
    let bgDone = false;
    const bg = background?.().then((r) => {
      bgDone = true;
      return r;
    });
    for (let i = 0; i < total; i++) {
      const due = t0 + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      const a = next() % accounts;
      const n = `${label}-${i}`;
      const req =
        i % 2 === 0
          ? call('earn', {
              who: { member_id: `B${a}` },
              order: {
                order_id: n,
                paid_at: '2025-06-01T00:00:00Z',
                channel: 'pos',
                lines: [
                  { amount: '59.90', sku: 'A' },
                  { amount: '12.00', kind: 'postage' },
                ],
              },
              key: n,
            })
          : call('spend', { who: { member_id: `B${a}` }, points: 10, order_id: n, key: n });
      inflight.push(
        req.then((s) => {
          lat.push(performance.now() - due);
          statuses[s] = (statuses[s] ?? 0) + 1;
        }),
      );
    }
    await Promise.all(inflight);
    const elapsed = (performance.now() - t0) / 1000;
    const cpu = loyaltyServers.reduce((sum, c, i) => sum + cpuMs(c.pid) - cpu0[i], 0);
    const own = process.cpuUsage(own0);
    const bgResult = bg === undefined ? undefined : { done_during_load: bgDone, result: await bg };
    lat.sort((a, b) => a - b);
    return {
      label,
      requests: total,
      achieved_per_s: total / elapsed,
      p50: percentile(lat, 50),
      p99: percentile(lat, 99),
      max: lat[lat.length - 1],
      cpu_per_call: Number.isNaN(cpu) ? null : cpu / total,
      client_cpu_per_call: (own.user + own.system) / 1000 / total,
      statuses,
      background: bgResult,
    };
  };
  // The uploads run in a child process of their own: reading a file of tens of megabytes and
  // sending it would otherwise hold this process's event loop, and the till calls it sends would
  // be late through no fault of the server.
  const importAll = () =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [new URL(import.meta.url).pathname, '--upload', operator, ...files.map((f) => f.path)], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (d) => (out += d.toString()));
      child.on('exit', (code) => (code === 0 ? resolve({ ...JSON.parse(out), rows_in_files: files.reduce((s, f) => s + f.rows, 0) }) : reject(new Error(`upload exited ${code}`))));
    });
  // Two seconds at the same rate first, not counted: a server just started compiles its code paths.
  await run('warm-up', 2);
  const alone = await run('alone', seconds);
  const withImport = await run('import', seconds, importAll);
  for (const p of pools.values()) p.close();
  await Promise.all(
    servers.map(
      (s) =>
        new Promise((done) => {
          s.once('exit', done);
          s.kill('SIGTERM');
        }),
    ),
  );
  const check = await (async () => {
    const o = await openOps(pg !== undefined ? { pg } : { sqlite: opsPathFor(dbFile) });
    try {
      return await checkLedger(o, 'main');
    } finally {
      await o.close();
    }
  })();
  const f = (v) => v.toFixed(2);
  console.log(
    `engine ${pg !== undefined ? 'postgres, two --role api processes' : split ? 'embedded (SQLite operational store), calls to a --role api process, the import to the process holding DuckDB' : 'embedded (SQLite operational store in the server process)'}; ${accounts} accounts; target ${rate} requests/s (half earn, half spend) for ${seconds} s per phase; DuckDB threads in the server: ${threads} (SET threads = 1); server background loop ${jobs ? 'on (inbox loader, loyalty jobs after the import)' : 'off'}${nice ? '; the DuckDB holder at CPU priority 10 (nice)' : ''}; client: keep-alive, at most 64 connections a server`,
  );
  for (const r of [alone, withImport])
    console.log(
      `${r.label.padEnd(7)} achieved ${f(r.achieved_per_s)}/s  p50 ${f(r.p50)} ms  p99 ${f(r.p99)} ms  max ${f(r.max)} ms  CPU a call: API ${r.cpu_per_call === null ? '?' : f(r.cpu_per_call)} ms, client ${f(r.client_cpu_per_call)} ms  statuses ${JSON.stringify(r.statuses)}${r.background ? `  import ${JSON.stringify(r.background)}` : ''}`,
    );
  console.log(`p99 with the import / p99 alone = ${f(withImport.p99 / alone.p99)}x; ledger consistent: ${check.ok} (${check.entries} entries)`);
  if (pg === undefined) rmSync(dir, { recursive: true, force: true });
}
