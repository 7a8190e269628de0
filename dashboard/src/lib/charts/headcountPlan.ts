// Talent needs: active headcount (bar) against planned headcount (tick) per role.
import * as Plot from '@observablehq/plot';
import { withText } from './a11y.ts';
import { fitLabel, labelMargin } from './size.ts';

export interface HeadcountRow { role: string; headcount: number; planned: number | null }

const TITLE = 'Headcount vs plan per role';

export function headcountPlan(data: HeadcountRow[], { width }: { width: number }) {
  const marginLeft = labelMargin(width, 220);
  const plot = Plot.plot({
    title: TITLE,
    width,
    height: Math.max(160, data.length * 22 + 70),
    marginLeft,
    x: { label: 'Employees →', grid: true, ticks: Math.max(2, Math.floor((width - marginLeft) / 60)) },
    y: { label: null, domain: data.map((d) => d.role), tickFormat: fitLabel(marginLeft - 10) },
    color: { legend: true, domain: ['Active headcount', 'Planned headcount'], range: ['#4e79a7', '#e15759'] },
    marks: [
      Plot.barX(data, { x: 'headcount', y: 'role', fill: () => 'Active headcount', tip: true }),
      Plot.tickX(data.filter((d) => d.planned != null), { x: 'planned', y: 'role', stroke: () => 'Planned headcount', strokeWidth: 3 }),
      Plot.ruleX([0]),
    ],
  });
  return withText(plot, { caption: TITLE, columns: ['Role', 'Active headcount', 'Planned headcount'], rows: data.map((d) => [d.role, d.headcount, d.planned]) });
}
