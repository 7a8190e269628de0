// An employee's check-in pulse (1–5) over time.
import * as Plot from '@observablehq/plot';

export interface PulsePoint { week_of: string; pulse: number | null }

export function pulseSeries(data: PulsePoint[], { width }: { width: number }) {
  const points = data.filter((d) => d.pulse != null).map((d) => ({ date: new Date(`${String(d.week_of).slice(0, 10)}T00:00:00Z`), pulse: d.pulse }));
  return Plot.plot({
    title: 'Check-in pulse over time',
    width,
    height: 220,
    x: { label: 'Week of', type: 'utc' },
    y: { label: '↑ Pulse (1–5)', domain: [1, 5], grid: true },
    marks: [
      Plot.line(points, { x: 'date', y: 'pulse', stroke: '#4e79a7' }),
      Plot.dot(points, { x: 'date', y: 'pulse', fill: '#4e79a7', tip: true }),
    ],
  });
}
