/**
 * RFM: the recency x frequency grid coloured by average monetary value, both group maps in the
 * page's language, and why some rows are empty. Under a segment filter each member keeps the
 * scores of the whole base (said on the page); "rank within the segment" is an explicit option.
 */
import { h, type Ctx } from '../main.js';
import type { RfmResult } from '../../contracts/lifecycle.js';
import { empty } from '../dom.js';
import { toNumber } from '../format.js';
import { grid as chartGrid } from '../charts.js';

type Cell = RfmResult['grid'][number];

/** Which F scores no buyer has, and the tie that explains it (the share of buyers at the lowest frequency). */
function emptyRows(cells: readonly Cell[]): number[] {
  const used = new Set(cells.map((g) => toNumber(g.f_score)));
  return [1, 2, 3, 4, 5].filter((f) => !used.has(f));
}

/** The RFM page. */
export async function rfm(c: Ctx): Promise<void> {
  const withinSegment = c.filters.segment !== '' && c.filters.rank === 'segment';
  const doc = await c.report('rfm', withinSegment ? { rank: 'segment' } : {});
  const r = doc.result;
  const cells = r.grid;
  c.el.append(h('h2', {}, `${c.t('page_rfm')} · ${c.t('as_of')} ${c.f.date(c.range.to)}`));
  if (c.filters.segment !== '') {
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.id = 'rfm-rank-segment';
    box.checked = withinSegment;
    box.addEventListener('change', () => {
      const q = new URLSearchParams(location.hash.split('?')[1] ?? '');
      if (box.checked) q.set('rank', 'segment');
      else q.delete('rank');
      location.hash = `#/rfm?${q.toString()}`;
    });
    c.el.append(
      h('p', { class: 'note', id: 'rfm-scores-note' }, withinSegment ? c.t('rfm_rank_note') : c.t('rfm_base_note', { as_of: c.f.date(c.range.to) })),
      h('p', {}, h('label', {}, box, ' ', c.t('rfm_rank_segment'))),
    );
  }
  if (cells.length === 0) {
    c.el.append(empty(c.t('empty_rfm')));
    return;
  }
  c.el.append(h('h3', {}, c.t('rfm_grid')));
  const money = cells.map((g) => toNumber(g.mean_monetary) ?? 0);
  c.chart(
    c.el,
    {
      tooltip: { formatter: (p: { data: number[] }) => c.t('rfm_cell', { r: (p.data[0] ?? 0) + 1, f: (p.data[1] ?? 0) + 1, members: c.f.count(p.data[3]), money: c.f.money(p.data[2]) }) },
      grid: chartGrid(c.f, { bottom: 70 }),
      xAxis: { type: 'category', name: 'R', data: ['1', '2', '3', '4', '5'] },
      yAxis: { type: 'category', name: 'F', data: ['1', '2', '3', '4', '5'] },
      visualMap: { min: Math.min(...money), max: Math.max(...money), calculable: true, orient: 'horizontal', left: 'center', bottom: 0, dimension: 2, formatter: (v: number) => c.f.moneyShort(v) },
      series: [
        {
          type: 'heatmap',
          label: { show: true, formatter: (p: { data: number[] }) => c.f.count(p.data[3]) },
          data: cells.map((g) => [(toNumber(g.r_score) ?? 1) - 1, (toNumber(g.f_score) ?? 1) - 1, toNumber(g.mean_monetary) ?? 0, toNumber(g.members) ?? 0]),
        },
      ],
    },
    380,
  );
  const missing = emptyRows(cells);
  if (missing.length > 0) {
    // The lowest frequency's buyers all share score 1; the next frequency starts at 1 + floor(5 x their share).
    const ones = cells.filter((g) => toNumber(g.f_score) === 1).reduce((a, g) => a + (toNumber(g.members) ?? 0), 0);
    const all = cells.reduce((a, g) => a + (toNumber(g.members) ?? 0), 0);
    c.el.append(
      h(
        'p',
        { class: 'note', id: 'rfm-empty-rows' },
        `F ${missing.join(', ')}: ${c.t('rfm_empty_rows', { share: c.f.rate(all === 0 ? 0 : ones / all), next: Math.min(5, 1 + Math.floor(5 * (all === 0 ? 0 : ones / all))) })}`,
      ),
    );
  }
  const groupCells = { group: (v: unknown) => c.v('rfm', v) };
  c.el.append(
    h(
      'div',
      { class: 'row' },
      h('div', {}, h('h3', {}, c.t('groups')), c.table(r.groups, ['group', 'members', 'member_share_pct', 'monetary', 'revenue_share_pct'], groupCells)),
      h('div', {}, h('h3', {}, c.t('groups_cn')), c.table(r.groups_cn, ['group', 'members', 'member_share_pct', 'monetary', 'revenue_share_pct'], { group: (v) => c.v('cn', v) })),
    ),
  );
  c.exportable(r.groups, 'rfm-groups');
}
