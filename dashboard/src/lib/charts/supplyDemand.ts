// Supply vs demand per skill (company rows of the org skill view): two bars per skill.
import * as Plot from '@observablehq/plot';
import { withText } from './a11y.ts';
import { fitLabel, labelMargin } from './size.ts';

export interface SupplyDemand { skill: string; supply: number | null; demand: number | null }

const MEASURES = ['Supply (level ≥ 3)', 'Demand (roles needing ≥ 3)'];
const TITLE = 'Supply vs demand per skill (company)';

export function supplyDemand(data: SupplyDemand[], { width }: { width: number }) {
  const long = data.flatMap((d) => [
    { skill: d.skill, measure: MEASURES[0], count: d.supply ?? 0 },
    { skill: d.skill, measure: MEASURES[1], count: d.demand ?? 0 },
  ]);
  const marginLeft = labelMargin(width, 160);
  const plot = Plot.plot({
    title: TITLE,
    width,
    height: Math.max(180, data.length * 26 + 60),
    marginLeft,
    x: { label: 'People', grid: true, ticks: Math.max(2, Math.floor((width - marginLeft) / 60)) },
    y: { label: null, axis: null },
    fy: { label: 'Skill', domain: data.map((d) => d.skill), tickFormat: fitLabel(marginLeft - 10) },
    color: { legend: true, label: 'Measure', domain: MEASURES, range: ['#4e79a7', '#e15759'] },
    marks: [
      Plot.barX(long, { x: 'count', y: 'measure', fy: 'skill', fill: 'measure', tip: true }),
      Plot.ruleX([0]),
    ],
  });
  return withText(plot, { caption: TITLE, columns: ['Skill', ...MEASURES], rows: data.map((d) => [d.skill, d.supply, d.demand]) });
}
