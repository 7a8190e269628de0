// Department × skill heatmap of skill gaps (org skill view rows), one cell per pair. The cells are
// drill-downs: click one, or Tab to the heatmap, move with the arrow keys and press Enter.
import * as Plot from '@observablehq/plot';
import { fmtInt, formatNumber, type NumberKind } from '../format.ts';
import { keyboardCells, withText } from './a11y.ts';
import { fitLabel, isNarrow, labelMargin } from './size.ts';

export interface HeatCell { department: string; skill: string; value: number | null; employees_short?: number | null }

/**
 * `kind` is how the measure reads (format.ts): a mean gap as a decimal (1.00 beside 0.45, never 1), a count
 * whole.
 */
export function skillHeatmap(data: HeatCell[], { width, metric = 'Mean gap (levels)', kind = 'decimal' }: { width: number; metric?: string; kind?: NumberKind }) {
  const departments = new Set(data.map((d) => d.department)).size;
  const skills = new Set(data.map((d) => d.skill)).size;
  const max = Math.max(0, ...data.map((d) => d.value ?? 0));
  // Light text on the darker half of the scale, dark text on the lighter half.
  const ink = (d: HeatCell) => (d.value != null && max > 0 && d.value / max > 0.55 ? 'white' : 'black');
  const shown = (v: number | null) => formatNumber(v, kind);
  const label = (d: HeatCell) => (d.value == null ? '' : shown(d.value));
  const title = `Skill gaps by department and skill (${metric.toLowerCase()})`;
  // On a phone the skills (usually many more than departments) run down the side instead of across.
  const narrow = isNarrow(width);
  const [x, y] = narrow ? ['department', 'skill'] as const : ['skill', 'department'] as const;
  const columns = narrow ? departments : skills;
  const rows = narrow ? skills : departments;
  const marginLeft = labelMargin(width, 140);
  const marginBottom = narrow ? 80 : 110;
  // The figures inside the cells only where a cell is wide enough for them.
  const cellPx = (width - marginLeft - 20) / Math.max(1, columns);
  const plot = Plot.plot({
    title,
    width,
    height: Math.max(160, 40 + rows * (narrow ? 20 : 28) + marginBottom),
    marginLeft,
    marginBottom,
    padding: 0.05,
    grid: false,
    x: { label: narrow ? 'Department' : 'Skill', tickRotate: -40, tickFormat: fitLabel(marginBottom + 20) },
    y: { label: narrow ? 'Skill' : 'Department', tickFormat: fitLabel(marginLeft - 10) },
    color: { label: metric, legend: true, scheme: 'oranges', zero: true },
    marks: [
      Plot.cell(data, { x, y, fill: 'value', inset: 0.5, ariaLabel: (d: HeatCell) => `${d.department} · ${d.skill}: ${metric} ${shown(d.value)}`,
        render: keyboardCells(data, 'Heatmap cells: arrow keys move between cells, Enter lists the employees of a cell') }),
      cellPx >= 22 ? Plot.text(data, { x, y, text: label, fill: ink, fontSize: 10 }) : null,
      Plot.tip(data, Plot.pointer({ x, y, ariaHidden: 'true', title: (d: HeatCell) => `${d.department} · ${d.skill}\n${metric}: ${shown(d.value)}${d.employees_short != null ? `\nEmployees short: ${fmtInt(d.employees_short)}` : ''}\nClick to list the employees` })),
    ],
  });
  return withText(plot, {
    caption: title,
    columns: ['Department', 'Skill', metric, 'Employees short'],
    rows: data.map((d) => [d.department, d.skill, shown(d.value), d.employees_short]),
  });
}
