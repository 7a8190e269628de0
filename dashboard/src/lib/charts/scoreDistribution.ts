// Retention-risk score distribution by path state, side by side (one panel per state).
import * as Plot from '@observablehq/plot';
import { humanize } from '../format.ts';
import { withText } from './a11y.ts';
import { PATH_STATE_COLORS } from './pathStates.ts';
import { isNarrow } from './size.ts';

/** A row of /api/retention/distribution. */
export interface ScoreBin { path_state: string | null; bin_start: number; bin_end: number; n: number }

const ORDER = ['no_path', 'plan_only', 'top_of_ladder', 'on_path'];
const TITLE = 'Retention-risk score distribution: on path vs no path';

export function scoreDistribution(data: ScoreBin[], { width }: { width: number }) {
  const states = ORDER.filter((s) => data.some((d) => d.path_state === s));
  // Four panels side by side in a half-width card (or on a phone) leave under 160 px each: ticks at 0, 50,
  // 100 only and the panels further apart, or one panel's "100" runs into the next one's "0" ("1000").
  const tight = isNarrow(width) || width / Math.max(1, states.length) < 160;
  const plot = Plot.plot({
    title: TITLE,
    width,
    height: 260,
    marginBottom: 40,
    fx: { label: 'Path state', domain: states, tickFormat: humanize, padding: tight ? 0.2 : 0.1 },
    x: { label: 'Risk score (0–100) →', domain: [0, 100], ticks: tight ? [0, 50, 100] : [0, 25, 50, 75, 100] },
    y: { label: '↑ Employees', grid: true },
    color: { legend: true, label: 'Path state', domain: states, range: states.map((s) => PATH_STATE_COLORS[s]), tickFormat: humanize },
    marks: [
      Plot.rectY(data, { fx: 'path_state', x1: 'bin_start', x2: 'bin_end', y: 'n', fill: 'path_state', inset: 1, tip: true }),
      Plot.ruleY([0]),
    ],
  });
  return withText(plot, {
    caption: TITLE,
    columns: ['Path state', 'Score from', 'Score below', 'Employees'],
    rows: data.map((d) => [humanize(d.path_state ?? ''), d.bin_start, d.bin_end, d.n]),
  });
}
