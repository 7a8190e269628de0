import { getJson, settle } from '$lib/api.ts';
import { getAllRows } from '$lib/list-rows.ts';
import { readFilters, type FilterValues } from '$lib/filters.ts';

export async function load({ fetch, url }) {
  const filters = readFilters(url, ['q', 'department', 'path_state'] as const);
  const [list, values] = await Promise.all([
    // every match, not the first 500: the table pages them and Export CSV writes them all (a large list
    // comes as Arrow, lib/list-rows.ts)
    settle(getAllRows('/api/employees', filters, fetch)),
    settle(getJson<FilterValues>('/api/filters', undefined, fetch)),
  ]);
  return { filters, list, values };
}
