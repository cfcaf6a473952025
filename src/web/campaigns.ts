/** The campaigns page: the list, and per campaign the uplift with intervals, waves, delivery and verdict. */
import { h, list, obj, text, type Ctx } from './main.js';
import { empty } from './dom.js';
import { toNumber } from './format.js';
import { COLOR, axisTooltip, grid, valueAxis } from './charts.js';

type R = Record<string, unknown>;

/**
 * One uplift as a box from the 95% low to high with the estimate as its middle line. Colour by
 * meaning: green when the interval is wholly above zero (better), red when wholly below (worse),
 * grey when it covers zero (not significant).
 */
function intervalChart(c: Ctx, parent: HTMLElement, ev: R): void {
  const rows: Array<[string, R, (v: unknown) => string]> = [
    [c.t('response_uplift'), obj(ev['response_uplift']), (v) => c.f.points(v, 2)],
    [c.t('revenue_uplift'), obj(ev['revenue_uplift']), (v) => c.f.signedMoney(v)],
    [c.t('margin_uplift'), obj(ev['margin_uplift']), (v) => c.f.signedMoney(v)],
  ];
  const withheld = obj(ev['withheld']);
  for (const [label, i, fmt] of rows) {
    if (toNumber(i['low']) === null) {
      // Revenue and margin are not judged where too few members bought: say why instead of drawing.
      const key = label === c.t('revenue_uplift') ? 'revenue' : 'margin';
      parent.append(h('p', { class: 'note', 'data-withheld': key }, `${label}: ${text(withheld[key] ?? '-')}`));
      continue;
    }
    const lo = toNumber(i['low']) ?? 0;
    const hi = toNumber(i['high']) ?? 0;
    const est = toNumber(i['estimate']) ?? 0;
    const verdict = lo > 0 ? 'better' : hi < 0 ? 'worse' : 'not_significant';
    const color = verdict === 'better' ? COLOR.better : verdict === 'worse' ? COLOR.worse : COLOR.neutral;
    const pad = Math.abs(hi - lo) * 0.2 || 1;
    c.chart(
      parent,
      {
        title: { text: `${label}: ${fmt(est)} [${fmt(lo)}, ${fmt(hi)}] · ${c.t(verdict)}`, textStyle: { fontSize: 13 } },
        grid: { left: 40, right: 40, top: 40, bottom: 24 },
        tooltip: { formatter: () => `${fmt(est)} [${fmt(lo)}, ${fmt(hi)}]` },
        xAxis: { type: 'value', min: Math.min(lo, 0) - pad, max: Math.max(hi, 0) + pad, axisLabel: { formatter: (v: number) => fmt(v) } },
        yAxis: { type: 'category', data: [''] },
        series: [
          {
            type: 'boxplot',
            data: [[lo, lo, est, hi, hi]],
            itemStyle: { color: `${color}33`, borderColor: color },
            markLine: { symbol: 'none', data: [{ xAxis: 0 }], lineStyle: { color: COLOR.neutral, type: 'dashed' }, label: { formatter: () => '0' } },
          },
        ],
      },
      110,
    );
  }
}

