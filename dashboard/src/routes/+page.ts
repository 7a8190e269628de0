import { getJson, settle } from '$lib/api.ts';
import { readFilters } from '$lib/filters.ts';

export async function load({ fetch, url }) {
  const filters = readFilters(url, ['department'] as const);
  return { filters, overview: await settle(getJson<Record<string, unknown>>('/api/overview', filters, fetch)) };
}
