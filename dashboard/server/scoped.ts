// Employee-level rows of a table limited to the caller's scope, as a FROM item for aggregate queries:
// managers' aggregates are computed from the rows of their subtree, never read from org-wide marts.
import type { DuckDBValue } from '@duckdb/node-api';
import { ident } from '../../pipeline/src/db.ts';
import type { AuthUser } from './auth/user.ts';
import { buildWhere } from './query.ts';

export function scopedFrom(table: string, user: AuthUser | null, column = 'employee_id'): { sql: string; params: Record<string, DuckDBValue> } {
  const { where, params } = buildWhere({ scopeColumn: column }, {}, user);
  return { sql: `(select * from ${ident(table)} ${where})`, params };
}
