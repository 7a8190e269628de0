// Retention-risk score distribution by path state, side by side (one panel per state).
import * as Plot from '@observablehq/plot';

export interface ScoreBin { path_state: string; bin: number; count: number }

const ORDER = ['no_path', 'plan_only', 'on_path'];
const LABEL: Record<string, string> = { no_path: 'No path', plan_only: 'Plan only', on_path: 'On path' };

export function scoreDistribution(data: ScoreBin[], { width, binWidth = 10 }: { width: number; binWidth?: number }) {
  const states = ORDER.filter((s) => data.some((d) => d.path_state === s));
  return Plot.plot({
    title: 'Retention-risk score distribution: on path vs no path',
    width,
    height: 260,
    marginBottom: 40,
    fx: { label: 'Path state', domain: states, tickFormat: (s: string) => LABEL[s] ?? s },
    x: { label: 'Risk score (0–100) →', domain: [0, 100 + binWidth] },
    y: { label: '↑ Employees', grid: true },
    color: { legend: true, label: 'Path state', domain: states, range: ['#e15759', '#f28e2b', '#59a14f'].slice(0, 3), tickFormat: (s: string) => LABEL[s] ?? s },
    marks: [
      Plot.rectY(data, { fx: 'path_state', x1: 'bin', x2: (d: ScoreBin) => d.bin + binWidth, y: 'count', fill: 'path_state', inset: 1, tip: true }),
      Plot.ruleY([0]),
    ],
  });
}
