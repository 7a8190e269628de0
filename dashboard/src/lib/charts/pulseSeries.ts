// An employee's check-in pulse (1–5) over time.
import * as Plot from '@observablehq/plot';
import { withText } from './a11y.ts';

export interface PulsePoint { week_of: string; pulse: number | null }

const TITLE = 'Check-in pulse over time';

export function pulseSeries(data: PulsePoint[], { width }: { width: number }) {
  const points = data.filter((d) => d.pulse != null).map((d) => ({ week: String(d.week_of).slice(0, 10), pulse: d.pulse }))
    .map((d) => ({ ...d, date: new Date(`${d.week}T00:00:00Z`) }));
  const plot = Plot.plot({
    title: TITLE,
    width,
    height: 220,
    x: { label: 'Week of', type: 'utc', ticks: Math.max(2, Math.floor(width / 100)) },
    y: { label: '↑ Pulse (1–5)', domain: [1, 5], grid: true },
    marks: [
      Plot.line(points, { x: 'date', y: 'pulse', stroke: '#4e79a7' }),
      Plot.dot(points, { x: 'date', y: 'pulse', fill: '#4e79a7', tip: true }),
    ],
  });
  return withText(plot, { caption: TITLE, columns: ['Week of', 'Pulse (1–5)'], rows: points.map((d) => [d.week, d.pulse]) });
}
