import { getJson, getList, settle, type Loaded, type Meta } from '$lib/api.ts';
import { readFilters } from '$lib/filters.ts';
import type { MappingInfo, RunDetail, RunRow } from '$lib/types.ts';

export async function load({ fetch, url, parent }) {
  const filters = readFilters(url, ['run', 'file', 'severity'] as const);
  const { meta } = (await parent()) as { meta?: Loaded<Meta> };
  // The pipeline routes are admin-only: others get a plain message instead of three 403 boxes.
  if (!meta?.ok || meta.data.user?.role !== 'admin') return { filters, admin: false as const };
  const rejectFilters = { run: filters.run, file: filters.file, severity: filters.severity };
  const [runs, run, kinds, rejects, mappings] = await Promise.all([
    settle(getList<RunRow>('/api/pipeline/runs', { limit: 50 }, fetch)),
    filters.run ? settle(getJson<RunDetail>(`/api/pipeline/runs/${encodeURIComponent(filters.run)}`, undefined, fetch)) : Promise.resolve(null),
    settle(getList('/api/pipeline/rejects/kinds', { ...rejectFilters, limit: 500 }, fetch)),
    settle(getList('/api/pipeline/rejects', { ...rejectFilters, limit: 5000 }, fetch)),
    settle(getJson<{ mappingsDir: string; mappings: MappingInfo[] }>('/api/pipeline/mappings', undefined, fetch)),
  ]);
  return { filters, admin: true as const, runs, run, kinds, rejects, mappings };
}
