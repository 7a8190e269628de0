// Talent needs: active headcount (bar) against planned headcount (tick) per role.
import * as Plot from '@observablehq/plot';

export interface HeadcountRow { role: string; headcount: number; planned: number | null }

export function headcountPlan(data: HeadcountRow[], { width }: { width: number }) {
  return Plot.plot({
    title: 'Headcount vs plan per role',
    width,
    height: Math.max(160, data.length * 22 + 70),
    marginLeft: 220,
    x: { label: 'Employees →', grid: true },
    y: { label: null, domain: data.map((d) => d.role) },
    color: { legend: true, domain: ['Active headcount', 'Planned headcount'], range: ['#4e79a7', '#e15759'] },
    marks: [
      Plot.barX(data, { x: 'headcount', y: 'role', fill: () => 'Active headcount', tip: true }),
      Plot.tickX(data.filter((d) => d.planned != null), { x: 'planned', y: 'role', stroke: () => 'Planned headcount', strokeWidth: 3 }),
      Plot.ruleX([0]),
    ],
  });
}
