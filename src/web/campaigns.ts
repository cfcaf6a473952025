/** The campaigns page: the list, and per campaign the uplift with intervals, waves, funnel and verdict. */
import { h, table, type Ctx } from './main.js';

type R = Record<string, unknown>;
const num = (v: unknown): number => Number(v ?? 0);
const list = (v: unknown): R[] => (Array.isArray(v) ? v.filter((x): x is R => typeof x === 'object' && x !== null) : []);
const obj = (v: unknown): R => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as R) : {});

/** One uplift as a box from the 95% low to high with the estimate as its middle line. */
function intervalChart(c: Ctx, parent: HTMLElement, ev: R): void {
  const rows: Array<[string, R, number]> = [
    [c.t('response_uplift'), obj(ev['response_uplift']), 100],
    [c.t('revenue_uplift'), obj(ev['revenue_uplift']), 1],
    [c.t('margin_uplift'), obj(ev['margin_uplift']), 1],
  ];
  const withheld = obj(ev['withheld']);
  for (const [label, i, scale] of rows) {
    if (typeof i['low'] !== 'number') {
      // Revenue and margin are not judged where too few members bought: say why instead of drawing.
      const key = label === c.t('revenue_uplift') ? 'revenue' : 'margin';
      parent.append(h('p', { class: 'note', 'data-withheld': key }, `${label}: ${String(withheld[key] ?? '-')}`));
      continue;
    }
    const lo = num(i['low']) * scale;
    const hi = num(i['high']) * scale;
    const est = num(i['estimate']) * scale;
    const covers = lo <= 0 && hi >= 0;
    c.chart(parent, {
      title: { text: `${label}: ${est.toFixed(2)} [${lo.toFixed(2)}, ${hi.toFixed(2)}]`, textStyle: { fontSize: 13 } },
      grid: { left: 40, right: 40, top: 40, bottom: 24 },
      xAxis: { type: 'value', scale: true, min: Math.min(lo, 0) - Math.abs(hi - lo) * 0.2, max: Math.max(hi, 0) + Math.abs(hi - lo) * 0.2 },
      yAxis: { type: 'category', data: [''] },
      series: [
        { type: 'boxplot', data: [[lo, lo, est, hi, hi]], itemStyle: { color: covers ? '#e0e6ed' : '#cfe8d2', borderColor: covers ? '#829ab1' : '#3f9142' }, markLine: { symbol: 'none', data: [{ xAxis: 0 }], lineStyle: { color: '#c8372d' } } },
      ],
    }, 110);
  }
}

