/**
 * The durable scheduler. Every decision lives in campaign_sends; a run of `runDue` launches
 * due runs of repeated campaigns, plans conditional waves whose time has come, and sends what
 * is due, guard by guard. A send is marked 'sending' (committed) before its channel is called
 * and 'sent' after, so an interruption in between is resent with the same idempotency key:
 * at least once, with a key every receiver can deduplicate on (docs/decisions/0005).
 */
import { int, namedStatements, sqlFile, str, type Db, type Row } from '../core/db/index.js';
import type { Clock } from '../core/clock.js';
import { getSetting, quietHours } from '../core/settings/index.js';
import { createChannel, validateChannelConfig, type ChannelAdapter, type OutboundMessage, type SendResult } from '../channels/index.js';
import { CampaignError, getMessageChannel, launchedCampaigns, markFailed } from './store.js';
import type { OpQueries, OpStore } from '../ops/index.js';
import { launchCampaign, listRuns, runStartsAt, shopNow } from './launch.js';
import { planTime, planWave, waveTime } from './plan.js';
import type { CampaignDefinition } from './definition.js';

const SQL = namedStatements(sqlFile(import.meta.url, 'campaigns.sql'));

/**
 * Variables of a message that another store holds per member (a member's own coupon code, for
 * `{{coupon}}`): for one run and a batch of its members, each member's extra variables. A member
 * left out gets none, and a template that needs one fails that send with the reason.
 */
export type MemberVariables = (campaignId: string, runId: number, memberIds: readonly string[]) => Promise<ReadonlyMap<string, Readonly<Record<string, string>>>>;

/** Finds the adapter for a stored channel name (the CLI builds real ones; tests inject their own). */
export type ChannelResolver = (name: string) => Promise<ChannelAdapter>;

/** Builds adapters from the channels stored in the database (`regulars channels set`). */
export function storedChannels(ops: OpQueries): ChannelResolver {
  return async (name) => {
    const raw = await getMessageChannel(ops, name);
    if (raw === null) throw new CampaignError(`no message channel ${name}: create it with regulars channels set ${name} --config ...`, [], 'not_found');
    const v = validateChannelConfig(raw);
    if (!v.ok) throw new CampaignError(`message channel ${name} is invalid`, v.errors);
    return createChannel(v.config);
  };
}

export interface RunReport {
  readonly now: string;
  readonly quiet: boolean;
  readonly launched: string[];
  readonly planned: Array<{ campaign_id: string; run_id: number; wave_id: string; sends: number }>;
  readonly sent: number;
  readonly failed: number;
  readonly retry: number;
  readonly suppressed: Record<string, number>;
  /** Campaigns marked failed by this run (their channel could not be had), with the reason. */
  readonly failures: Array<{ campaign_id: string; reason: string }>;
}

/** Raised after a run in which a channel adapter crashed mid-send; the other campaigns were served first. */
export class SendCrash extends Error {
  constructor(readonly crashes: ReadonlyArray<{ campaign_id: string; error: unknown }>) {
    const first = crashes[0]?.error;
    super(first instanceof Error ? first.message : String(first));
    this.name = 'SendCrash';
  }
}

/** The address a consent channel needs ('' when the channel needs none of ours). */
function addressKind(consentChannel: string): string {
  if (consentChannel === 'email') return 'email';
  if (consentChannel === 'sms' || consentChannel === 'phone') return 'phone';
  if (consentChannel === 'wechat') return 'wechat';
  return '';
}

function inQuiet(now: string, quiet: { start: number; end: number } | null): boolean {
  if (quiet === null) return false;
  const m = Number(now.slice(11, 13)) * 60 + Number(now.slice(14, 16));
  return quiet.start > quiet.end ? m >= quiet.start || m < quiet.end : m >= quiet.start && m < quiet.end;
}

