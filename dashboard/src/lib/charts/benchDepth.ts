// Bench depth per critical role: candidates ready now / in 1–2 years / in 3+ years, stacked.
import * as Plot from '@observablehq/plot';
import { withText } from './a11y.ts';
import { fitLabel, labelMargin } from './size.ts';

export interface BenchRow { role: string; readiness: string; count: number }

const DOMAIN = ['Ready now', '1–2 years', '3+ years'];
const TITLE = 'Bench depth per critical role';

export function benchDepth(data: BenchRow[], { width }: { width: number }) {
  const roles = [...new Set(data.map((d) => d.role))];
  const marginLeft = labelMargin(width, 200);
  const plot = Plot.plot({
    title: TITLE,
    width,
    height: Math.max(140, roles.length * 26 + 70),
    marginLeft,
    x: { label: 'Candidates →', grid: true, ticks: Math.max(2, Math.floor((width - marginLeft) / 60)) },
    y: { label: null, domain: roles, tickFormat: fitLabel(marginLeft - 10) },
    color: { legend: true, label: 'Readiness', domain: DOMAIN, range: ['#59a14f', '#edc948', '#bab0ac'] },
    marks: [
      Plot.barX(data, { x: 'count', y: 'role', fill: 'readiness', tip: true, order: DOMAIN }),
      Plot.ruleX([0]),
    ],
  });
  const count = (role: string, readiness: string) => data.find((d) => d.role === role && d.readiness === readiness)?.count ?? 0;
  return withText(plot, { caption: TITLE, columns: ['Role', ...DOMAIN], rows: roles.map((r) => [r, ...DOMAIN.map((k) => count(r, k))]) });
}
