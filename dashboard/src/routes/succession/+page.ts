import { getJson, getList, settle } from '$lib/api.ts';
import { readFilters, type FilterValues } from '$lib/filters.ts';
import type { Candidate, CriticalRole, NineBox, PlanAnswer, PlanBrief, PlanDisagreement, PlanVersion, RoleDetail, SuccessionFigures } from '$lib/types.ts';

export async function load({ fetch, url }) {
  const filters = readFilters(url, ['role', 'job_family', 'performance_band', 'potential_band'] as const);
  const drill = filters.performance_band && filters.potential_band;
  const planPath = filters.role ? `/api/succession/plans/${encodeURIComponent(filters.role)}` : null;
  const [summary, roles, role, overRated, underRated, nineBox, values, plans, disagreements, plan, versions] = await Promise.all([
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
    // Saved succession plans (issue 14): the list, and the chosen role's plan with its history.
    settle(getJson<{ plans: PlanBrief[] }>('/api/succession/plans', undefined, fetch)),
    // Every saved decision that disagrees with the evidence, across the plans (page-wide, like the list).
    settle(getJson<{ rows: PlanDisagreement[] }>('/api/succession/disagreements', undefined, fetch)),
    planPath ? settle(getJson<PlanAnswer>(planPath, undefined, fetch)) : Promise.resolve(null),
    planPath ? settle(getJson<{ versions: PlanVersion[] }>(`${planPath}/versions`, undefined, fetch)) : Promise.resolve(null),
  ]);
  const calibration = overRated.ok && underRated.ok
    ? { ok: true as const, data: [...overRated.data.rows, ...underRated.data.rows] }
    : (!overRated.ok ? overRated : underRated) as { ok: false; error: string; status: number };
  // A role without a plan has no history (whether the server says so with an empty list or a 404).
  const history = versions && !versions.ok && versions.status === 404 ? { ok: true as const, data: { versions: [] } } : versions;
  return { filters, summary, roles, role, calibration, nineBox, values, plans, disagreements, plan, versions: history };
}
