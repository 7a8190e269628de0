// Retention-risk score distribution by path state, side by side (one panel per state).
import * as Plot from '@observablehq/plot';

/** A row of /api/retention/distribution. */
export interface ScoreBin { path_state: string | null; bin_start: number; bin_end: number; n: number }

const ORDER = ['no_path', 'plan_only', 'on_path'];
const LABEL: Record<string, string> = { no_path: 'No path', plan_only: 'Plan only', on_path: 'On path' };
const COLOR: Record<string, string> = { no_path: '#e15759', plan_only: '#f28e2b', on_path: '#59a14f' };

export function scoreDistribution(data: ScoreBin[], { width }: { width: number }) {
  const states = ORDER.filter((s) => data.some((d) => d.path_state === s));
  return Plot.plot({
    title: 'Retention-risk score distribution: on path vs no path',
    width,
    height: 260,
    marginBottom: 40,
    fx: { label: 'Path state', domain: states, tickFormat: (s: string) => LABEL[s] ?? s },
    x: { label: 'Risk score (0–100) →', domain: [0, 100], ticks: [0, 25, 50, 75, 100] },
    y: { label: '↑ Employees', grid: true },
    color: { legend: true, label: 'Path state', domain: states, range: states.map((s) => COLOR[s]), tickFormat: (s: string) => LABEL[s] ?? s },
    marks: [
      Plot.rectY(data, { fx: 'path_state', x1: 'bin_start', x2: 'bin_end', y: 'n', fill: 'path_state', inset: 1, tip: true }),
      Plot.ruleY([0]),
    ],
  });
}
