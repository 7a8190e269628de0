// Overview: active employees by career path state.
import * as Plot from '@observablehq/plot';
import { withText } from './a11y.ts';

/** A row of /api/overview `pathStates`. */
export interface StateCount { path_state: string; n: number }

const LABEL: Record<string, string> = { no_path: 'No path', plan_only: 'Plan only', on_path: 'On path' };
const TITLE = 'Employees by career path state';

export function pathStates(data: StateCount[], { width }: { width: number }) {
  const plot = Plot.plot({
    title: TITLE,
    width,
    height: 170,
    marginLeft: 90,
    marginRight: 40, // room for the count beside the longest bar
    x: { label: 'Employees →', grid: true, ticks: Math.max(2, Math.floor(width / 80)) },
    y: { label: null, domain: ['on_path', 'plan_only', 'no_path'], tickFormat: (s: string) => LABEL[s] ?? s },
    color: { domain: ['on_path', 'plan_only', 'no_path'], range: ['#59a14f', '#f28e2b', '#e15759'] },
    marks: [
      Plot.barX(data, { x: 'n', y: 'path_state', fill: 'path_state', tip: true }),
      Plot.text(data, { x: 'n', y: 'path_state', text: 'n', dx: 14 }),
      Plot.ruleX([0]),
    ],
  });
  return withText(plot, { caption: TITLE, columns: ['Path state', 'Employees'], rows: data.map((d) => [LABEL[d.path_state] ?? d.path_state, d.n]) });
}