function message(
  row: Row,
  campaignId: string,
  runId: number,
  wave: { id: string; template: OutboundMessage['template'] },
  campaignName: string,
  extra: Readonly<Record<string, string>> = {},
): OutboundMessage {
  const memberId = str(row, 'member_id') ?? '';
  const opt = (col: string): string | undefined => str(row, col) ?? undefined;
  const email = opt('email');
  const phone = opt('phone');
  const wechat = opt('wechat');
  const name = opt('name');
  return {
    idempotencyKey: str(row, 'send_key') ?? '',
    campaignId,
    waveId: wave.id,
    recipient: { memberId, ...(email === undefined ? {} : { email }), ...(phone === undefined ? {} : { phone }), ...(wechat === undefined ? {} : { wechat }), ...(name === undefined ? {} : { name }) },
    template: wave.template,
    variables: { ...extra, member_id: memberId, name: name ?? '', campaign: campaignName, run: String(runId), wave: wave.id },
    scheduledFor: str(row, 'due_at') ?? '',
  };
}

/**
 * Does everything that is due now, then returns what it did. A campaign whose channel cannot be
 * had (missing or invalid) is marked failed with the reason, and the others keep sending. An
 * adapter that throws is treated as a crash of that campaign's sending: the sends it was given
 * stay 'sending', to be resent with the same key by the next run; the other campaigns are served,
 * then a SendCrash is raised.
 */
