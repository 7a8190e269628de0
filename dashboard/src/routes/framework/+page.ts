import { getJson, settle } from '$lib/api.ts';
import { readFilters } from '$lib/filters.ts';
import type { Framework } from '$lib/types.ts';

export async function load({ fetch, url }) {
  const filters = readFilters(url, ['job_family'] as const);
  return { filters, framework: await settle(getJson<Framework>('/api/framework', { job_family: filters.job_family }, fetch)) };
}
