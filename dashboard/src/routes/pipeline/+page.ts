import { getJson, getList, settle } from '$lib/api.ts';
import { readFilters } from '$lib/filters.ts';

export async function load({ fetch, url }) {
  const filters = readFilters(url, ['run', 'file', 'severity'] as const);
  const [runs, run, rejects] = await Promise.all([
    settle(getList('/api/pipeline/runs', { limit: 50 }, fetch)),
    filters.run ? settle(getJson<Record<string, unknown>>(`/api/pipeline/runs/${encodeURIComponent(filters.run)}`, undefined, fetch)) : Promise.resolve(null),
    settle(getList('/api/pipeline/rejects', { run: filters.run, file: filters.file, severity: filters.severity, limit: 5000 }, fetch)),
  ]);
  return { filters, runs, run, rejects };
}
