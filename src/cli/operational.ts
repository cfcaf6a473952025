/**
 * Commands on the operational store (keys, settings, targets, status, the audit log): they open
 * only that store, which takes writers from several processes, so they work while `serve` runs.
 * Also `serve` itself, and the inbox loader.
 */
import { dirname, join, resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { systemClock } from '../core/clock.js';
import { config, describeConfig } from '../core/config.js';
import { checkSetting, isSettingKey, SETTINGS, type TargetRow } from '../core/settings/index.js';
import { listOpSettings, readOpSettings, saveSetting } from '../core/settings/operational.js';
import { readTargetsFile } from '../analytics/index.js';
import { createKey, listKeys, revokeKey, SCOPES, serve, type Scope } from '../api/index.js';
import { inboxStatus, loadPending, publishIdentities } from '../inbox/index.js';
import { listHandoffs, openOps, readAudit } from '../ops/index.js';
import { openStores, opsLocation } from '../open.js';
import { common, dbPath, EXIT_REFUSED, out, pgUrl, UsageError, withDb, withOps, type Common } from './shell.js';
import { table } from './table.js';

const isTargetList = (v: unknown): v is TargetRow[] => Array.isArray(v) && checkSetting('analysis.targets', v) === null;

/** Registers keys, settings, targets, status, audit, inbox and serve. */
export function addOperationalCommands(program: Command): void {
  const settings = program.command('settings').description('settings (kept in the operational store; usable while serve runs)');
  common(settings.command('get').description('show settings').argument('[key]', 'one setting')).action(async (key: string | undefined, opts: Common) => {
    if (key !== undefined && !isSettingKey(key)) throw new UsageError(`unknown setting '${key}'; known: ${Object.keys(SETTINGS).join(', ')}`);
    const all = await withOps(opts, (ops) => listOpSettings(ops));
    const rows = all.filter((s) => key === undefined || s.key === key);
    out(opts, key === undefined ? rows : rows[0], () => table(rows.map((r) => ({ key: r.key, value: JSON.stringify(r.value), help: r.help }))));
  });
  common(settings.command('set').description('change a setting').argument('<key>').argument('<value>', 'JSON value, or plain text')).action(async (key: string, raw: string, opts: Common) => {
    if (!isSettingKey(key)) throw new UsageError(`unknown setting '${key}'; known: ${Object.keys(SETTINGS).join(', ')}`);
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      value = raw;
    }
    const problem = checkSetting(key, value);
    if (problem !== null) throw new UsageError(`${key}: ${problem}`);
    // The analytical mirror follows when the database is next opened (or by a running server's next job).
    await withOps(opts, (ops) => saveSetting(ops, systemClock, key, value, 'cli'));
    out(opts, { key, value }, () => `${key} = ${JSON.stringify(value)}`);
  });

  const keys = program.command('keys').description('API keys (stored hashed; a key is shown once; usable while serve runs)');
  common(
    keys
      .command('create')
      .description('create a key and print it once')
      .addOption(
        new Option('--scope <scope>', 'admin, operator, analyst (phones and emails masked), integrator (ingestion only) or pos (tills: ingestion and loyalty)')
          .choices([...SCOPES])
          .makeOptionMandatory(),
      )
      .option('--name <name>', 'what the key is for', 'api'),
  ).action(async (opts: Common & { scope: Scope; name: string }) => {
    const k = await withOps(opts, (ops) => createKey(ops, systemClock, opts.scope, opts.name));
    out(opts, k, () => `${k.key}\n(key ${k.key_id}, scope ${k.scope}; store it now: it is not shown again)`);
  });
  common(keys.command('list').description('list keys (never the secrets)')).action(async (opts: Common) => {
    const rows = await withOps(opts, (ops) => listKeys(ops));
    out(opts, rows, () => (rows.length === 0 ? 'no keys' : table(rows)));
  });
  common(keys.command('revoke').description('revoke a key').argument('<key-id>')).action(async (id: string, opts: Common) => {
    const ok = await withOps(opts, (ops) => revokeKey(ops, systemClock, id));
    if (!ok) throw new UsageError(`no active key ${id}`);
    out(opts, { key_id: id, revoked: true }, () => `key ${id} revoked`);
  });

  const targets = program.command('targets').description('targets per metric (weekly or monthly), stored as the setting analysis.targets');
  common(
    targets
      .command('import')
      .description('load a targets CSV: metric,period,start,value[,weekly_change]; rows replace those of the same metric and start')
      .argument('<file>')
      .option('--replace', 'drop every existing target first'),
  ).action(async (file: string, opts: Common & { replace?: boolean }) => {
    const { rows, issues } = readTargetsFile(file);
    for (const i of issues) process.stderr.write(`${file}:${i.line}: ${i.field}: ${i.reason}\n`);
    if (rows.length === 0) {
      process.exitCode = EXIT_REFUSED;
      out(opts, { file, loaded: 0, rejected: issues }, () => `${file}: no valid target rows; nothing changed`);
      return;
    }
    const merged = await withOps(opts, async (ops) => {
      const current = (await readOpSettings(ops)).get('analysis.targets');
      const existing = isTargetList(current) ? current : [];
      const kept = opts.replace === true ? [] : existing.filter((t) => !rows.some((r) => r.metric === t.metric && r.start === t.start));
      const all = [...kept, ...rows].sort((a, b) => a.metric.localeCompare(b.metric) || a.start.localeCompare(b.start));
      const problem = checkSetting('analysis.targets', all);
      if (problem !== null) throw new UsageError(problem);
      await saveSetting(ops, systemClock, 'analysis.targets', all, 'cli');
      return all;
    });
    out(opts, { file, loaded: rows.length, rejected: issues, targets: merged.length }, () => `${file}: ${rows.length} targets loaded, ${issues.length} rejected; ${merged.length} targets in force`);
  });
  common(targets.command('list').description('show the targets')).action(async (opts: Common) => {
    const current = await withOps(opts, async (ops) => (await readOpSettings(ops)).get('analysis.targets'));
    const all = isTargetList(current) ? current : [];
    out(opts, all, () => (all.length === 0 ? 'no targets' : table(all.map((t) => ({ ...t, weekly_change: t.weekly_change ?? '' })))));
  });

  common(program.command('status').description('the two stores, the inbox (pending, loaded, rejected) and each hand-off between the stores; works while serve runs')).action(async (opts: Common) => {
    const doc = await withOps(opts, async (ops) => ({
      analytical: dbPath(opts),
      operational: ops.location,
      engine: ops.engine,
      inbox: await inboxStatus(ops),
      handoffs: await listHandoffs(ops),
      config: describeConfig(config()),
    }));
    out(opts, doc, () =>
      [
        `analytical store: ${doc.analytical} (DuckDB)`,
        `operational store: ${doc.operational} (${doc.engine})`,
        `inbox: ${doc.inbox.counts.length === 0 ? 'empty' : doc.inbox.counts.map((c) => `${c.entity} ${c.state} ${c.records}`).join(', ')}${doc.inbox.oldest_pending === null ? '' : `; oldest pending since ${doc.inbox.oldest_pending}`}`,
        doc.handoffs.length === 0 ? 'hand-offs: none run yet' : table(doc.handoffs.map((h) => ({ handoff: h.name, last_run: h.last_run_at, status: h.status, detail: JSON.stringify(h.detail) }))),
      ].join('\n'),
    );
  });

  common(
    program.command('audit').description('the audit log, newest first').option('--action <prefix>', 'only actions starting with this (for example keys.)').option('--limit <n>', 'entries', '50'),
  ).action(async (opts: Common & { action?: string; limit: string }) => {
    const rows = await withOps(opts, (ops) => readAudit(ops, { limit: Number(opts.limit), ...(opts.action !== undefined ? { action: opts.action } : {}) }));
    out(opts, rows, () => (rows.length === 0 ? 'no entries' : table(rows.map((r) => ({ ...r, detail: JSON.stringify(r.detail) })))));
  });

  const inbox = program.command('inbox').description('the ingestion inbox of the API');
  common(
    inbox
      .command('load')
      .description('load pending inbox records into the member base now (a running server does this every few seconds)')
      .option('--batch <n>', 'records per import at most', '100000'),
  ).action(async (opts: Common & { batch: string }) => {
    const r = await withDb(opts, async (db, ops) => {
      const loaded = await loadPending(db, ops, systemClock, { batch: Number(opts.batch), rejectsDir: join(dirname(resolve(dbPath(opts))), 'rejects') });
      const published = await publishIdentities(db, ops, systemClock);
      return { ...loaded, published_identities: published.identities };
    });
    out(opts, r, () => `${r.loaded} records loaded (${r.duplicate} already known), ${r.rejected} rejected, in ${r.batches} batches; ${r.published_identities} identities published`);
  });

  common(
    program
      .command('serve')
      .description('serve the HTTP API and the web console (PORT, HOST)')
      .option('--port <n>', 'port (default: $PORT or 3000)')
      .option('--host <h>', 'interface (default: $HOST or 127.0.0.1)')
      .addOption(
        new Option(
          '--role <role>',
          'all: every route, the scheduler and the inbox loader (one process holds the analytical file); api: operational routes only (ingestion inbox, keys, settings, loyalty, coupons), no analytical file, as many processes as wanted (on PostgreSQL with --pg, or on the SQLite file beside --db on this machine)',
        )
          .choices(['all', 'api'])
          .default('all'),
      ),
  ).action(async (opts: Common & { port?: string; host?: string; role: 'all' | 'api' }) => {
    const url = pgUrl(opts);
    // A server's event loop must not wait on the disk: SQLite's checkpoints run in a worker thread.
    const stores =
      opts.role === 'all' ? await openStores(dbPath(opts), url, 'background') : { db: undefined, ops: await openOps(opsLocation(dbPath(opts), url, 'background')), close: async () => undefined };
    const server = await serve(stores.ops, stores.db, systemClock, {
      ...(opts.port !== undefined ? { port: Number(opts.port) } : {}),
      ...(opts.host !== undefined ? { host: opts.host } : {}),
      rejectsDir: join(dirname(resolve(dbPath(opts))), 'rejects'),
    });
    const what = opts.role === 'all' ? `${dbPath(opts)} with its operational store ${stores.ops.location}` : `the operational store ${stores.ops.location} (role api)`;
    process.stderr.write(`regulars: serving ${what} at ${server.url} (API docs ${server.url}/api/docs); Ctrl-C stops\n`);
    const stop = (): void => {
      void server
        .close()
        .then(async () => {
          await stores.close();
          if (opts.role === 'api') await stores.ops.close();
        })
        .finally(() => process.exit(0));
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
