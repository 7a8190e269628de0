import { getList, settle } from '$lib/api.ts';
import { readFilters } from '$lib/filters.ts';

export async function load({ fetch, url }) {
  const filters = readFilters(url, ['job_family'] as const);
  const [needs, atRisk] = await Promise.all([
    settle(getList('/api/talent-needs', { job_family: filters.job_family, limit: 100000 }, fetch)),
    settle(getList('/api/retention', { job_family: filters.job_family, band: 'high', sort: 'score', order: 'desc', limit: 1000 }, fetch)),
  ]);
  return { filters, needs, atRisk };
}
