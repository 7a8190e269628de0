// The one home of dashboard roles: the names, which need an employee id, and what each may see. The
// CLI (`trellis user add --role …`, users.ts), the server's auth plugin and its routes'
// `config: { roles }` all read this module; docs/access.md is its table in words.

export type Role = 'admin' | 'leader' | 'manager' | 'employee';
export const ROLES: readonly Role[] = ['admin', 'leader', 'manager', 'employee'];

/**
 * Whose rows a role sees: `everyone` (the whole organisation), `subtree` (their own employee id and
 * everyone below it in the manager tree, org_closure), `self` (their own employee id only).
 */
export type Reach = 'everyone' | 'subtree' | 'self';

export interface RoleRule {
  reach: Reach;
  /** The account must name an employee (--employee-id): the root of the subtree, or the person themself. */
  needsEmployeeId: boolean;
  /** May call a route whose config does not name its roles (the organisation's analytic routes). */
  defaultRoutes: boolean;
  /** Why the employee id is needed, for the CLI's and the API's error message. */
  employeeIdIs?: string;
}

export const ROLE_RULES: Readonly<Record<Role, RoleRule>> = {
  admin: { reach: 'everyone', needsEmployeeId: false, defaultRoutes: true },
  leader: { reach: 'everyone', needsEmployeeId: false, defaultRoutes: true },
  manager: { reach: 'subtree', needsEmployeeId: true, defaultRoutes: true, employeeIdIs: 'the root of the team they may see' },
  // Default-deny: an employee reaches only the routes that name 'employee' in config.roles (their own
  // page, /api/me/*, and the session's own routes); every other route answers 403.
  employee: { reach: 'self', needsEmployeeId: true, defaultRoutes: false, employeeIdIs: 'the person whose own data they see' },
};

/** The roles a route without `config: { roles }` is open to: every role but the employee. */
export const DEFAULT_ROUTE_ROLES: readonly Role[] = ROLES.filter((r) => ROLE_RULES[r].defaultRoutes);

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** Whether a route whose config names `roles` (or none) lets this role in. */
export function routeAllows(roles: readonly Role[] | undefined, role: Role): boolean {
  return (roles ?? DEFAULT_ROUTE_ROLES).includes(role);
}

/** The message when an account of this role lacks an employee id, else null. */
export function missingEmployeeId(role: Role, employeeId: string | null | undefined, flag = '--employee-id'): string | null {
  const rule = ROLE_RULES[role];
  if (!rule.needsEmployeeId || employeeId) return null;
  return `${role === 'employee' ? 'an' : 'a'} ${role} needs ${flag} (${rule.employeeIdIs})`;
}
