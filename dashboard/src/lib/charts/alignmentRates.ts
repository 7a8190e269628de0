// Goal alignment rates per department: aligned, path-linked and orphan shares of live goals.
import * as Plot from '@observablehq/plot';

export interface RateRow { department: string; measure: string; rate: number }

const DOMAIN = ['Aligned', 'Path-linked', 'Orphan'];

export function alignmentRates(data: RateRow[], { width }: { width: number }) {
  const departments = [...new Set(data.map((d) => d.department))];
  return Plot.plot({
    title: 'Goal alignment by department (share of live goals)',
    width,
    height: Math.max(160, departments.length * 60 + 60),
    marginLeft: 140,
    x: { label: 'Share of live goals →', percent: true, domain: [0, 100], grid: true },
    y: { label: null, domain: DOMAIN, axis: null },
    fy: { label: 'Department', domain: departments },
    color: { legend: true, label: 'Measure', domain: DOMAIN, range: ['#4e79a7', '#59a14f', '#e15759'] },
    marks: [
      Plot.barX(data, { x: 'rate', y: 'measure', fy: 'department', fill: 'measure', tip: true }),
      Plot.ruleX([0]),
    ],
  });
}
