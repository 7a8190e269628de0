// 9-box grid: performance band (x) × potential band (y) with the count of employees in each cell.
// The cells are drill-downs: click one, or Tab to the grid, move with the arrow keys and press Enter.
import * as Plot from '@observablehq/plot';
import { keyboardCells, withText } from './a11y.ts';

/** A cell of /api/succession/nine-box `cells`. */
export interface NineBoxCell { performance_band: string; potential_band: string; n: number }

const BANDS = ['low', 'moderate', 'high'];
const TITLE = '9-box: performance × potential (latest review)';
const cellName = (d: NineBoxCell) => `Performance ${d.performance_band}, potential ${d.potential_band}: ${d.n} ${d.n === 1 ? 'employee' : 'employees'}`;

export function nineBox(data: NineBoxCell[], { width }: { width: number }) {
  const size = Math.min(width, 520);
  const full = BANDS.flatMap((p) => BANDS.map((q) => {
    const hit = data.find((d) => d.performance_band === p && d.potential_band === q);
    return { performance_band: p, potential_band: q, n: hit?.n ?? 0 };
  }));
  const max = Math.max(1, ...full.map((d) => d.n));
  const plot = Plot.plot({
    title: TITLE,
    width: size,
    height: size * 0.8,
    marginLeft: 80,
    marginBottom: 45,
    padding: 0.04,
    x: { label: 'Performance →', domain: BANDS },
    y: { label: '↑ Potential', domain: [...BANDS].reverse() },
    color: { label: 'Employees', scheme: 'blues', legend: true, zero: true },
    marks: [
      Plot.cell(full, { x: 'performance_band', y: 'potential_band', fill: 'n', ariaLabel: cellName,
        render: keyboardCells(full, '9-box cells: arrow keys move between boxes, Enter lists the employees of a box') }),
      Plot.text(full, { x: 'performance_band', y: 'potential_band', text: 'n', fontSize: 18, fontWeight: 'bold', fill: (d: NineBoxCell) => (d.n === 0 ? '#999' : d.n / max > 0.6 ? 'white' : 'black') }),
      Plot.tip(full, Plot.pointer({ x: 'performance_band', y: 'potential_band', ariaHidden: 'true', title: (d: NineBoxCell) => `Performance ${d.performance_band}, potential ${d.potential_band}: ${d.n}\nClick to list them` })),
    ],
  });
  return withText(plot, { caption: TITLE, columns: ['Performance', 'Potential', 'Employees'], rows: full.map((d) => [d.performance_band, d.potential_band, d.n]) });
}
