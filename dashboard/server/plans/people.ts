// Who a plan's reader may see, and the tables a plan joins to (which an empty or partial database may
// lack): a manager sees the people of their subtree by name; anyone else in a plan appears to them only
// as "someone outside your organisation".
import type { DuckDBConnection } from '@duckdb/node-api';
import type { AuthUser } from '../auth/user.ts';
import { missingTables } from '../list-route.ts';
import { readRows } from '../rows.ts';
import { isUnscoped } from '../scope.ts';

export const OUTSIDE = 'someone outside your organisation';

export interface Person { employee_id: string; name: string | null; role_id: string | null; manager_id: string | null }

/** Names, roles and managers of the given people (stg_employees: those who left keep their name). */
export async function people(conn: DuckDBConnection, ids: readonly string[]): Promise<Map<string, Person>> {
  const out = new Map<string, Person>();
  const unique = [...new Set(ids.filter(Boolean))];
  if (!unique.length || (await missingTables(conn, ['stg_employees'])).length) return out;
  const rows = await readRows(conn, `select employee_id, full_name as name, role_id, manager_id from stg_employees
    where employee_id in (select unnest(from_json($ids, '["VARCHAR"]')))`, { ids: JSON.stringify(unique) });
  for (const r of rows) out.set(String(r.employee_id), r as unknown as Person);
  return out;
}

/** Titles of the given roles (stg_roles). */
export async function roleTitles(conn: DuckDBConnection, ids: readonly string[]): Promise<Map<string, string | null>> {
  const out = new Map<string, string | null>();
  const unique = [...new Set(ids.filter(Boolean))];
  if (!unique.length || (await missingTables(conn, ['stg_roles'])).length) return out;
  const rows = await readRows(conn, `select role_id, title from stg_roles where role_id in (select unnest(from_json($ids, '["VARCHAR"]')))`,
    { ids: JSON.stringify(unique) });
  for (const r of rows) out.set(String(r.role_id), (r.title as string | null) ?? null);
  return out;
}

/** Whether the reader may see a person: everyone for admins and leaders, the subtree for a manager. */
export type Visible = (employeeId: string | null | undefined) => boolean;

export async function visibility(conn: DuckDBConnection, user: AuthUser | null, ids: readonly string[]): Promise<Visible> {
  if (isUnscoped(user)) return () => true;
  if (!user?.employeeId || (await missingTables(conn, ['org_closure'])).length) return () => false;
  const rows = await readRows(conn, `select distinct employee_id from org_closure where ancestor_id = $root
    and employee_id in (select unnest(from_json($ids, '["VARCHAR"]')))`, { root: user.employeeId, ids: JSON.stringify([...new Set(ids.filter(Boolean))]) });
  const inside = new Set(rows.map((r) => String(r.employee_id)));
  return (id) => !!id && inside.has(id);
}

/**
 * The critical roles a user may see plans of: all for admins and leaders; for a manager, those held by
 * someone in their subtree (spec "In a manager's scope"), as a SQL condition on `role_id`.
 */
export async function roleScope(conn: DuckDBConnection, user: AuthUser | null): Promise<{ clause: string; params: Record<string, string> }> {
  if (isUnscoped(user)) return { clause: 'true', params: {} };
  if (!user?.employeeId || (await missingTables(conn, ['org_closure', 'int_employees_active'])).length) return { clause: 'false', params: {} };
  return {
    clause: `role_id in (select role_id from int_employees_active
      where employee_id in (select employee_id from org_closure where ancestor_id = $scope_root))`,
    params: { scope_root: user.employeeId },
  };
}
