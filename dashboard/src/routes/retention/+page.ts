import { getList, settle, type List } from '$lib/api.ts';
import { readFilters } from '$lib/filters.ts';

type R = Record<string, unknown>;

export async function load({ fetch, url }) {
  const filters = readFilters(url, ['path_state', 'department', 'band'] as const);
  const common = { department: filters.department, band: filters.band, sort: 'score', order: 'desc', limit: 1000 };
  // Default view: no_path and plan_only together, ranked by score.
  const states = filters.path_state ? [filters.path_state] : ['no_path', 'plan_only'];
  const [lists, distribution] = await Promise.all([
    settle(Promise.all(states.map((s) => getList<R>('/api/retention', { ...common, path_state: s }, fetch)))),
    settle(getList<R>('/api/retention/distribution', { department: filters.department }, fetch)),
  ]);
  const risk = lists.ok
    ? { ok: true as const, data: merge(lists.data) }
    : lists;
  return { filters, risk, distribution };
}

function merge(lists: List<R>[]): { rows: R[]; total: number } {
  const rows = lists.flatMap((l) => l.rows)
    .sort((a, b) => Number(b.score ?? 0) - Number(a.score ?? 0) || String(a.employee_id).localeCompare(String(b.employee_id)));
  return { rows, total: lists.reduce((n, l) => n + l.total, 0) };
}
