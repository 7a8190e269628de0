// Saved decisions that disagree with the evidence, across every plan the reader may see (the Succession
// page's list; docs/marts.md "Saved succession plans"): each successor whose decided readiness is sooner
// or later than their readiness in succession_candidates, by the same rule and the same evidence as one
// plan's answer (store.ts `calibration`, `readPlan`). A manager sees the plans of the roles held in their
// subtree and, in them, only the successors from it — a person outside it shows no evidence in a plan, so
// no disagreement either.
import type { DuckDBConnection } from '@duckdb/node-api';
import type { AuthUser } from '../auth/user.ts';
import { missingTables } from '../list-route.ts';
import { readRows } from '../rows.ts';
import type { Decided } from './changes.ts';
import { people, roleScope, roleTitles, visibility } from './people.ts';
import { calibration } from './store.ts';

export interface Disagreement {
  role_id: string; title: string | null; version: number;
  employee_id: string; name: string | null; current_role_id: string | null; current_title: string | null;
  decided_readiness: Decided; evidence_readiness: string; calibration: 'decided_earlier' | 'decided_later';
  decided_on: string;
}

/** Every visible saved successor whose decided readiness differs from the evidence, by role then the plan's order. */
export async function listDisagreements(conn: DuckDBConnection, user: AuthUser | null): Promise<Disagreement[]> {
  if ((await missingTables(conn, ['succession_candidates'])).length) return []; // no evidence loaded yet
  const scope = await roleScope(conn, user);
  const rows = await readRows(conn, `select * from (
      select s.role_id, p.version::int as version, s.employee_id, s.decided_readiness,
        strftime(s.decided_on, '%Y-%m-%d') as decided_on, c.readiness as evidence_readiness, s.position
      from succession_plan_successors s
      join succession_plan_roles p using (role_id)
      join succession_candidates c on c.role_id = s.role_id and c.employee_id = s.employee_id  -- no evidence: nothing to disagree with
    )
    where ${scope.clause} order by role_id, position`, scope.params);
  const ids = rows.map((r) => String(r.employee_id));
  const [who, canSee] = [await people(conn, ids), await visibility(conn, user, ids)];
  const found = rows
    .filter((r) => canSee(String(r.employee_id)))
    .map((r) => ({ r, calibration: calibration(String(r.decided_readiness), String(r.evidence_readiness)) }))
    .filter((f) => f.calibration === 'decided_earlier' || f.calibration === 'decided_later');
  const titles = await roleTitles(conn, [...found.map(({ r }) => String(r.role_id)),
    ...found.map(({ r }) => who.get(String(r.employee_id))?.role_id ?? '')]);
  return found.map(({ r, calibration: gap }) => {
    const p = who.get(String(r.employee_id));
    return {
      role_id: String(r.role_id), title: titles.get(String(r.role_id)) ?? null, version: Number(r.version),
      employee_id: String(r.employee_id), name: p?.name ?? null, current_role_id: p?.role_id ?? null,
      current_title: p?.role_id ? titles.get(p.role_id) ?? null : null,
      decided_readiness: r.decided_readiness as Decided, evidence_readiness: String(r.evidence_readiness),
      calibration: gap as Disagreement['calibration'], decided_on: String(r.decided_on),
    };
  });
}
