// A sparkline: one measure over the history dates, a small line with its last point marked; the
// figures are in its text alternative (a11y.ts).
import * as Plot from '@observablehq/plot';
import { withText } from './a11y.ts';
import { formatNumber, type NumberKind } from '../format.ts';
import type { SparkPoint } from '../history.ts';

export interface SparkData { label: string; kind: NumberKind; points: SparkPoint[]; height?: number }

export function sparkline(data: SparkData, { width }: { width: number }) {
  const pts = data.points.map((p) => ({ ...p, date: new Date(`${p.as_of.slice(0, 10)}T00:00:00Z`) }));
  const values = pts.map((p) => p.value);
  const share = data.kind === 'share';
  const lo = Math.min(0, ...values);
  const hi = Math.max(...values, share ? 0.01 : 1);
  const plot = Plot.plot({
    width,
    height: data.height ?? 48,
    margin: 4,
    x: { type: 'utc', axis: null },
    y: { axis: null, domain: [lo, hi * 1.05] },
    marks: [
      Plot.areaY(pts, { x: 'date', y: 'value', fill: '#4e79a7', fillOpacity: 0.12 }),
      Plot.lineY(pts, { x: 'date', y: 'value', stroke: '#4e79a7', strokeWidth: 1.5 }),
      Plot.dot(pts.slice(-1), { x: 'date', y: 'value', fill: '#4e79a7', r: 2.5 }),
      Plot.tip(pts, Plot.pointerX({ x: 'date', y: 'value', title: (d: { as_of: string; value: number }) => `${d.as_of.slice(0, 10)}: ${formatNumber(d.value, data.kind)}` })),
    ],
  });
  return withText(plot, {
    caption: `${data.label} by month`,
    columns: ['As of', data.label],
    rows: data.points.map((p) => [p.as_of.slice(0, 10), formatNumber(p.value, data.kind)]),
  });
}
