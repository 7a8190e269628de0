// 9-box grid: performance band (x) × potential band (y) with the count of employees in each cell.
import * as Plot from '@observablehq/plot';

export interface NineBoxCell { performance_band: string; potential_band: string; count: number }

const BANDS = ['low', 'moderate', 'high'];

export function nineBox(data: NineBoxCell[], { width }: { width: number }) {
  const size = Math.min(width, 520);
  const full = BANDS.flatMap((p) => BANDS.map((q) => {
    const hit = data.find((d) => d.performance_band === p && d.potential_band === q);
    return { performance_band: p, potential_band: q, count: hit?.count ?? 0 };
  }));
  const max = Math.max(1, ...full.map((d) => d.count));
  return Plot.plot({
    title: '9-box: performance × potential (latest review)',
    width: size,
    height: size * 0.8,
    marginLeft: 80,
    marginBottom: 45,
    padding: 0.04,
    x: { label: 'Performance →', domain: BANDS },
    y: { label: '↑ Potential', domain: [...BANDS].reverse() },
    color: { label: 'Employees', scheme: 'blues', legend: true, zero: true },
    marks: [
      Plot.cell(full, { x: 'performance_band', y: 'potential_band', fill: 'count' }),
      Plot.text(full, { x: 'performance_band', y: 'potential_band', text: 'count', fontSize: 18, fontWeight: 'bold', fill: (d: NineBoxCell) => (d.count === 0 ? '#999' : d.count / max > 0.6 ? 'white' : 'black') }),
      Plot.tip(full, Plot.pointer({ x: 'performance_band', y: 'potential_band', title: (d: NineBoxCell) => `Performance ${d.performance_band}, potential ${d.potential_band}: ${d.count}\nClick to list them` })),
    ],
  });
}
