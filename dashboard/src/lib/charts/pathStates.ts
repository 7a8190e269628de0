// Overview: active employees by career path state.
import * as Plot from '@observablehq/plot';

/** A row of /api/overview `pathStates`. */
export interface StateCount { path_state: string; n: number }

const LABEL: Record<string, string> = { no_path: 'No path', plan_only: 'Plan only', on_path: 'On path' };

export function pathStates(data: StateCount[], { width }: { width: number }) {
  return Plot.plot({
    title: 'Employees by career path state',
    width,
    height: 170,
    marginLeft: 90,
    marginRight: 40, // room for the count beside the longest bar
    x: { label: 'Employees →', grid: true },
    y: { label: null, domain: ['on_path', 'plan_only', 'no_path'], tickFormat: (s: string) => LABEL[s] ?? s },
    color: { domain: ['on_path', 'plan_only', 'no_path'], range: ['#59a14f', '#f28e2b', '#e15759'] },
    marks: [
      Plot.barX(data, { x: 'n', y: 'path_state', fill: 'path_state', tip: true }),
      Plot.text(data, { x: 'n', y: 'path_state', text: 'n', dx: 14 }),
      Plot.ruleX([0]),
    ],
  });
}
