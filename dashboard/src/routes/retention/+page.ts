import { getJson, getList, settle } from '$lib/api.ts';
import { readFilters, type FilterValues } from '$lib/filters.ts';
import { getAllRows } from '$lib/list-rows.ts';
import { managerView } from '$lib/scope.ts';
import type { ScoreDistribution } from '$lib/types.ts';

type R = Record<string, unknown>;

export async function load({ fetch, url, parent }) {
  const filters = readFilters(url, ['path_state', 'department', 'band', 'manager', 'reports'] as const);
  // The team: a manager (HR picks one; a manager is their own) and everyone under them, or only their
  // direct reports. Without a manager HR has no team to narrow, so `reports` is ignored.
  const asManager = managerView((await parent()).meta);
  const team = { manager: filters.manager, reports: filters.reports === 'direct' && (filters.manager || asManager) ? 'direct' : undefined };
  const common = { department: filters.department, band: filters.band, ...team, sort: 'score', order: 'desc' };
  // Default view: no_path and plan_only together, ranked by score. Whole lists (Arrow when large), so
  // the table sorts, pages and exports every row.
  const states = filters.path_state ? [filters.path_state] : ['no_path', 'plan_only'];
  // Each no-path person's best suggested move, over the same team and filters (not the path-state pick).
  const movesQuery = { department: filters.department, band: filters.band, ...team, sort: 'score', order: 'desc', limit: 100000 };
  const [lists, distribution, values, bestMoves] = await Promise.all([
    settle(Promise.all(states.map((s) => getAllRows<R>('/api/retention', { ...common, path_state: s }, fetch)))),
    settle(getJson<ScoreDistribution>('/api/retention/distribution', { department: filters.department, ...team }, fetch)),
    settle(getJson<FilterValues>('/api/filters', undefined, fetch)),
    settle(getList<R>('/api/retention/best-moves', movesQuery, fetch)),
  ]);
  const risk = lists.ok ? { ok: true as const, data: merge(lists.data.map((l) => l.rows)) } : lists;
  return { filters, asManager, risk, distribution, values, bestMoves };
}

/** The lists of several path states in one ranking: score descending, then employee id (the API's order). */
function merge(lists: R[][]): R[] {
  if (lists.length === 1) return lists[0];
  return lists.flat().sort((a, b) => Number(b.score ?? -1) - Number(a.score ?? -1) ||
    (String(a.employee_id) < String(b.employee_id) ? -1 : String(a.employee_id) > String(b.employee_id) ? 1 : 0));
}
