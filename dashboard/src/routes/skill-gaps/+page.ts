import { getList, settle } from '$lib/api.ts';
import { readFilters } from '$lib/filters.ts';

export async function load({ fetch, url }) {
  const filters = readFilters(url, ['department', 'skill', 'metric'] as const);
  const all = { limit: 100000 };
  const [departments, company, drill] = await Promise.all([
    settle(getList('/api/skill-gaps/org', { scope: 'department', ...all }, fetch)),
    settle(getList('/api/skill-gaps/org', { scope: 'company', ...all }, fetch)),
    // The employees behind one heatmap cell: gaps against their current role in that skill.
    filters.department && filters.skill
      ? settle(getList('/api/skill-gaps/employees', { department: filters.department, skill: filters.skill, target_kind: 'current', sort: 'gap', order: 'desc', limit: 100000 }, fetch))
      : Promise.resolve(null),
  ]);
  return { filters, departments, company, drill };
}
