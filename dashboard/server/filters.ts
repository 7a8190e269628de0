// Filters shared by the employee lists (query parameter → column of the base rows).
import type { FilterDef } from './query.ts';

export const PEOPLE_FILTERS = {
  department: { column: 'department', description: 'department (exact)' },
  job_family: { column: 'job_family', description: 'job family of the current role' },
  manager: { column: 'employee_id', kind: 'subtree', description: 'employee id: only that person and everyone under them' },
  role: { column: 'role_id', description: 'current role id' },
  path_state: { column: 'path_state', values: ['no_path', 'top_of_ladder', 'plan_only', 'on_path'], description: 'no_path | top_of_ladder | plan_only | on_path' },
  q: { column: ['full_name', 'employee_id'], kind: 'search', description: 'name or id contains' },
} satisfies Record<string, FilterDef>;