async function detail(c: Ctx, id: string, out: HTMLElement): Promise<void> {
  const [shown, evaluation] = await Promise.all([c.api<R>(`/api/campaigns/${encodeURIComponent(id)}${c.filters.as_of === '' ? '' : `?as_of=${encodeURIComponent(c.filters.as_of)}`}`), c.api<R>(`/api/campaigns/${encodeURIComponent(id)}/evaluation`)]);
  const def = obj(shown['definition']);
  const power = obj(shown['power']);
  out.replaceChildren(h('h3', { id: 'campaign-title' }, `${String(shown['name'])} · ${String(shown['status'])}`));
  out.append(
    h('p', { class: 'note' }, `T ${String(def['starts_at'])} · ${c.t('control_group')} ${String(obj(def['control'])['percent'])}% · ${c.t('goal')} ${String(def['goal'])} · ${c.t('attribution')} ${String(def['attribution_days'])}d`),
    h('p', { class: 'note', id: 'campaign-power' }, `${c.t('power')}: ${c.t('audience')} ${String(power['audience'])}, ${c.t('baseline')} ${(num(power['baseline_rate']) * 100).toFixed(2)}%; +${String(power['detect_uplift_points'])} pt ${c.t('needs')} ${String(power['required_audience'])}; ${c.t('detectable')} ${power['detectable_uplift_points'] === null ? 'n/a' : `${num(power['detectable_uplift_points']).toFixed(2)} pt`}; ${String(power['as_of'] ?? '')}; ${c.t('revenue_uplift')} ${power['detectable_revenue_uplift'] === null ? 'n/a' : num(power['detectable_revenue_uplift']).toFixed(2)}`),
  );
  if (shown['status'] === 'draft') {
    const zh = c.lang === 'zh';
    const asOf = c.filters.as_of === '' ? String(power['as_of'] ?? '') : c.filters.as_of;
    const launch = h('button', { id: 'camp-launch', type: 'button' }, zh ? `以 ${asOf} 的受众启动` : `Launch with the audience as of ${asOf}`);
    const note = h('span', { class: 'note', id: 'camp-launch-error' });
    launch.addEventListener('click', () => {
      void c
        .api(`/api/campaigns/${encodeURIComponent(id)}/launch?as_of=${encodeURIComponent(asOf)}`, { method: 'POST' })
        .then(() => detail(c, id, out))
        .catch((e: unknown) => note.replaceChildren(String(e instanceof Error ? e.message : e)));
    });
    out.append(h('p', {}, launch, ' ', note));
  }
  const waves = list(shown['waves']);
  out.append(h('h4', {}, c.t('waves')), table(waves.map((w) => ({ wave: w['wave_id'], channel: w['channel'], at: w['at'], best_hour: w['best_hour'], when: w['when'] === null ? '' : JSON.stringify(w['when']) }))));
  const funnel = list(evaluation['funnel']);
  c.chart(out, {
    title: { text: c.t('delivery_funnel'), textStyle: { fontSize: 13 } },
    tooltip: { trigger: 'axis' },
    legend: { bottom: 0 },
    xAxis: { type: 'category', data: funnel.map((w) => String(w['wave_id'])) },
    yAxis: { type: 'value' },
    series: (['sent', 'suppressed', 'delivered', 'opened', 'clicked'] as const).map((k) => ({
      name: c.t(`f_${k}`),
      type: 'bar',
      data: funnel.map((w) => (k === 'sent' || k === 'suppressed' ? num(obj(w['states'])[k]) : num(w[k]))),
    })),
  }, 260);
  const runs = list(evaluation['runs']);
  if (runs.length === 0) {
    out.append(h('div', { class: 'empty', 'data-empty': 'true' }, c.t('not_launched')));
    return;
  }
  for (const run of runs) {
    const ev = obj(run['evaluation']);
    const r = obj(run['run']);
    out.append(h('h4', {}, `${c.t('run')} ${String(r['run_id'])} · ${String(obj(run['window'])['from'])} – ${String(obj(run['window'])['to'])}`));
    out.append(h('p', { class: 'verdict', 'data-verdict': 'true' }, String(obj(run['verdict'])[c.lang])));
    const groups = (['treatment', 'control'] as const).map((g) => ({ group: c.t(g), ...obj(ev[g]) }));
    out.append(table(groups));
    intervalChart(c, out, ev);
    const inc = obj(ev['incremental']);
    const roi = obj(ev['roi']);
    const span = (x: unknown): string => (typeof obj(x)['estimate'] === 'number' ? `${num(obj(x)['estimate']).toFixed(2)} [${num(obj(x)['low']).toFixed(2)}, ${num(obj(x)['high']).toFixed(2)}]` : 'n/a');
    const capped = obj(ev['increments']);
    out.append(h('p', { class: 'note' }, `${c.t('incremental')}: ${String(inc['responders'])} · ${String(inc['revenue'])} · ${String(inc['margin'])}; ${c.t('cost')} ${String(ev['cost'])}; ROI ${ev['roi'] === null ? 'n/a' : span(roi)}`));
    out.append(h('p', { class: 'note', 'data-increments': 'true' }, `${c.lang === 'zh' ? '截顶后增量收入（95% 区间）' : 'Incremental revenue, capped (95% interval)'}: ${span(capped['revenue'])}`));
    c.exportable(groups, `campaign-${id}-run-${String(r['run_id'])}`);
  }
}

/** One labelled form field. */
function field(label: string, input: HTMLElement): HTMLElement {
  return h('label', { style: 'display:block;margin:4px 0' }, `${label} `, input);
}

/**
 * The form that creates a draft: goal, audience from a saved segment, holdout, time, attribution,
 * cost per message and one wave (channel, time from T, message with {{name}} and other member
 * variables). The API validates it and names every field in error.
 */