export async function runDue(db: Db, ops: OpStore, clock: Clock, resolve: ChannelResolver, opts: { batch?: number; variables?: MemberVariables } = {}): Promise<RunReport> {
  const now = await shopNow(db, clock);
  const batch = opts.batch ?? 500;
  const report: RunReport = { now, quiet: false, launched: [], planned: [], sent: 0, failed: 0, retry: 0, suppressed: {}, failures: [] };

  // 1. Repeated campaigns: launch the next run once its first wave's time has come. The launched
  // campaigns come from the operational store; their runs from the analytical one, by ID.
  for (const c of await launchedCampaigns(ops)) {
    const def = c.definition;
    if (def.repeat === undefined) continue;
    const runs = await listRuns(db, c.campaign_id);
    const next = Math.max(0, ...runs.map((r) => r.run_id)) + 1;
    const first = def.waves[0];
    if (next > def.repeat.runs || first === undefined || waveTime(runStartsAt(def, next), first) > now) continue;
    await launchCampaign(db, ops, clock, c.campaign_id, { runId: next });
    report.launched.push(`${c.campaign_id}:${next}`);
  }

  // 2. Conditional waves whose time has come are planned now, from the events seen so far.
  const launched = new Map((await launchedCampaigns(ops)).map((c) => [c.campaign_id, c.definition]));
  const live: Array<{ id: string; runId: number; name: string; waves: CampaignDefinition['waves'] }> = [];
  for (const row of await db.all(SQL('campaign_runs_all'))) {
    const id = str(row, 'campaign_id') ?? '';
    const def = launched.get(id);
    if (def === undefined) continue;
    const runId = int(row, 'run_id');
    const startsAt = str(row, 'starts_at') ?? '';
    const done = new Set((await db.all(SQL('planned_waves'), [id, runId])).map((r) => str(r, 'wave_id')));
    for (const wave of def.waves) {
      if (done.has(wave.id) || planTime(startsAt, wave) > now) continue;
      const sends = await db.transaction(() => planWave(db, id, runId, startsAt, wave, now));
      report.planned.push({ campaign_id: id, run_id: runId, wave_id: wave.id, sends });
    }
    live.push({ id, runId, name: def.name, waves: def.waves });
  }

  // 3. Nothing goes out in quiet hours (a catch-up after downtime waits for the morning too).
  if (inQuiet(now, quietHours(await getSetting(db, 'campaigns.quiet_hours')))) return { ...report, quiet: true };

  const dueWaves = new Set((await db.all(SQL('due_waves'), [now])).map((r) => `${str(r, 'campaign_id') ?? ''}|${int(r, 'run_id')}|${str(r, 'wave_id') ?? ''}`));
  if (dueWaves.size === 0) return report;
  const capMessages = await getSetting(db, 'campaigns.pressure_cap_messages');
  const capDays = await getSetting(db, 'campaigns.pressure_cap_days');
  const maxAttempts = await getSetting(db, 'campaigns.max_attempts');
  const adapters = new Map<string, ChannelAdapter>();
  let sent = 0;
  let failed = 0;
  let retry = 0;
  const suppressed: Record<string, number> = {};
  const crashes: Array<{ campaign_id: string; error: unknown }> = [];
  const failedCampaigns = new Set<string>();
  try {
    for (const run of live) {
      if (failedCampaigns.has(run.id)) continue;
      for (const wave of run.waves) {
        if (!dueWaves.has(`${run.id}|${run.runId}|${wave.id}`)) continue;
        let adapter = adapters.get(wave.channel);
        if (adapter === undefined) {
          // A channel that cannot be had fails its campaign, not the others (they keep sending).
          try {
            adapter = await resolve(wave.channel);
          } catch (err) {
            if (!(err instanceof CampaignError)) throw err;
            const reason = `wave ${wave.id}: ${err.message}`;
            await markFailed(ops, run.id, reason, clock.now());
            report.failures.push({ campaign_id: run.id, reason });
            failedCampaigns.add(run.id);
            break;
          }
          adapters.set(wave.channel, adapter);
        }
        try {
          for (;;) {
            const rows = await db.all(SQL('due_batch'), [now, run.id, run.runId, wave.id, adapter.consentChannel, addressKind(adapter.consentChannel), capMessages, capDays, batch]);
            if (rows.length === 0) break;
            const blocked = rows.filter((r) => str(r, 'reason') !== null);
            if (blocked.length > 0) {
              await db.run(SQL('suppress'), [JSON.stringify(blocked.map((r) => str(r, 'send_key'))), now, JSON.stringify(blocked.map((r) => str(r, 'reason')))]);
              for (const r of blocked) suppressed[str(r, 'reason') ?? ''] = (suppressed[str(r, 'reason') ?? ''] ?? 0) + 1;
            }
            const go = rows.filter((r) => str(r, 'reason') === null);
            if (go.length === 0) continue;
            await db.run(SQL('mark_sending'), [JSON.stringify(go.map((r) => str(r, 'send_key'))), now]);
            const extra =
              opts.variables === undefined
                ? new Map<string, Readonly<Record<string, string>>>()
                : await opts.variables(
                    run.id,
                    run.runId,
                    go.map((r) => str(r, 'member_id') ?? ''),
                  );
            for (const r of go) {
              const msg = message(r, run.id, run.runId, wave, run.name, extra.get(str(r, 'member_id') ?? ''));
              const result: SendResult = await adapter.send(msg);
              const key = msg.idempotencyKey;
              if (result.status === 'sent') {
                await db.run(SQL('mark_sent'), [key, result.providerId ?? null, now]);
                sent++;
              } else if (result.status === 'failed') {
                await db.run(SQL('mark_failed'), [key, result.error, now]);
                failed++;
              } else {
                const attempts = int(await db.one('SELECT attempts FROM campaign_sends WHERE send_key = $1', [key]), 'attempts');
                if (attempts >= maxAttempts) {
                  await db.run(SQL('mark_failed'), [key, `gave up after ${attempts} attempts: ${result.error}`, now]);
                  failed++;
                } else {
                  // Doubling backoff, or longer when the receiver asked for a longer wait (Retry-After).
                  const asked = result.retryAfterMs === undefined ? 0 : Math.ceil(result.retryAfterMs / 60_000);
                  await db.run(SQL('mark_retry'), [key, result.error, now, Math.max(Math.min(2 ** (attempts - 1), 360), asked)]);
                  retry++;
                }
              }
            }
          }
        } catch (err) {
          // An adapter that throws is a crash of this campaign's sending: the batch it was given
          // stays 'sending' (resent under the same keys by a later run); the other campaigns go on,
          // and the crash is raised once they are served.
          crashes.push({ campaign_id: run.id, error: err });
          failedCampaigns.add(run.id);
          break;
        }
      }
    }
  } finally {
    for (const a of adapters.values()) await a.close();
  }
  if (crashes.length > 0) throw new SendCrash(crashes);
  return { ...report, sent, failed, retry, suppressed };
}
