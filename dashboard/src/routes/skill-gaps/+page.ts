import { getJson, getList, settle } from '$lib/api.ts';
import { readFilters, type FilterValues } from '$lib/filters.ts';
import type { OrgGapRow } from '$lib/types.ts';

export async function load({ fetch, url }) {
  const filters = readFilters(url, ['department', 'skill', 'metric'] as const);
  const all = { limit: 100000 };
  const [departments, company, drill, values] = await Promise.all([
    settle(getList<OrgGapRow>('/api/skill-gaps/org', { scope: 'department', value: filters.department, skill: filters.skill, ...all }, fetch)),
    settle(getList<OrgGapRow>('/api/skill-gaps/org', { scope: 'company', skill: filters.skill, ...all }, fetch)),
    // The employees behind one heatmap cell: gaps against their current role in that skill.
    filters.department && filters.skill
      ? settle(getList('/api/skill-gaps/employees', { department: filters.department, skill: filters.skill, target_kind: 'current', sort: 'gap', order: 'desc', limit: 100000 }, fetch))
      : Promise.resolve(null),
    settle(getJson<FilterValues>('/api/filters', undefined, fetch)),
  ]);
  return { filters, departments, company, drill, values };
}
