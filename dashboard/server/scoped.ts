// Aggregates over the caller's scope: managers' aggregates are computed from the rows of their subtree,
// never read from org-wide marts.
import fs from 'node:fs';
import path from 'node:path';
import type { DuckDBValue } from '@duckdb/node-api';
import { ident } from '../../pipeline/src/db.ts';
import { SQL_DIR, tableRefs } from '../../pipeline/src/models.ts';
import type { AuthUser } from './auth/user.ts';
import { buildWhere } from './query.ts';

/** Employee-level rows of a table limited to the caller's scope, as a FROM item for aggregate queries. */
export function scopedFrom(table: string, user: AuthUser | null, column = 'employee_id'): { sql: string; params: Record<string, DuckDBValue> } {
  const { where, params } = buildWhere({ scopeColumn: column }, {}, user);
  return { sql: `(select * from ${ident(table)} ${where})`, params };
}

/** A table replaced, within one query, by a CTE of the same name holding only the rows in scope. */
export interface Shadow { name: string; sql: string }

/** The stored table itself (`main.<name>`), for a shadow's own body, where the bare name is the shadow. */
export const stored = (name: string) => `main.${ident(name)}`;

const marts = new Map<string, { sql: string; reads: string[] }>();

/**
 * A mart recomputed by its own SQL (`sql/marts/<name>.sql`) over the shadows before it, so scoped figures
 * follow the org-wide mart's formulas exactly. Refused when the mart reads a table none of them replaces:
 * that table would be read whole, outside the scope. (Marts reading `$as_of` are not supported here.)
 */
export function martShadow(name: string, over: readonly Shadow[]): Shadow {
  let mart = marts.get(name);
  if (mart === undefined) {
    const sql = fs.readFileSync(path.join(SQL_DIR, 'marts', `${name}.sql`), 'utf8');
    mart = { sql, reads: tableRefs(sql) };
    marts.set(name, mart);
  }
  const have = new Set(over.map((s) => s.name));
  const unscoped = mart.reads.filter((t) => !have.has(t));
  if (unscoped.length) throw new Error(`sql/marts/${name}.sql reads ${unscoped.join(', ')}, which has no scoped version here`);
  // The mart may end in a -- comment: keep the closing parenthesis on its own line.
  return { name, sql: `${mart.sql}\n` };
}

/** `select` with each shadow as a CTE named after the table it replaces (later shadows read earlier ones). */
export function withShadows(shadows: readonly Shadow[], select: string): string {
  return `with ${shadows.map((s) => `${ident(s.name)} as (${s.sql})`).join(',\n')}\n${select}`;
}
