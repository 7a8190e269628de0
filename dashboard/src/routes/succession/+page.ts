import { getJson, getList, settle } from '$lib/api.ts';
import { readFilters, type FilterValues } from '$lib/filters.ts';
import type { Candidate, CriticalRole, NineBox, RoleDetail, SuccessionFigures } from '$lib/types.ts';

export async function load({ fetch, url }) {
  const filters = readFilters(url, ['role', 'job_family', 'performance_band', 'potential_band'] as const);
  const drill = filters.performance_band && filters.potential_band;
  const [summary, roles, role, overRated, underRated, nineBox, values] = await Promise.all([
    settle(getJson<SuccessionFigures>('/api/succession/summary', undefined, fetch)),
    settle(getList<CriticalRole>('/api/succession/roles', { limit: 100000, job_family: filters.job_family }, fetch)),
    filters.role
      ? settle(getJson<RoleDetail>(`/api/succession/roles/${encodeURIComponent(filters.role)}`, undefined, fetch))
      : Promise.resolve(null),
    // Calibration gaps are the candidates whose manager-stated readiness differs from the evidence.
    settle(getList<Candidate>('/api/succession/candidates', { calibration: 'over_rated', limit: 100000 }, fetch)),
    settle(getList<Candidate>('/api/succession/candidates', { calibration: 'under_rated', limit: 100000 }, fetch)),
    settle(getJson<NineBox>('/api/succession/nine-box', drill
      ? { performance_band: filters.performance_band, potential_band: filters.potential_band } : undefined, fetch)),
    settle(getJson<FilterValues>('/api/filters', undefined, fetch)),
  ]);
  const calibration = overRated.ok && underRated.ok
    ? { ok: true as const, data: [...overRated.data.rows, ...underRated.data.rows] }
    : (!overRated.ok ? overRated : underRated) as { ok: false; error: string; status: number };
  return { filters, summary, roles, role, calibration, nineBox, values };
}
