import { getJson, getList, settle } from '$lib/api.ts';
import { getAllRows } from '$lib/list-rows.ts';
import { readFilters, type FilterValues } from '$lib/filters.ts';
import type { NeedRow } from '$lib/types.ts';

export async function load({ fetch, url }) {
  const filters = readFilters(url, ['job_family'] as const);
  const [needs, atRisk, values] = await Promise.all([
    settle(getList<NeedRow>('/api/talent-needs', { job_family: filters.job_family, limit: 100000 }, fetch)),
    // every incumbent at high risk (the card counts them all; the table and its export hold them all)
    settle(getAllRows('/api/retention', { job_family: filters.job_family, band: 'high', sort: 'score', order: 'desc' }, fetch)),
    settle(getJson<FilterValues>('/api/filters', undefined, fetch)),
  ]);
  return { filters, needs, atRisk, values };
}
