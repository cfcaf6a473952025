/** Chart colours by meaning, and the formatter-backed pieces every chart shares. */
import type { Formatter } from './format.js';

/** Colours by meaning: the actuals, the comparisons, the target (dashed, its own colour), better and worse. */
export const COLOR = {
  actual: '#2f5688',
  previous: '#9fb3c8',
  lastYear: '#b8a2d8',
  trailing: '#7fb7be',
  target: '#e07b00',
  better: '#2f8132',
  worse: '#b42318',
  neutral: '#829ab1',
  weak: '#f0a202',
} as const;

/** An ECharts value axis whose labels go through the formatter. */
export function valueAxis(fmt: (v: unknown) => string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: 'value', axisLabel: { formatter: (v: number) => fmt(v) }, ...extra };
}

/** A tooltip whose values go through the formatter; series named '' (helpers) are left out. */
export function axisTooltip(fmt: (v: unknown) => string): Record<string, unknown> {
  return {
    trigger: 'axis',
    formatter: (items: Array<{ seriesName: string; name: string; value: unknown; marker: string }>) => {
      const shown = items.filter((i) => i.seriesName !== '' && !i.seriesName.startsWith('series'));
      const head = items[0]?.name ?? '';
      return [head, ...shown.map((i) => `${i.marker}${i.seriesName}: ${i.value === null || i.value === undefined || i.value === '-' ? fmt(null) : fmt(i.value)}`)].join('<br>');
    },
  };
}

/** A grid that leaves room for formatted axis labels. */
export function grid(f: Formatter, extra: Record<string, unknown> = {}): Record<string, unknown> {
  void f;
  return { left: 12, right: 24, top: 40, bottom: 30, containLabel: true, ...extra };
}