async function createForm(c: Ctx, done: (id: string) => Promise<void>): Promise<HTMLElement> {
  const zh = c.lang === 'zh';
  const [segs, chans] = await Promise.all([c.api<{ segments: R[] }>('/api/segments'), c.api<{ channels: R[] }>('/api/channels').catch(() => ({ channels: [] }))]);
  const select = (id: string, options: Array<[string, string]>): HTMLElement => h('select', { id }, ...options.map(([v, l]) => h('option', { value: v }, l)));
  const input = (id: string, value: string, type = 'text'): HTMLElement => h('input', { id, value, type });
  const form = h(
    'form',
    { id: 'camp-form', style: 'border:1px solid #d9e2ec;padding:8px;margin:8px 0' },
    field(zh ? '名称' : 'Name', input('camp-name', '')),
    field(zh ? '键（固定活动编号与对照组）' : 'Key (fixes the campaign ID and control group)', input('camp-key', '')),
    field(zh ? '目标' : 'Goal', select('camp-goal', [['purchases', 'purchases'], ['revenue', 'revenue'], ['reactivation', 'reactivation'], ['second_purchase', 'second_purchase']])),
    field(zh ? '受众（已保存的分群）' : 'Audience (saved segment)', select('camp-segment', list(segs.segments).map((g) => [String(g['segment_id']), String(g['name'])]))),
    field(zh ? '对照组 %' : 'Control group %', input('camp-control', '10', 'number')),
    field(zh ? '活动时间 T' : 'Campaign time T', input('camp-starts', '', 'text')),
    field(zh ? '归因天数' : 'Attribution days', input('camp-attribution', '7', 'number')),
    field(zh ? '渠道' : 'Channel', select('camp-channel', list(chans.channels).map((x) => [String(x['name']), String(x['name'])]))),
    field(zh ? '发送时间（相对 T）' : 'Send at (from T)', input('camp-at', '-1d')),
    field(zh ? '每条成本' : 'Cost per message', input('camp-cost', '0.05')),
    field(zh ? '消息（{{name}} 等会员变量）' : 'Message ({{name}} and other member variables)', h('textarea', { id: 'camp-text', rows: '2', cols: '60' })),
    h('button', { id: 'camp-create', type: 'submit' }, zh ? '保存草稿' : 'Save draft'),
    h('span', { class: 'note', id: 'camp-error' }),
  );
  const value = (id: string): string => {
    const e = form.querySelector(`#${id}`);
    return e instanceof HTMLInputElement || e instanceof HTMLSelectElement || e instanceof HTMLTextAreaElement ? e.value : '';
  };
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const channel = value('camp-channel');
    const body = {
      ...(value('camp-key') === '' ? {} : { key: value('camp-key') }),
      name: value('camp-name'),
      goal: value('camp-goal'),
      audience: { segment: value('camp-segment') },
      starts_at: value('camp-starts'),
      control: { percent: Number(value('camp-control')) },
      attribution_days: Number(value('camp-attribution')),
      cost: { per_message: { [channel]: value('camp-cost') } },
      waves: [{ id: 'w1', channel, at: value('camp-at'), template: { text: value('camp-text') } }],
    };
    void c
      .api<R>('/api/campaigns', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
      .then((made) => done(String(made['campaign_id'])))
      .catch((e: unknown) => form.querySelector('#camp-error')?.replaceChildren(String(e instanceof Error ? e.message : e)));
  });
  return form;
}

/** Campaigns: create one, or pick one from the list (or from #/campaigns?id=...). */
export async function campaigns(c: Ctx): Promise<void> {
  c.el.append(h('h2', {}, c.t('page_campaigns')));
  const rows = (await c.api<{ campaigns: R[] }>('/api/campaigns')).campaigns;
  const newButton = h('button', { id: 'camp-new', type: 'button' }, c.lang === 'zh' ? '新建活动' : 'New campaign');
  const formSlot = h('div', { id: 'camp-form-slot' });
  c.el.append(h('p', {}, newButton), formSlot);
  const out = h('div', { id: 'campaign-detail' });
  newButton.addEventListener('click', () => {
    void createForm(c, async (id) => {
      formSlot.replaceChildren();
      if (!c.el.contains(out)) c.el.append(out);
      await detail(c, id, out);
    }).then((f) => formSlot.replaceChildren(f));
  });
  if (rows.length === 0) {
    c.el.append(h('div', { class: 'empty', 'data-empty': 'true' }, c.t('empty_campaigns')));
    return;
  }
  const t = table(rows);
  t.querySelectorAll('tbody tr').forEach((tr, i) => {
    tr.setAttribute('style', 'cursor:pointer');
    tr.addEventListener('click', () => void detail(c, String(rows[i]?.['campaign_id']), out));
  });
  c.el.append(t, out);
  c.exportable(rows, 'campaigns');
  await detail(c, String(rows[0]?.['campaign_id']), out);
}
