// What-if for a plan's successor X: "if X moved into role R now". The chain of vacancies it opens, the
// bench strength of every role touched and the org bench-strength index before and after, and who X's
// direct reports would report to. Computed on request in SQL over the committed marts (and the saved
// plans), never written into them. The rule, with its tie-breaks: docs/marts.md "What-if".
import type { DuckDBConnection } from '@duckdb/node-api';
import { BadRequestError } from '../errors.ts';
import { missingTables } from '../list-route.ts';
import { readOne, readRows } from '../rows.ts';

export const MAX_STEPS = 4;
export const WHAT_IF_TABLES = ['int_employees_active', 'int_readiness_rated', 'stg_roles', 'succession_candidates', 'succession_roles'];

export interface Step {
  step: number; role_id: string; title: string | null; vacated_by_id: string; vacated_by_name: string | null;
  successor_id: string | null; successor_name: string | null; successor_readiness: 'ready_now' | '1_2_years' | null;
  /** Where the successor's readiness comes from: the role's saved plan (a decision) or the evidence. */
  successor_source: 'plan' | 'evidence' | null;
}

const ids = (list: string[]) => JSON.stringify(list);

/**
 * The best successor for `roleId` among people not yet moved: ready within 2 years by the role's saved
 * plan (a decision replaces the evidence for that person) or else by the evidence (int_readiness_rated);
 * ranked ready now first, then a plan's decision before evidence alone, then readiness score (highest
 * first, none last), then employee id.
 */
const BEST_SQL = `
  with decided as (
      select employee_id, decided_readiness from succession_plan_successors where role_id = $role_id
  ),
  pool as (
      select d.employee_id, case d.decided_readiness when 'ready_now' then 0 else 1 end as rank, true as from_plan
      from decided d where d.decided_readiness in ('ready_now', '1_2_years')
      union all
      select r.employee_id, case r.readiness when 'ready_now' then 0 else 1 end, false
      from int_readiness_rated r
      where r.role_id = $role_id and r.readiness in ('ready_now', 'ready_1_2_years')
        and r.employee_id not in (select employee_id from decided)
  )
  select pool.employee_id, e.full_name, pool.rank, pool.from_plan
  from pool
  join int_employees_active e using (employee_id)
  left join int_readiness_rated r on r.role_id = $role_id and r.employee_id = pool.employee_id
  where e.role_id is distinct from $role_id
    and not list_contains(from_json($moved, '["VARCHAR"]'), pool.employee_id)
  order by pool.rank, pool.from_plan desc, r.readiness_score desc nulls last, pool.employee_id
  limit 1`;

/**
 * Bench strength per critical role and the org index, before and after: the moved people leave every
 * candidate pool (k of the others is unchanged: it counts their own roles); incumbents change by
 * `$deltas` (a JSON object role → change). Same formulas as succession_roles / succession_summary.
 */
const BENCH_SQL = `
  with ready as (
      select role_id, employee_id,
        case readiness when 'ready_now' then 1.0 else 0.5 end as weight,
        count(*) over (partition by employee_id) as k
      from succession_candidates where readiness in ('ready_now', 'ready_1_2_years')
  ),
  moved as (select unnest(from_json($moved, '["VARCHAR"]')) as employee_id),
  bench as (
      select role_id,
        sum(weight / k)::double as before,
        coalesce(sum(weight / k) filter (where employee_id not in (select employee_id from moved)), 0)::double as after
      from ready group by role_id
  ),
  deltas as (
      select d.role_id, sum(d.delta) as delta
      from (select unnest(from_json($deltas, '[{"role_id": "VARCHAR", "delta": "INTEGER"}]')) as d)
      group by d.role_id
  ),
  per_role as (
      select s.role_id, s.n_incumbents,
        greatest(0, s.n_incumbents + coalesce(d.delta, 0)) as n_incumbents_after,
        coalesce(b.before, 0) as bench_before, coalesce(b.after, 0) as bench_after
      from succession_roles s
      left join bench b using (role_id)
      left join deltas d using (role_id)
  )
  select role_id, n_incumbents::int as n_incumbents, n_incumbents_after::int as n_incumbents_after, bench_before, bench_after,
    avg(least(1, bench_before / greatest(1, n_incumbents))) over () as index_before,
    avg(least(1, bench_after / greatest(1, n_incumbents_after))) over () as index_after
  from per_role order by role_id`;

export interface WhatIf {
  steps: Step[];
  roles: { role_id: string; title: string | null; bench_before: number | null; bench_after: number | null }[];
  index_before: number | null;
  index_after: number | null;
  reports: { employee_id: string; name: string | null; manager_now_id: string; manager_to_be_id: string | null; manager_to_be_name: string | null }[];
}

