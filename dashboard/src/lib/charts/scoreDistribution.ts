// Retention-risk score distribution by path state, side by side (one panel per state).
import * as Plot from '@observablehq/plot';
import { humanize } from '../format.ts';
import { PATH_STATE_COLORS } from './pathStates.ts';

/** A row of /api/retention/distribution. */
export interface ScoreBin { path_state: string | null; bin_start: number; bin_end: number; n: number }

const ORDER = ['no_path', 'plan_only', 'top_of_ladder', 'on_path'];

export function scoreDistribution(data: ScoreBin[], { width }: { width: number }) {
  const states = ORDER.filter((s) => data.some((d) => d.path_state === s));
  return Plot.plot({
    title: 'Retention-risk score distribution: on path vs no path',
    width,
    height: 260,
    marginBottom: 40,
    fx: { label: 'Path state', domain: states, tickFormat: humanize },
    x: { label: 'Risk score (0–100) →', domain: [0, 100], ticks: [0, 25, 50, 75, 100] },
    y: { label: '↑ Employees', grid: true },
    color: { legend: true, label: 'Path state', domain: states, range: states.map((s) => PATH_STATE_COLORS[s]), tickFormat: humanize },
    marks: [
      Plot.rectY(data, { fx: 'path_state', x1: 'bin_start', x2: 'bin_end', y: 'n', fill: 'path_state', inset: 1, tip: true }),
      Plot.ruleY([0]),
    ],
  });
}
