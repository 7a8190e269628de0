// Overview: active employees by career path state.
import * as Plot from '@observablehq/plot';
import { humanize } from '../format.ts';
import { withText } from './a11y.ts';

/** A row of /api/overview `pathStates`. */
export interface StateCount { path_state: string; n: number }

/** The path states, top to bottom, and their colours (shared by the charts that draw path states). */
export const PATH_STATES = ['on_path', 'plan_only', 'no_path', 'top_of_ladder'];
export const PATH_STATE_COLORS: Record<string, string> = {
  on_path: '#59a14f', plan_only: '#f28e2b', no_path: '#e15759', top_of_ladder: '#4e79a7',
};

const TITLE = 'Employees by career path state';

export function pathStates(data: StateCount[], { width }: { width: number }) {
  const plot = Plot.plot({
    title: TITLE,
    width,
    height: 200,
    marginLeft: 100,
    marginRight: 40, // room for the count beside the longest bar
    x: { label: 'Employees →', grid: true, ticks: Math.max(2, Math.floor(width / 80)) },
    y: { label: null, domain: PATH_STATES, tickFormat: humanize },
    color: { domain: PATH_STATES, range: PATH_STATES.map((s) => PATH_STATE_COLORS[s]) },
    marks: [
      Plot.barX(data, { x: 'n', y: 'path_state', fill: 'path_state', tip: true }),
      Plot.text(data, { x: 'n', y: 'path_state', text: 'n', dx: 14 }),
      Plot.ruleX([0]),
    ],
  });
  return withText(plot, { caption: TITLE, columns: ['Path state', 'Employees'], rows: data.map((d) => [humanize(d.path_state), d.n]) });
}
