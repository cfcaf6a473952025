/** Lifecycle: stage sizes as of the date (members first seen by then only) and the migration between two dates. */
import { h, type Ctx } from '../main.js';
import { toNumber } from '../format.js';
import { empty } from '../dom.js';
import { COLOR, grid, valueAxis } from '../charts.js';

/** The lifecycle page. */
export async function lifecycle(c: Ctx): Promise<void> {
  const [life, mig] = await Promise.all([c.report('lifecycle'), c.report('migration', { from: c.range.from })]);
  const stages = life.result.stages;
  c.el.append(h('h2', {}, `${c.t('page_lifecycle')} · ${c.t('as_of')} ${c.f.date(c.range.to)}`));
  c.el.append(h('h3', {}, c.t('stages')), h('p', { class: 'note' }, c.t('existing_note')));
  if (stages.every((s) => (toNumber(s.members) ?? 0) === 0)) {
    c.el.append(empty(c.t('empty_lifecycle')));
    return;
  }
  c.chart(
    c.el,
    {
      grid: grid(c.f),
      tooltip: { formatter: (p: { name: string; value: number }) => `${p.name}: ${c.f.count(p.value)}` },
      xAxis: { type: 'category', data: stages.map((s) => c.v('stage', s.stage)) },
      yAxis: valueAxis((v) => c.f.countShort(v)),
      series: [
        {
          type: 'bar',
          data: stages.map((s) => toNumber(s.members)),
          itemStyle: { color: COLOR.actual },
          label: { show: true, position: 'top', formatter: (p: { value: number }) => c.f.count(p.value) },
        },
      ],
    },
    300,
  );
  const totals = mig.result.totals;
  const matrix = mig.result.matrix;
  const flows = matrix.filter((f) => f.direction !== 'same' && (toNumber(f.members) ?? 0) > 0);
  c.el.append(
    h('h3', {}, `${c.t('migration', { from: c.f.date(c.range.from), to: c.f.date(mig.as_of) })}: ${c.t('positive')} ${c.f.count(totals.positive)}, ${c.t('negative')} ${c.f.count(totals.negative)}`),
  );
  const side = (stage: unknown, n: 1 | 2): string => `${c.v('stage', stage)} ${n === 1 ? '◀' : '▶'}`;
  const nodes = [...new Set(flows.flatMap((f) => [side(f.from_stage, 1), side(f.to_stage, 2)]))].map((name) => ({ name }));
  c.chart(
    c.el,
    {
      tooltip: { formatter: (p: { name: string; value: number }) => `${p.name}: ${c.f.count(p.value)}` },
      series: [
        {
          type: 'sankey',
          data: nodes,
          links: flows.map((f) => ({
            source: side(f.from_stage, 1),
            target: side(f.to_stage, 2),
            value: toNumber(f.members),
            lineStyle: { color: f.direction === 'positive' ? COLOR.better : COLOR.worse, opacity: 0.35 },
          })),
        },
      ],
    },
    420,
  );
  c.el.append(
    c.table(matrix, ['from_stage', 'to_stage', 'members', 'direction'], {
      from_stage: (v) => c.v('stage', v),
      to_stage: (v) => c.v('stage', v),
      direction: (v) => (v === 'positive' ? c.t('positive') : v === 'negative' ? c.t('negative') : c.t('same')),
    }),
  );
  c.exportable(matrix, 'migration');
}
