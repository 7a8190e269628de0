// Bench depth per critical role: candidates ready now / in 1–2 years / in 3+ years, stacked.
import * as Plot from '@observablehq/plot';

export interface BenchRow { role: string; readiness: string; count: number }

const DOMAIN = ['Ready now', '1–2 years', '3+ years'];

export function benchDepth(data: BenchRow[], { width }: { width: number }) {
  const roles = [...new Set(data.map((d) => d.role))];
  return Plot.plot({
    title: 'Bench depth per critical role',
    width,
    height: Math.max(140, roles.length * 26 + 70),
    marginLeft: 200,
    x: { label: 'Candidates →', grid: true },
    y: { label: null, domain: roles },
    color: { legend: true, label: 'Readiness', domain: DOMAIN, range: ['#59a14f', '#edc948', '#bab0ac'] },
    marks: [
      Plot.barX(data, { x: 'count', y: 'role', fill: 'readiness', tip: true, order: DOMAIN }),
      Plot.ruleX([0]),
    ],
  });
}
