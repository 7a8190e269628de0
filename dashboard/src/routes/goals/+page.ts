import { getList, settle } from '$lib/api.ts';
import { readFilters } from '$lib/filters.ts';

export async function load({ fetch, url }) {
  const filters = readFilters(url, ['department'] as const);
  const [alignment, objectives, orphans] = await Promise.all([
    settle(getList('/api/goals/alignment', { limit: 100000 }, fetch)),
    settle(getList('/api/goals/objectives', { limit: 100000 }, fetch)),
    settle(getList('/api/goals/orphans', { department: filters.department, limit: 1000 }, fetch)),
  ]);
  return { filters, alignment, objectives, orphans };
}
