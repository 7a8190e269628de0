// The signed-in user as the server sees it (set on every request by plugins/auth.ts). Roles and what
// each may see live in one place, pipeline/src/roles.ts (shared with the `trellis user` CLI).
import type { Role } from '../../../pipeline/src/roles.ts';

export { DEFAULT_ROUTE_ROLES, ROLE_RULES, ROLES, isRole, routeAllows, type Role } from '../../../pipeline/src/roles.ts';

export interface AuthUser {
  username: string;
  role: Role;
  /** A manager's own employee id (the root of the subtree they may see) or an employee's own id. Null for admin/leader. */
  employeeId: string | null;
}

/**
 * Route config keys the auth plugin reads: `config: { public: true }` or `config: { roles: ['admin'] }`.
 * A route without `roles` is open to DEFAULT_ROUTE_ROLES (admin, leader, manager): an employee is let
 * in only where a route names 'employee'.
 */
export interface AuthRouteConfig {
  public?: boolean;
  roles?: readonly Role[];
}
