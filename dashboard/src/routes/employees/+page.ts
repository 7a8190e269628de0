import { getList, settle } from '$lib/api.ts';
import { readFilters } from '$lib/filters.ts';

export async function load({ fetch, url }) {
  const filters = readFilters(url, ['q', 'department', 'path_state'] as const);
  return { filters, list: await settle(getList('/api/employees', { ...filters, limit: 500 }, fetch)) };
}
