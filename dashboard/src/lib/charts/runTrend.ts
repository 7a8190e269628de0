// Overview trend over past successful runs: one line per measure (share of active employees).
import * as Plot from '@observablehq/plot';
import { withText } from './a11y.ts';
import { isNarrow } from './size.ts';
import { fmtPct } from '../format.ts';

export interface TrendPoint { as_of: string; measure: string; value: number }

const TITLE = 'Trend over past runs';

export function runTrend(data: TrendPoint[], { width }: { width: number }) {
  const points = data.map((d) => ({ ...d, date: new Date(`${String(d.as_of).slice(0, 10)}T00:00:00Z`) }));
  const plot = Plot.plot({
    title: TITLE,
    width,
    height: 240,
    x: { label: 'As of', type: 'utc', ticks: isNarrow(width) ? 3 : 6 },
    y: { label: '↑ Share (%)', percent: true, grid: true, domain: [0, 100] },
    color: { legend: true, label: 'Measure' },
    marks: [
      Plot.line(points, { x: 'date', y: 'value', stroke: 'measure', marker: 'circle' }),
      Plot.tip(points, Plot.pointerX({ x: 'date', y: 'value', stroke: 'measure' })),
    ],
  });
  return withText(plot, { caption: TITLE, columns: ['As of', 'Measure', 'Share'], rows: data.map((d) => [String(d.as_of).slice(0, 10), d.measure, fmtPct(d.value)]) });
}
