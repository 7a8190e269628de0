// Supply vs demand per skill (company rows of the org skill view): two bars per skill.
import * as Plot from '@observablehq/plot';

export interface SupplyDemand { skill: string; supply: number | null; demand: number | null }

export function supplyDemand(data: SupplyDemand[], { width }: { width: number }) {
  const long = data.flatMap((d) => [
    { skill: d.skill, measure: 'Supply (level ≥ 3)', count: d.supply ?? 0 },
    { skill: d.skill, measure: 'Demand (roles needing ≥ 3)', count: d.demand ?? 0 },
  ]);
  return Plot.plot({
    title: 'Supply vs demand per skill (company)',
    width,
    height: Math.max(180, data.length * 26 + 60),
    marginLeft: 160,
    x: { label: 'People', grid: true },
    y: { label: null, axis: null },
    fy: { label: 'Skill', domain: data.map((d) => d.skill) },
    color: { legend: true, label: 'Measure', domain: ['Supply (level ≥ 3)', 'Demand (roles needing ≥ 3)'], range: ['#4e79a7', '#e15759'] },
    marks: [
      Plot.barX(long, { x: 'count', y: 'measure', fy: 'skill', fill: 'measure', tip: true }),
      Plot.ruleX([0]),
    ],
  });
}
