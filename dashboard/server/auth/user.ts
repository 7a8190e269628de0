// The signed-in user as the server sees it (set on every request by plugins/auth.ts).
export type Role = 'admin' | 'leader' | 'manager';
export const ROLES: readonly Role[] = ['admin', 'leader', 'manager'];

export interface AuthUser {
  username: string;
  role: Role;
  /** The manager's own employee id: the root of the subtree they may see. Null for admin/leader. */
  employeeId: string | null;
}

/** Route config keys the auth plugin reads: `config: { public: true }` or `config: { roles: ['admin'] }`. */
export interface AuthRouteConfig {
  public?: boolean;
  roles?: readonly Role[];
}