/** The what-if of `successorId` moving into `roleId` now (the caller has checked they are in its plan). */
export async function whatIf(conn: DuckDBConnection, roleId: string, successorId: string): Promise<WhatIf> {
  const missing = await missingTables(conn, WHAT_IF_TABLES);
  if (missing.length) throw new BadRequestError('no organisation is loaded yet: run the pipeline first');
  const x = await readOne(conn, 'select employee_id, full_name, role_id, manager_id from int_employees_active where employee_id = $id', { id: successorId });
  if (!x) throw new BadRequestError(`successor "${successorId}" is not an active employee now`);
  if (x.role_id === roleId) throw new BadRequestError(`successor "${successorId}" already holds ${roleId}`);
  const titles = new Map((await readRows(conn, 'select role_id, title from stg_roles')).map((r) => [String(r.role_id), (r.title as string | null) ?? null]));

  // The chain: X's role loses X; its best successor moves up and their role loses them; up to 4 steps.
  const moved = [successorId];
  const steps: Step[] = [];
  let vacated = { id: successorId, name: (x.full_name as string | null) ?? null, role: x.role_id as string | null };
  while (vacated.role && steps.length < MAX_STEPS) {
    const best = await readOne(conn, BEST_SQL, { role_id: vacated.role, moved: ids(moved) });
    const step: Step = {
      step: steps.length + 1, role_id: vacated.role, title: titles.get(vacated.role) ?? null,
      vacated_by_id: vacated.id, vacated_by_name: vacated.name,
      successor_id: best ? String(best.employee_id) : null, successor_name: best ? (best.full_name as string | null) ?? null : null,
      successor_readiness: best ? (Number(best.rank) === 0 ? 'ready_now' : '1_2_years') : null,
      successor_source: best ? (best.from_plan ? 'plan' : 'evidence') : null,
    };
    steps.push(step);
    if (!best) break;
    moved.push(String(best.employee_id));
    const next = await readOne(conn, 'select role_id from int_employees_active where employee_id = $id', { id: String(best.employee_id) });
    vacated = { id: String(best.employee_id), name: step.successor_name, role: (next?.role_id as string | null) ?? null };
  }

  // Incumbents after: X takes the place of an incumbent of R who leaves (a vacant R gets X); each role in
  // the chain loses who left it and gains its successor.
  const deltas: Record<string, number> = {};
  const add = (role: string, d: number) => { deltas[role] = (deltas[role] ?? 0) + d; };
  const r = await readOne(conn, 'select n_incumbents::int as n from succession_roles where role_id = $role_id', { role_id: roleId });
  if (!r || Number(r.n) === 0) add(roleId, 1);
  for (const s of steps) { add(s.role_id, -1); if (s.successor_id) add(s.role_id, 1); }
  const bench = await readRows(conn, BENCH_SQL, { moved: ids(moved), deltas: JSON.stringify(Object.entries(deltas).map(([role_id, delta]) => ({ role_id, delta }))) });
  const benchOf = new Map(bench.map((b) => [String(b.role_id), b]));

  // Roles touched: R, the chain's roles, then the critical roles a moved person was ready for (by id).
  const touched = [roleId, ...steps.map((s) => s.role_id)];
  const others = await readRows(conn, `select distinct role_id from succession_candidates
    where readiness in ('ready_now', 'ready_1_2_years') and list_contains(from_json($moved, '["VARCHAR"]'), employee_id) order by role_id`,
  { moved: ids(moved) });
  for (const o of others) touched.push(String(o.role_id));
  const roles = [...new Set(touched)].map((id) => {
    const b = benchOf.get(id);
    return { role_id: id, title: titles.get(id) ?? null, bench_before: b ? Number(b.bench_before) : null, bench_after: b ? Number(b.bench_after) : null };
  });

  // X's direct reports: to whoever fills X's role; the one who does reports to X's manager.
  const filler = steps[0]?.successor_id ?? null;
  const reportRows = await readRows(conn, `select employee_id, full_name from int_employees_active where manager_id = $id order by employee_id`, { id: successorId });
  const names = new Map((await readRows(conn, `select employee_id, full_name from int_employees_active
    where employee_id in (select unnest(from_json($ids, '["VARCHAR"]')))`, { ids: ids([filler ?? '', (x.manager_id as string | null) ?? '']) }))
    .map((p) => [String(p.employee_id), (p.full_name as string | null) ?? null]));
  const reports = reportRows.map((p) => {
    const id = String(p.employee_id);
    const to = id === filler || !filler ? ((x.manager_id as string | null) ?? null) : filler;
    return { employee_id: id, name: (p.full_name as string | null) ?? null, manager_now_id: successorId, manager_to_be_id: to, manager_to_be_name: to ? names.get(to) ?? null : null };
  });

  const first = bench[0];
  return {
    steps, roles, reports,
    index_before: first ? Number(first.index_before) : null,
    index_after: first ? Number(first.index_after) : null,
  };
}
