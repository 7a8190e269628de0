// Department × skill heatmap of skill gaps (org skill view rows), one cell per pair.
import * as Plot from '@observablehq/plot';
import { fmtInt, fmtNum } from '../format.ts';

export interface HeatCell { department: string; skill: string; value: number | null; employees_short?: number | null }

export function skillHeatmap(data: HeatCell[], { width, metric = 'Mean gap (levels)' }: { width: number; metric?: string }) {
  const departments = new Set(data.map((d) => d.department)).size;
  const max = Math.max(0, ...data.map((d) => d.value ?? 0));
  // Light text on the darker half of the scale, dark text on the lighter half.
  const ink = (d: HeatCell) => (d.value != null && max > 0 && d.value / max > 0.55 ? 'white' : 'black');
  // Counts (employees short, gap points) whole, means (mean gap) with decimals.
  const shown = (v: number | null) => (v == null ? '—' : Number.isInteger(v) ? fmtInt(v) : fmtNum(v));
  const label = (d: HeatCell) => (d.value == null ? '' : shown(d.value));
  return Plot.plot({
    title: `Skill gaps by department and skill (${metric.toLowerCase()})`,
    width,
    height: Math.max(160, 40 + departments * 28 + 110),
    marginLeft: 140,
    marginBottom: 110,
    padding: 0.05,
    grid: false,
    x: { label: 'Skill', tickRotate: -40, tickFormat: (s: string) => (s.length > 22 ? `${s.slice(0, 21)}…` : s) },
    y: { label: 'Department' },
    color: { label: metric, legend: true, scheme: 'oranges', zero: true },
    marks: [
      Plot.cell(data, { x: 'skill', y: 'department', fill: 'value', inset: 0.5 }),
      Plot.text(data, { x: 'skill', y: 'department', text: label, fill: ink, fontSize: 10 }),
      Plot.tip(data, Plot.pointer({ x: 'skill', y: 'department', title: (d: HeatCell) => `${d.department} · ${d.skill}\n${metric}: ${shown(d.value)}${d.employees_short != null ? `\nEmployees short: ${fmtInt(d.employees_short)}` : ''}\nClick to list the employees` })),
    ],
  });
}
