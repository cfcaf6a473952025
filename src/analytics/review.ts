/**
 * The weekly business review: one document for the owner, in Markdown and HTML, assembled from
 * the stored reports (KPI tree and its decomposition, the seven links, repeat metrics against
 * target, lifecycle and migration, biggest movers by channel and category). Both renderings come
 * from one list of blocks, so they always say the same thing.
 */
import { fromUnits, toUnits } from '../core/decimal.js';
import type { KpiComparison, KpiFigures, ReportResults, ReviewFacts, ServiceResult } from '../contracts/index.js';

type Block = { h: string } | { p: string } | { list: string[] } | { table: Array<Record<string, string>> };

type KpiResult = ReportResults['kpi'];

/** What the review is made of: the typed results of the reports it reads (their schemas: src/contracts). */
export interface ReviewInputs {
  from: string;
  to: string;
  kpi: KpiResult;
  byChannel: KpiResult;
  byCategory: KpiResult;
  links: ReportResults['links'];
  repeat: ReportResults['repeat'];
  lifecycle: ReportResults['lifecycle'];
  migration: ReportResults['migration'];
  rules: string[];
  /** The customer-service league table of the period (src/service), when there were sessions. */
  service?: ServiceResult;
  /** The segment the review is restricted to, when it is. */
  segment?: string;
}

