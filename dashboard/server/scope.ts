// Manager scope, applied in SQL in one place: a manager sees only their own subtree of the org
// (org_closure, built by sql/marts/org_closure.sql). Admins and leaders see everything; an employee
// (who reaches only the routes that name them, see pipeline/src/roles.ts) only themself.
import type { DuckDBConnection } from '@duckdb/node-api';
import { ident } from '../../pipeline/src/db.ts';
import { ROLE_RULES, type AuthUser } from './auth/user.ts';
import { ApiError } from './errors.ts';
import { readOne } from './rows.ts';

export interface Scope {
  /** A boolean SQL expression to AND into a where clause, or '' when the user sees everything. */
  clause: string;
  /** Bound parameters the clause uses. */
  params: Record<string, string>;
}

/** Quote a possibly table-qualified column (`r.employee_id`) part by part. */
function qualified(column: string): string {
  return column.split('.').map(ident).join('.');
}

/**
 * The row filter for a user on an employee-id column. Managers get
 * `<column> in (select employee_id from org_closure where ancestor_id = $scope_root)`;
 * an employee gets `<column> = $scope_self`; anyone else who is not admin or leader (a manager or
 * employee without an employee id, no user) gets `false`.
 */
export function scopeSql(user: AuthUser | null | undefined, column = 'employee_id'): Scope {
  const reach = user ? ROLE_RULES[user.role]?.reach : undefined;
  if (reach === 'everyone') return { clause: '', params: {} };
  if (reach === 'subtree' && user!.employeeId) {
    return {
      clause: `${qualified(column)} in (select employee_id from org_closure where ancestor_id = $scope_root)`,
      params: { scope_root: user!.employeeId },
    };
  }
  if (reach === 'self' && user!.employeeId) {
    return { clause: `${qualified(column)} = $scope_self`, params: { scope_self: user!.employeeId } };
  }
  return { clause: 'false', params: {} };
}

/** Whether the user may see everything (no scope clause needed). */
export function isUnscoped(user: AuthUser | null | undefined): boolean {
  return scopeSql(user).clause === '';
}

/**
 * A filter naming a person (`manager=<id>`) may only narrow a manager's view: an id outside their subtree
 * is refused with a 403 that says so, rather than answered with an empty list that looks like "nobody".
 */
export async function checkInScope(conn: DuckDBConnection, user: AuthUser | null | undefined, employeeId: unknown, param = 'manager'): Promise<void> {
  if (employeeId === undefined || employeeId === null || employeeId === '') return;
  const scope = scopeSql(user, 'employee_id');
  if (!scope.clause) return;
  const inside = await readOne(conn, `select 1 as ok from (select $employee_id as employee_id) where ${scope.clause}`,
    { ...scope.params, employee_id: String(employeeId) });
  if (!inside) {
    throw new ApiError(403, `${param} "${String(employeeId)}" is not in your organisation: you can filter only by people in your own team`, 'forbidden');
  }
}