async function detail(c: Ctx, id: string, out: HTMLElement): Promise<void> {
  const [shown, evaluation] = await Promise.all([
    c.api(`/api/campaigns/${encodeURIComponent(id)}${c.filters.as_of === '' ? '' : `?as_of=${encodeURIComponent(c.filters.as_of)}`}`),
    c.api(`/api/campaigns/${encodeURIComponent(id)}/evaluation`),
  ]);
  const def = obj(shown['definition']);
  const power = obj(shown['power']);
  out.replaceChildren(h('h3', { id: 'campaign-title' }, h('span', { translate: 'no' }, text(shown['name'])), ` · ${c.v('status', shown['status'])}`));
  out.append(
    h(
      'p',
      { class: 'note' },
      `${c.f.dateTime(def['starts_at'])} · ${c.t('control_group')} ${c.f.number(obj(def['control'])['percent'])}% · ${c.t('goal')} ${c.v('goal', def['goal'])} · ${c.t('attribution')} ${c.t('attribution_days', { n: text(def['attribution_days']) })}`,
    ),
    h(
      'p',
      { class: 'note', id: 'campaign-power' },
      `${c.t('power')}: ${c.t('power_text', {
        audience: c.f.count(power['audience']),
        baseline: c.f.rate(power['baseline_rate'], 2),
        points: c.f.number(power['detect_uplift_points']),
        required: c.f.count(power['required_audience']),
        detectable: power['detectable_uplift_points'] === null ? c.f.missing : `${c.f.number(power['detectable_uplift_points'])} ${c.t('points_unit')}`,
      })}; ${c.f.date(power['as_of'])}; ${c.t('revenue_uplift')} ${power['detectable_revenue_uplift'] === null || power['detectable_revenue_uplift'] === undefined ? c.f.missing : c.f.money(power['detectable_revenue_uplift'])}`,
    ),
  );
  if (shown['status'] === 'draft') {
    const zh = c.lang === 'zh';
    const asOf = c.filters.as_of === '' ? text(power['as_of'] ?? '') : c.filters.as_of;
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
  out.append(
    h('h4', {}, c.t('waves')),
    c.table(
      waves.map((w) => ({ wave: w['wave_id'], channel: w['channel'], at: w['at'], best_hour: w['best_hour'], when: w['when'] === null ? '' : JSON.stringify(w['when']) })),
      undefined,
      { at: (v) => text(v) },
    ),
  );
  const funnel = list(evaluation['funnel']);
  c.chart(
    out,
    {
      title: { text: c.t('delivery_funnel'), textStyle: { fontSize: 13 } },
      tooltip: axisTooltip((v) => c.f.count(v)),
      legend: { bottom: 0 },
      grid: grid(c.f, { bottom: 40 }),
      xAxis: { type: 'category', data: funnel.map((w) => text(w['wave_id'])) },
      yAxis: valueAxis((v) => c.f.countShort(v)),
      series: (['sent', 'suppressed', 'delivered', 'opened', 'clicked'] as const).map((k) => ({
        name: c.t(`f_${k}`),
        type: 'bar',
        data: funnel.map((w) => (k === 'sent' || k === 'suppressed' ? toNumber(obj(w['states'])[k]) : toNumber(w[k]))),
      })),
    },
    260,
  );
  const runs = list(evaluation['runs']);
  if (runs.length === 0) {
    out.append(empty(c.t('not_launched')));
    return;
  }
  for (const run of runs) {
    const ev = obj(run['evaluation']);
    const r = obj(run['run']);
    const win = obj(run['window']);
    out.append(h('h4', {}, `${c.t('run')} ${text(r['run_id'])} · ${c.t('period_label', { from: c.f.date(win['from']), to: c.f.date(win['to']) })}`));
    out.append(h('p', { class: 'verdict', 'data-verdict': 'true' }, text(obj(run['verdict'])[c.lang])));
    const groups = (['treatment', 'control'] as const).map((g) => ({ group_kind: c.t(g), ...obj(ev[g]) }));
    out.append(c.table(groups));
    intervalChart(c, out, ev);
    const inc = obj(ev['incremental']);
    const span = (x: unknown, fmt: (v: unknown) => string): string =>
      toNumber(obj(x)['estimate']) === null ? c.f.missing : `${fmt(obj(x)['estimate'])} [${fmt(obj(x)['low'])}, ${fmt(obj(x)['high'])}]`;
    const roi = ev['roi'] === null ? c.f.missing : typeof ev['roi'] === 'object' ? span(ev['roi'], (v) => c.f.number(v)) : c.f.number(ev['roi']);
    out.append(
      h(
        'p',
        { class: 'note' },
        c.t('incremental', { responders: c.f.number(inc['responders'], 1), revenue: c.f.signedMoney(inc['revenue']), margin: c.f.signedMoney(inc['margin']), cost: c.f.money(ev['cost']), roi }),
      ),
    );
    out.append(
      h(
        'p',
        { class: 'note', 'data-increments': 'true' },
        `${c.lang === 'zh' ? '截顶后增量收入（95% 区间）' : 'Incremental revenue, capped (95% interval)'}: ${span(obj(ev['increments'])['revenue'], (v) => c.f.signedMoney(v))}`,
      ),
    );
    c.exportable(groups, `campaign-${id}-run-${text(r['run_id'])}`);
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
  const [segs, chans] = await Promise.all([c.api('/api/segments'), c.api('/api/channels').catch((): R => ({ channels: [] }))]);
  const select = (id: string, options: Array<[string, string]>): HTMLElement => h('select', { id }, ...options.map(([v, l]) => h('option', { value: v }, l)));
  const input = (id: string, value: string, type = 'text'): HTMLElement => h('input', { id, value, type });
  const form = h(
    'form',
    { id: 'camp-form', style: 'border:1px solid #d9e2ec;padding:8px;margin:8px 0' },
    field(zh ? '名称' : 'Name', input('camp-name', '')),
    field(zh ? '键（固定活动编号与对照组）' : 'Key (fixes the campaign ID and control group)', input('camp-key', '')),
    field(
      c.t('goal'),
      select(
        'camp-goal',
        ['purchases', 'revenue', 'reactivation', 'second_purchase'].map((g): [string, string] => [g, c.v('goal', g)]),
      ),
    ),
    field(
      zh ? '受众（已保存的分群）' : 'Audience (saved segment)',
      select(
        'camp-segment',
        list(segs['segments']).map((g): [string, string] => [text(g['segment_id']), text(g['name'])]),
      ),
    ),
    field(zh ? '对照组 %' : 'Control group %', input('camp-control', '10', 'number')),
    field(zh ? '活动时间 T' : 'Campaign time T', input('camp-starts', '', 'text')),
    field(zh ? '归因天数' : 'Attribution days', input('camp-attribution', '7', 'number')),
    field(
      zh ? '渠道' : 'Channel',
      select(
        'camp-channel',
        list(chans['channels']).map((x): [string, string] => [text(x['name']), text(x['name'])]),
      ),
    ),
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
      .api('/api/campaigns', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
      .then((made) => done(text(made['campaign_id'])))
      .catch((e: unknown) => form.querySelector('#camp-error')?.replaceChildren(String(e instanceof Error ? e.message : e)));
  });
  return form;
}

/** Campaigns: create one, or pick one from the list. */
export async function campaigns(c: Ctx): Promise<void> {
  c.el.append(h('h2', {}, c.t('page_campaigns')));
  const rows = list((await c.api('/api/campaigns'))['campaigns']);
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
    const box = empty(c.t('empty_campaigns'));
    box.append(h('pre', {}, h('code', {}, 'regulars campaigns create --file campaign.json')));
    c.el.append(box);
    return;
  }
  const t = c.table(rows, ['campaign_id', 'name', 'status', 'audience', 'runs', 'created_at'], { status: (v) => c.v('status', v), name: (v) => text(v) });
  t.querySelectorAll('tbody tr').forEach((tr, i) => {
    tr.setAttribute('style', 'cursor:pointer');
    tr.addEventListener('click', () => void detail(c, text(rows[i]?.['campaign_id']), out));
  });
  c.el.append(t, out);
  c.exportable(rows, 'campaigns');
  await detail(c, text(rows[0]?.['campaign_id']), out);
}
