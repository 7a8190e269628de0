import { getJson, getList, settle } from '$lib/api.ts';
import { readFilters } from '$lib/filters.ts';

export async function load({ fetch, url }) {
  const filters = readFilters(url, ['role', 'job_family', 'performance_band', 'potential_band'] as const);
  const [summary, roles, role, candidates, nineBox] = await Promise.all([
    settle(getJson<Record<string, unknown>>('/api/succession/summary', undefined, fetch)),
    settle(getList('/api/succession/roles', { limit: 100000, job_family: filters.job_family }, fetch)),
    filters.role
      ? settle(getJson<Record<string, unknown>>(`/api/succession/roles/${encodeURIComponent(filters.role)}`, undefined, fetch))
      : Promise.resolve(null),
    settle(getList('/api/succession/candidates', { limit: 100000, job_family: filters.job_family }, fetch)),
    settle(getJson<Record<string, unknown>>('/api/succession/nine-box', {
      performance_band: filters.performance_band, potential_band: filters.potential_band,
    }, fetch)),
  ]);
  return { filters, summary, roles, role, candidates, nineBox };
}
