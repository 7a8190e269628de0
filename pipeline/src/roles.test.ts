// The one table of roles: who needs an employee id, and the default-deny rule for employees.
import { describe, expect, it } from 'vitest';
import { DEFAULT_ROUTE_ROLES, ROLES, ROLE_RULES, isRole, missingEmployeeId, routeAllows } from './roles.ts';

describe('roles', () => {
  it('are admin, leader, manager and employee, each with a rule', () => {
    expect(ROLES).toEqual(['admin', 'leader', 'manager', 'employee']);
    expect(Object.keys(ROLE_RULES).sort()).toEqual([...ROLES].sort());
    expect(ROLES.map((r) => ROLE_RULES[r].reach)).toEqual(['everyone', 'everyone', 'subtree', 'self']);
    expect(isRole('employee')).toBe(true);
    expect(isRole('boss')).toBe(false);
    expect(isRole(undefined)).toBe(false);
  });

  it('deny an employee every route that does not name them; the others keep routes without roles', () => {
    expect(DEFAULT_ROUTE_ROLES).toEqual(['admin', 'leader', 'manager']);
    expect(routeAllows(undefined, 'employee')).toBe(false);
    expect(routeAllows(undefined, 'manager')).toBe(true);
    expect(routeAllows(['admin'], 'leader')).toBe(false);
    expect(routeAllows(['employee'], 'employee')).toBe(true);
    expect(routeAllows(['employee'], 'admin')).toBe(false);
  });

  it('ask managers and employees for an employee id, and nobody else', () => {
    expect(missingEmployeeId('manager', null)).toBe('a manager needs --employee-id (the root of the team they may see)');
    expect(missingEmployeeId('employee', '')).toBe('an employee needs --employee-id (the person whose own data they see)');
    expect(missingEmployeeId('employee', 'E1')).toBeNull();
    expect(missingEmployeeId('leader', null)).toBeNull();
  });
});
