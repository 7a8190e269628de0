// The role of someone who signs in through single sign-on, worked out from the org itself: their email
// (lower-case) names an employee in the loaded HR data; someone with reports in the active tree
// (org_closure) is a manager of their subtree; the provider's groups may raise that to leader or admin
// (oidc.groupRoles); everyone else who matches is an employee. Worked out again at every sign-in and
// after every run (recomputeSsoRoles), so someone who has left loses access at the next run.
import type { DuckDBConnection } from '@duckdb/node-api';
import { all, exec, one, tableExists } from '../../../pipeline/src/db.ts';
import type { OidcConfig } from '../../../pipeline/src/config-oidc.ts';
import type { Role } from './user.ts';
import { writeAudit } from './audit.ts';

/** What the HR data says about an email. */
export type OrgMatch =
  | { kind: 'unknown' }
  /** In the data, but not active on the as-of date of the last run (left, or not started yet). */
  | { kind: 'inactive'; employeeId: string }
  | { kind: 'active'; employeeId: string; hasReports: boolean };

export async function matchEmail(conn: DuckDBConnection, email: string): Promise<OrgMatch> {
  const address = email.trim().toLowerCase();
  if (!address || !(await tableExists(conn, 'stg_employees'))) return { kind: 'unknown' };
  const person = await one<{ employee_id: string }>(conn,
    'select employee_id from stg_employees where lower(trim(email)) = $email order by employee_id limit 1', { email: address });
  if (!person) return { kind: 'unknown' };
  if (!(await tableExists(conn, 'org_closure'))) return { kind: 'inactive', employeeId: person.employee_id };
  const tree = await one<{ active: boolean; reports: boolean }>(conn,
    `select bool_or(employee_id = $id and depth = 0) as active, bool_or(ancestor_id = $id and depth > 0) as reports
     from org_closure where employee_id = $id or ancestor_id = $id`, { id: person.employee_id });
  if (!tree?.active) return { kind: 'inactive', employeeId: person.employee_id };
  return { kind: 'active', employeeId: person.employee_id, hasReports: Boolean(tree.reports) };
}

/** The role of an active match: manager with reports, else employee; a mapped group raises it (never lowers). */
export function roleFor(match: Extract<OrgMatch, { kind: 'active' }>, groups: readonly string[], groupRoles: OidcConfig['groupRoles']): Role {
  if (groups.some((g) => groupRoles.admin.includes(g))) return 'admin';
  if (groups.some((g) => groupRoles.leader.includes(g))) return 'leader';
  return match.hasReports ? 'manager' : 'employee';
}

/**
 * After a run: work out again the role of every account made by single sign-on, from the new data and
 * the groups of its last sign-in. Someone no longer active (or no longer in the data) is disabled and
 * their sessions end; a role that changed takes effect on their next request. Returns what changed.
 */
export async function recomputeSsoRoles(conn: DuckDBConnection, groupRoles: OidcConfig['groupRoles'], now: Date):
  Promise<{ username: string; from: string; to: string }[]> {
  if (!(await tableExists(conn, 'sso_identities'))) return [];
  const accounts = await all<{ username: string; email: string; groups: string; role: string; employee_id: string | null; disabled: boolean }>(conn,
    `select s.username, s.email, s.groups, u.role, u.employee_id, u.disabled
     from sso_identities s join users u using (username) order by s.username`);
  const changes: { username: string; from: string; to: string }[] = [];
  for (const account of accounts) {
    const match = await matchEmail(conn, account.email);
    const was = account.disabled ? 'no access' : account.role;
    if (match.kind !== 'active') {
      if (account.disabled) continue;
      await exec(conn, 'update users set disabled = true where username = $u', { u: account.username });
      await exec(conn, 'delete from sessions where username = $u', { u: account.username });
      const why = match.kind === 'unknown' ? 'email no longer in the HR data' : 'no longer active in the HR data';
      await writeAudit(conn, { at: now, username: null, action: 'sso_access_revoked', target: account.username, detail: why, ip: null });
      changes.push({ username: account.username, from: was, to: 'no access' });
      continue;
    }
    const role = roleFor(match, parseGroups(account.groups), groupRoles);
    if (!account.disabled && role === account.role && match.employeeId === account.employee_id) continue;
    // A disabled account comes back only by signing in again (the provider vouches for them then).
    if (account.disabled) continue;
    await exec(conn, 'update users set role = $role, employee_id = $id where username = $u',
      { role, id: match.employeeId, u: account.username });
    await writeAudit(conn, { at: now, username: null, action: 'sso_role_changed', target: account.username,
      detail: JSON.stringify({ from: account.role, to: role, employeeId: match.employeeId }), ip: null });
    changes.push({ username: account.username, from: was, to: role });
  }
  return changes;
}

export function parseGroups(text: string | null | undefined): string[] {
  try {
    const value = JSON.parse(text ?? '[]');
    return Array.isArray(value) ? value.filter((g): g is string => typeof g === 'string') : [];
  } catch {
    return [];
  }
}
