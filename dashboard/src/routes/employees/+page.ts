import { getJson, getList, settle } from '$lib/api.ts';
import { readFilters, type FilterValues } from '$lib/filters.ts';

export async function load({ fetch, url }) {
  const filters = readFilters(url, ['q', 'department', 'path_state'] as const);
  const [list, values] = await Promise.all([
    settle(getList('/api/employees', { ...filters, limit: 500 }, fetch)),
    settle(getJson<FilterValues>('/api/filters', undefined, fetch)),
  ]);
  return { filters, list, values };
}