/** '1234567.8900' -> '1,234,567.89' (string arithmetic: money never goes through a float). */
export function money(s: unknown): string {
  if (s === null || s === undefined) return 'n/a';
  const text = String(s);
  const neg = text.startsWith('-');
  const [int = '0', frac = ''] = (neg ? text.slice(1) : text).split('.');
  let cents = BigInt(int) * 100n + BigInt(`${frac}00`.slice(0, 2)) + (Number(`${frac}000`[2]) >= 5 ? 1n : 0n);
  const whole = (cents / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  cents %= 100n;
  return `${neg && (whole !== '0' || cents !== 0n) ? '-' : ''}${whole}.${cents.toString().padStart(2, '0')}`;
}
const signedMoney = (s: unknown): string => (String(s).startsWith('-') ? money(s) : `+${money(s)}`);
const pct = (x: number | null, places = 1): string => (x === null || !Number.isFinite(x) ? 'n/a' : `${(x * 100).toFixed(places)}%`);
const change = (cur: unknown, base: unknown): string => {
  const c = Number(cur);
  const b = Number(base);
  if (base === null || base === undefined || b === 0) return 'n/a';
  const r = (c - b) / Math.abs(b);
  return `${r >= 0 ? '+' : ''}${(r * 100).toFixed(1)}%`;
};
const rate = (s: unknown): string => (s === null || s === undefined ? 'n/a' : pct(Number(s)));
/** A target cell: empty when there is no target. */
const goal = (s: unknown, f: (v: unknown) => string = rate): string => (s === null || s === undefined ? '' : f(s));

const DRIVER_NAMES: Record<string, string> = {
  buyers: 'number of buyers',
  orders_per_buyer: 'orders per buyer',
  average_order_value: 'average order value',
  visitors: 'visitors',
  conversion: 'conversion',
  appeared: 'new in this period',
  disappeared: 'absent in this period',
  sign_change: 'sign change',
};

/** Contributions summed per driver over the branches (cents, as bigint, so the sums stay exact). */
function byDriver(c: KpiComparison): Array<[string, bigint]> {
  const sums = new Map<string, bigint>();
  for (const b of c.branches) {
    for (const [d, v] of Object.entries(b.contributions)) sums.set(d, (sums.get(d) ?? 0n) + toUnits(v, 2));
  }
  return [...sums].sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
}
const centsText = (c: bigint): string => signedMoney(`${c < 0n ? '-' : ''}${(c < 0n ? -c : c) / 100n}.${((c < 0n ? -c : c) % 100n).toString().padStart(2, '0')}`);

/** Dimension values ranked by their change in gross sales against the previous period. */
function movers(doc: KpiResult): Array<{ name: string; base: string; current: string; change: bigint }> {
  const c = doc.comparisons[0];
  const per = new Map<string, { base: bigint; current: bigint }>();
  for (const b of c?.branches ?? []) {
    const t = per.get(b.dim) ?? { base: 0n, current: 0n };
    per.set(b.dim, { base: t.base + toUnits(b.base.gross), current: t.current + toUnits(b.current.gross) });
  }
  const fmt = (u: bigint): string => fromUnits(u);
  return [...per]
    .map(([name, t]) => ({ name, base: fmt(t.base), current: fmt(t.current), change: t.current - t.base }))
    .sort((a, b) => (a.change < b.change ? -1 : a.change > b.change ? 1 : a.name.localeCompare(b.name)));
}

const decimalOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const countOf = (v: unknown): number | string => (typeof v === 'number' ? v : String(v ?? 0));
const relative = (cur: unknown, base: unknown): number | null => {
  const b = Number(base);
  if (base === null || base === undefined || b === 0 || !Number.isFinite(b)) return null;
  return (Number(cur) - b) / Math.abs(b);
};
/** Movers of a drill-down, the three that rose most and the three that fell most, largest rise first. */
function topMovers(doc: KpiResult): Array<{ name: string; base: string; current: string; change: bigint }> {
  const m = movers(doc);
  return [...m.slice(-3), ...m.slice(0, 3)]
    .filter((v, i, a) => a.findIndex((y) => y.name === v.name) === i)
    .sort((a, b) => (a.change > b.change ? -1 : a.change < b.change ? 1 : a.name.localeCompare(b.name)));
}
const unitsText = (u: bigint): string => fromUnits(u);
/** The KPI targets of the period (none when the report says there is no target). */
const targetsOf = (kpi: KpiResult) => (Array.isArray(kpi.targets) ? kpi.targets : []);
/** The five largest stage moves up or down. */
const largestMoves = (m: ReportResults['migration']) =>
  m.matrix
    .filter((r) => r.direction !== 'same')
    .sort((a, b) => Number(b.members) - Number(a.members))
    .slice(0, 5);

/**
 * The review's facts (the same figures as the blocks below), for readers that word them in their
 * own language: the console builds its sentences from dictionary keys with these as parameters.
 */
export function reviewFacts(x: ReviewInputs, segment: ReviewFacts['segment'] = null): ReviewFacts {
  const { current: cur, previous: prev, last_year: ly } = x.kpi.summary;
  const salesTarget = targetsOf(x.kpi).find((t) => t.metric === 'gross_sales');
  const weak = x.links.weakest_link;
  const weakRow = x.links.links.find((l) => l.link === weak.link);
  const cohorts = x.repeat.second_purchase;
  const last = cohorts[cohorts.length - 1];
  const active = x.repeat.active_repeat;
  const totals = x.migration.totals;
  const moves: ReviewFacts['migration']['moves'] = largestMoves(x.migration).map((m) => ({
    from_stage: m.from_stage,
    to_stage: m.to_stage,
    members: countOf(m.members),
    direction: m.direction === 'positive' ? 'positive' : 'negative',
  }));
  const traffic = x.kpi.traffic_view[0];
  const mover = (v: { name: string; base: string; current: string; change: bigint }) => ({ name: v.name, before: v.base, now: v.current, change: unitsText(v.change) });
  return {
    period: { from: x.from, to: x.to },
    segment,
    sales: {
      gross: String(cur.gross_sales ?? '0'),
      net: String(cur.net_sales ?? '0'),
      previous: String(prev.gross_sales ?? '0'),
      last_year: String(ly.gross_sales ?? '0'),
      vs_previous: relative(cur.gross_sales, prev.gross_sales),
      vs_last_year: relative(cur.gross_sales, ly.gross_sales),
      target: decimalOrNull(salesTarget?.target),
      attainment: decimalOrNull(salesTarget?.attainment),
    },
    buyers: {
      buyers: countOf(cur.buyers),
      new_buyers: countOf(cur.new_buyers),
      returning_buyers: countOf(cur.returning_buyers),
      guest_orders: countOf(cur.guest_orders),
      orders: countOf(cur.orders),
      average_order_value: decimalOrNull(cur.average_order_value),
    },
    moved: x.kpi.comparisons.map((c) => ({
      against: c.against === 'same period last year' ? 'same period last year' : 'previous period',
      total: String(c.total),
      drivers: [...byDriver(c)].sort((a, b) => ((a[1] < 0n ? -a[1] : a[1]) > (b[1] < 0n ? -b[1] : b[1]) ? -1 : 1)).map(([driver, cents]) => ({ driver, contribution: fromUnits(cents, 2) })),
    })),
    no_visit_data: (traffic?.without_visit_data ?? []).map((w) => String(w.channel)),
    weakest: {
      link: weak.link,
      by: weak.by,
      value: decimalOrNull(weakRow?.value),
      previous: decimalOrNull(weakRow?.previous),
      target: decimalOrNull(weakRow?.target),
      relative_change: decimalOrNull(weakRow?.relative_change),
      attainment: decimalOrNull(weakRow?.attainment),
    },
    second_purchase: last === undefined ? null : { cohort: String(last.cohort), new_buyers: countOf(last.new_buyers), rate: decimalOrNull(last.rate), target: decimalOrNull(last.target) },
    active_repeat: { rate: decimalOrNull(active.rate), target: decimalOrNull(active.target) },
    migration: { from: x.from, positive: countOf(totals.positive), negative: countOf(totals.negative), same: countOf(totals.same), moves },
    movers: { channel: topMovers(x.byChannel).map(mover), category: topMovers(x.byCategory).map(mover) },
  };
}

/** The review as one list of blocks (headings, paragraphs, lists, tables), rendered by toMarkdown and toHtml. */
export function buildReview(x: ReviewInputs): Block[] {
  const blocks: Block[] = [];
  const { current: cur, previous: prev, last_year: ly } = x.kpi.summary;
  const targets = targetsOf(x.kpi);
  const salesTarget = targets.find((t) => t.metric === 'gross_sales');
  blocks.push({ h: `Weekly business review${x.segment !== undefined ? ` of segment ${x.segment}` : ''}, ${x.from} to ${x.to}` });
  blocks.push({
    p:
      `Gross sales were ${money(cur.gross_sales)}, ${change(cur.gross_sales, prev.gross_sales)} against the previous period and ${change(cur.gross_sales, ly.gross_sales)} against the same period last year` +
      (salesTarget === undefined ? ' (no sales target set).' : `, ${pct(Number(salesTarget.attainment))} of the target of ${money(salesTarget.target)}.`) +
      ` Net of returns: ${money(cur.net_sales)}. ${String(cur.buyers)} buyers (${String(cur.new_buyers)} new, ${String(cur.returning_buyers)} returning, ${String(cur.guest_orders)} guest orders) placed ${String(cur.orders)} orders worth ${money(cur.average_order_value)} on average.`,
  });
  const metric = (k: keyof KpiFigures, f: (v: unknown) => string): Record<string, string> => {
    const t = targets.find((r) => r.metric === k);
    return {
      metric: k.replace(/_/g, ' '),
      'this period': f(cur[k]),
      previous: f(prev[k]),
      'vs previous': change(cur[k], prev[k]),
      'last year': f(ly[k]),
      'vs last year': change(cur[k], ly[k]),
      target: goal(t?.target, f),
    };
  };
  const count = (v: unknown): string => (v === null || v === undefined ? 'n/a' : String(v));
  blocks.push({
    table: [
      metric('gross_sales', money),
      metric('net_sales', money),
      metric('buyers', count),
      metric('new_buyers', count),
      metric('returning_buyers', count),
      metric('orders', count),
      metric('average_order_value', money),
      metric('visitors', count),
      metric('conversion', rate),
    ],
  });

  blocks.push({ h: 'What moved, and why' });
  for (const c of x.kpi.comparisons) {
    const drivers = byDriver(c);
    const top = [...drivers].sort((a, b) => ((a[1] < 0n ? -a[1] : a[1]) > (b[1] < 0n ? -b[1] : b[1]) ? -1 : 1))[0];
    blocks.push({
      p:
        `Against the ${c.against}, sales changed by ${signedMoney(c.total)}` +
        (top === undefined ? '.' : `; the largest driver was ${DRIVER_NAMES[top[0]] ?? top[0]} (${centsText(top[1])}).`) +
        ' Split by driver (log-mean Divisia; the parts add up to the change to the cent):',
    });
    blocks.push({ table: drivers.map(([d, v]) => ({ driver: DRIVER_NAMES[d] ?? d, contribution: centsText(v) })) });
    blocks.push({
      table: c.branches.map((b) => ({
        branch: b.branch,
        'sales before': money(b.base.gross),
        'sales now': money(b.current.gross),
        buyers: `${String(b.base.buyers)} -> ${String(b.current.buyers)}`,
        orders: `${String(b.base.orders)} -> ${String(b.current.orders)}`,
        contributions: Object.entries(b.contributions)
          .map(([d, v]) => `${DRIVER_NAMES[d] ?? d} ${signedMoney(v)}`)
          .join('; '),
      })),
    });
  }
  const traffic = x.kpi.traffic_view[0];
  if (traffic !== undefined) {
    const without = traffic.without_visit_data.map((w) => String(w.channel));
    const rows = traffic.branches.map((b) => ({
      channel: b.dim,
      visitors: `${String(b.base.visitors)} -> ${String(b.current.visitors)}`,
      conversion: `${pct(Number(b.base.buyers) / Number(b.base.visitors))} -> ${pct(Number(b.current.buyers) / Number(b.current.visitors))}`,
      contributions: Object.entries(b.contributions)
        .map(([d, v]) => `${DRIVER_NAMES[d] ?? d} ${signedMoney(v)}`)
        .join('; '),
    }));
    if (rows.length > 0) blocks.push({ p: 'Traffic view (channels with visit data), against the previous period:' }, { table: rows });
    if (without.length > 0) blocks.push({ p: `No visit data for ${without.join(', ')}: no conversion rate is given for ${without.length === 1 ? 'it' : 'them'}.` });
  }

  blocks.push({ h: 'The seven marketing links' });
  const weakest = x.links.weakest_link;
  blocks.push({ p: weakest.link === null ? 'Not enough data to name the weakest link.' : `Weakest link (${String(weakest.by)}): ${weakest.text}.` });
  blocks.push({
    table: x.links.links.map((l) => {
      const isCount = l.link === '1 traffic' || l.link === '7 churn and win-back';
      const f = (v: unknown): string => (v === null || v === undefined ? 'n/a' : isCount ? String(Math.round(Number(v))) : rate(v));
      return {
        link: l.link,
        metric: l.metric,
        'this period': f(l.value),
        previous: f(l.previous),
        'trailing 8 weeks': f(l.trailing_8_weeks),
        target: goal(l.target, f),
      };
    }),
  });

  blocks.push({ h: 'Repeat purchase' });
  const recent = x.repeat.second_purchase.slice(-4);
  const active = x.repeat.active_repeat;
  const lastCohort = recent[recent.length - 1];
  blocks.push({
    p:
      (lastCohort === undefined
        ? 'No first-purchase cohort has had its full second-purchase window yet. '
        : `Of the newest complete cohort (${lastCohort.cohort}), ${rate(lastCohort.rate)} bought again within the window${goal(lastCohort.target) === '' ? '' : ` (target ${rate(lastCohort.target)})`}. `) +
      `Active repeat-purchase rate: ${rate(active.rate)}${active.target === null || active.target === undefined ? '' : ` against a target of ${rate(active.target)}`}.`,
  });
  if (recent.length > 0) {
    blocks.push({
      table: recent.map((c) => ({
        cohort: c.cohort,
        'new buyers': String(c.new_buyers),
        'bought again': String(c.second_buyers),
        rate: rate(c.rate),
        target: goal(c.target),
        note: c.left_censored === true ? 'first period of the data (left-censored)' : '',
      })),
    });
  }
  const periods = x.repeat.periods.slice(-3);
  if (periods.length > 0) blocks.push({ table: periods.map((p) => ({ period: p.period, buyers: String(p.buyers), retention: rate(p.retention_rate), 'repeat rate': rate(p.repeat_rate) })) });

  blocks.push({ h: 'Members by lifecycle stage' });
  blocks.push({ table: x.lifecycle.stages.map((s) => ({ stage: s.stage, members: String(s.members) })) });
  const totals = x.migration.totals;
  blocks.push({ p: `Since ${x.from}: ${totals.positive} members moved up a stage and ${totals.negative} moved down (${totals.same} stayed). The largest moves:` });
  blocks.push({ list: largestMoves(x.migration).map((f) => `${f.from_stage} to ${f.to_stage}: ${String(f.members)} (${f.direction})`) });

  blocks.push({ h: 'Biggest movers' });
  const drillDowns: Array<[string, KpiResult]> = [
    ['channel', x.byChannel],
    ['category', x.byCategory],
  ];
  for (const [label, doc] of drillDowns) {
    const pick = topMovers(doc);
    blocks.push({ p: `By ${label}, against the previous period:` });
    blocks.push({
      table: pick.map((v) => ({
        [label]: v.name,
        before: money(v.base),
        now: money(v.current),
        change: signedMoney(`${v.change < 0n ? '-' : ''}${(v.change < 0n ? -v.change : v.change) / 10000n}.${((v.change < 0n ? -v.change : v.change) % 10000n).toString().padStart(4, '0')}`),
      })),
    });
  }

  const agents = x.service?.agents ?? [];
  if (agents.length > 0) {
    blocks.push({ h: 'Customer service: agents' });
    blocks.push({
      table: agents.map((a) => ({
        agent: a.agent,
        sessions: String(a.sessions),
        'inquiry conversion': rate(a.inquiry_conversion),
        sales: money(a.sales),
        'order value': a.order_value === null ? '' : money(a.order_value),
        'first response (s)': String(a.first_response_seconds ?? ''),
        'words per reply': String(a.words_per_reply ?? ''),
        'good / bad reviews': `${String(a.good_reviews)} / ${String(a.bad_reviews)}`,
      })),
    });
  }

  blocks.push({ h: 'How these figures are made' });
  blocks.push({ list: x.rules });
  return blocks;
}

const escHtml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const escMd = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function toMarkdown(blocks: Block[]): string {
  let first = true;
  const out: string[] = [];
  for (const b of blocks) {
    if ('h' in b) {
      out.push(`${first ? '#' : '##'} ${b.h}`);
      first = false;
    } else if ('p' in b) out.push(b.p);
    else if ('list' in b) out.push(b.list.length === 0 ? '- (none)' : b.list.map((i) => `- ${i}`).join('\n'));
    else {
      const cols = Object.keys(b.table[0] ?? {});
      if (cols.length === 0) out.push('(no data)');
      else out.push([`| ${cols.join(' | ')} |`, `|${cols.map(() => '---').join('|')}|`, ...b.table.map((r) => `| ${cols.map((c) => escMd(r[c] ?? '')).join(' | ')} |`)].join('\n'));
    }
  }
  return `${out.join('\n\n')}\n`;
}

export function toHtml(blocks: Block[]): string {
  let first = true;
  let title = 'Weekly business review';
  const body: string[] = [];
  for (const b of blocks) {
    if ('h' in b) {
      if (first) title = b.h;
      body.push(first ? `<h1>${escHtml(b.h)}</h1>` : `<h2>${escHtml(b.h)}</h2>`);
      first = false;
    } else if ('p' in b) body.push(`<p>${escHtml(b.p)}</p>`);
    else if ('list' in b) body.push(`<ul>${b.list.map((i) => `<li>${escHtml(i)}</li>`).join('')}</ul>`);
    else {
      const cols = Object.keys(b.table[0] ?? {});
      body.push(
        cols.length === 0
          ? '<p>(no data)</p>'
          : `<table><thead><tr>${cols.map((c) => `<th>${escHtml(c)}</th>`).join('')}</tr></thead><tbody>${b.table.map((r) => `<tr>${cols.map((c) => `<td>${escHtml(r[c] ?? '')}</td>`).join('')}</tr>`).join('')}</tbody></table>`,
      );
    }
  }
  const css =
    'body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}table{border-collapse:collapse;margin:.5rem 0 1rem}th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left}th{background:#f3f3f3}h2{margin-top:2rem;border-bottom:1px solid #ddd}';
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${escHtml(title)}</title><style>${css}</style></head><body>\n${body.join('\n')}\n</body></html>\n`;
}
