import { getJson, getList, settle } from '$lib/api.ts';
import { getAllRows } from '$lib/list-rows.ts';
import { readFilters, type FilterValues } from '$lib/filters.ts';
import type { AlignmentRow, ObjectiveRow } from '$lib/types.ts';

export async function load({ fetch, url }) {
  const filters = readFilters(url, ['department'] as const);
  const [alignment, objectives, orphans, values] = await Promise.all([
    settle(getList<AlignmentRow>('/api/goals/alignment', { limit: 100000 }, fetch)),
    settle(getList<ObjectiveRow>('/api/goals/objectives', { limit: 100000 }, fetch)),
    // every orphan goal (a large org has thousands): the table pages them and exports them all
    settle(getAllRows('/api/goals/orphans', { department: filters.department }, fetch)),
    settle(getJson<FilterValues>('/api/filters', undefined, fetch)),
  ]);
  return { filters, alignment, objectives, orphans, values };
}
