// What-if bench shift: each touched role's bench strength before (grey dot) and after (arrow head) a move.
import * as Plot from '@observablehq/plot';
import { withText } from './a11y.ts';
import { fitLabel, labelMargin } from './size.ts';
import { formatNumber } from '../format.ts';

export interface BenchShiftRow { role: string; before: number | null; after: number | null }

const TITLE = 'Bench strength before and after the move';

export function benchShift(data: BenchShiftRow[], { width }: { width: number }) {
  const roles = data.map((d) => d.role);
  const marginLeft = labelMargin(width, 180);
  const known = data.filter((d) => d.before != null && d.after != null);
  const plot = Plot.plot({
    title: TITLE,
    width,
    height: Math.max(110, roles.length * 30 + 60),
    marginLeft,
    x: { label: 'Bench strength →', grid: true, domain: [0, Math.max(1, ...data.flatMap((d) => [d.before ?? 0, d.after ?? 0]))] },
    y: { label: null, domain: roles, tickFormat: fitLabel(marginLeft - 10) },
    marks: [
      Plot.arrow(known.filter((d) => d.before !== d.after), { x1: 'before', x2: 'after', y: 'role', stroke: '#e15759', strokeWidth: 2 }),
      Plot.dot(data.filter((d) => d.before != null), { x: 'before', y: 'role', fill: '#9aa3b5', r: 4, tip: true,
        title: (d: BenchShiftRow) => `${d.role}: ${formatNumber(d.before, 'decimal')} before, ${formatNumber(d.after, 'decimal')} after` }),
      Plot.ruleX([0]),
    ],
  });
  return withText(plot, {
    caption: TITLE,
    columns: ['Role', 'Before', 'After'],
    rows: data.map((d) => [d.role, formatNumber(d.before, 'decimal'), formatNumber(d.after, 'decimal')]),
  });
}
