// Goal alignment rates per department: aligned, path-linked and orphan shares of live goals.
import * as Plot from '@observablehq/plot';
import { withText } from './a11y.ts';
import { fitLabel, isNarrow, labelMargin } from './size.ts';
import { fmtPct } from '../format.ts';

export interface RateRow { department: string; measure: string; rate: number }

const DOMAIN = ['Aligned', 'Path-linked', 'Orphan'];
const TITLE = 'Goal alignment by department (share of live goals)';

export function alignmentRates(data: RateRow[], { width }: { width: number }) {
  const departments = [...new Set(data.map((d) => d.department))];
  const marginLeft = labelMargin(width, 140);
  const plot = Plot.plot({
    title: TITLE,
    width,
    height: Math.max(160, departments.length * 60 + 60),
    marginLeft,
    x: { label: 'Share of live goals →', percent: true, domain: [0, 100], grid: true, ticks: isNarrow(width) ? 3 : 10 },
    y: { label: null, domain: DOMAIN, axis: null },
    fy: { label: 'Department', domain: departments, tickFormat: fitLabel(marginLeft - 10) },
    color: { legend: true, label: 'Measure', domain: DOMAIN, range: ['#4e79a7', '#59a14f', '#e15759'] },
    marks: [
      Plot.barX(data, { x: 'rate', y: 'measure', fy: 'department', fill: 'measure', tip: true }),
      Plot.ruleX([0]),
    ],
  });
  const rate = (dep: string, m: string) => fmtPct(data.find((d) => d.department === dep && d.measure === m)?.rate);
  return withText(plot, { caption: TITLE, columns: ['Department', ...DOMAIN], rows: departments.map((dep) => [dep, ...DOMAIN.map((m) => rate(dep, m))]) });
}
