// The one place list queries are built: base SQL (fixed text, no user input) wrapped as a subquery,
// then allowed filters as bound parameters, the manager scope, a whitelisted sort, and paging.
// Every employee-level list goes through `runList`, so the scope clause cannot be forgotten.
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { ident } from '../../pipeline/src/db.ts';
import type { AuthUser } from './auth/user.ts';
import { BadRequestError } from './errors.ts';
import { readColumns, readOne, type ReadResult } from './rows.ts';
import { scopeSql } from './scope.ts';

export type FilterKind = 'eq' | 'subtree' | 'search' | 'int';

export interface FilterDef {
  /** Column(s) of the base rows the filter applies to (search may name several). */
  column: string | string[];
  kind?: FilterKind;
  /** Allowed values (anything else is a 400 from the schema). */
  values?: readonly string[];
  description?: string;
}

export interface ListSpec {
  /** A SELECT producing the rows (fixed SQL; path values go in `params`). */
  base: string;
  /** Output columns, in order (normally the keys of the route's row schema). */
  columns: readonly string[];
  /** Query parameter name → filter. */
  filters?: Record<string, FilterDef>;
  /** Columns a client may sort by (a whitelist; anything else is a 400 from the schema). */
  sorts: readonly string[];
  defaultSort: string;
  defaultOrder?: 'asc' | 'desc';
  /** Columns appended to every order so paging is stable. */
  tieBreak?: readonly string[];
  /** The employee-id column for manager scoping; null only for data that is not about employees. */
  scopeColumn: string | null;
  /**
   * Only when `base` reads one table and nothing else (`select … from t`) whose rows are stored in this
   * order (`sort`, then the tieBreak columns ascending, as runList would sort them): a request for that
   * order whose where clause has no subquery is answered without ORDER BY, since DuckDB keeps a single
   * table's insertion order through SELECT, WHERE, LIMIT and OFFSET (preserve_insertion_order, the default).
   */
  storedOrder?: { sort: string; order: 'asc' | 'desc' };
}

export interface ListParams {
  sort?: string;
  order?: 'asc' | 'desc';
  limit?: number;
  offset?: number;
  [filter: string]: unknown;
}

export interface ListResult {
  result: ReadResult;
  total: number;
  limit: number;
  offset: number;
}

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 100_000;

/** `%text%` for ILIKE with the wildcards in the text itself escaped. */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export interface WhereParts {
  where: string;
  params: Record<string, DuckDBValue>;
  /** True when some clause is more than a predicate on the row's own columns (a subtree or scope subquery, an extra clause). */
  subqueries?: boolean;
}

/** Filters + scope as one where clause with bound parameters. */
export function buildWhere(
  spec: Pick<ListSpec, 'filters' | 'scopeColumn'>,
  query: Record<string, unknown>,
  user: AuthUser | null | undefined,
  extra: { clause: string; params: Record<string, DuckDBValue> }[] = [],
): WhereParts {
  const clauses: string[] = [];
  const params: Record<string, DuckDBValue> = {};
  let subqueries = extra.length > 0;
  for (const [name, def] of Object.entries(spec.filters ?? {})) {
    const value = query[name];
    if (value === undefined || value === null || value === '') continue;
    const p = `f_${name}`;
    const cols = Array.isArray(def.column) ? def.column : [def.column];
    switch (def.kind ?? 'eq') {
      case 'eq':
        clauses.push(`${ident(cols[0])} = $${p}`);
        params[p] = String(value);
        break;
      case 'int':
        clauses.push(`${ident(cols[0])} = $${p}`);
        params[p] = Number(value);
        break;
      case 'subtree':
        clauses.push(`${ident(cols[0])} in (select employee_id from org_closure where ancestor_id = $${p})`);
        params[p] = String(value);
        subqueries = true;
        break;
      case 'search':
        clauses.push(`(${cols.map((c) => `${ident(c)} ilike $${p} escape '\\'`).join(' or ')})`);
        params[p] = likePattern(String(value));
        break;
    }
  }
  if (spec.scopeColumn) {
    const scope = scopeSql(user, spec.scopeColumn);
    if (scope.clause) {
      clauses.push(scope.clause);
      Object.assign(params, scope.params);
      subqueries = true;
    }
  }
  for (const e of extra) {
    clauses.push(e.clause);
    Object.assign(params, e.params);
  }
  return { where: clauses.length ? `where ${clauses.map((c) => `(${c})`).join(' and ')}` : '', params, subqueries };
}

/** Run a list: filtered, scoped, sorted and paged rows plus the total before paging. */
export async function runList(
  conn: DuckDBConnection,
  spec: ListSpec,
  query: ListParams,
  user: AuthUser | null | undefined,
  baseParams: Record<string, DuckDBValue> = {},
): Promise<ListResult> {
  const limit = Math.min(query.limit ?? DEFAULT_LIMIT, MAX_LIMIT);
  const offset = query.offset ?? 0;
  // ajv lets "1e309" through as Infinity for an integer: refuse it here rather than fail in SQL.
  if (!Number.isSafeInteger(limit) || !Number.isSafeInteger(offset)) throw new BadRequestError('Bad request: limit and offset must be whole numbers');
  const sort = query.sort ?? spec.defaultSort;
  if (!spec.sorts.includes(sort)) throw new Error(`sort column ${sort} is not in the whitelist`); // the schema already refused it
  const order = (query.order ?? spec.defaultOrder ?? 'asc') === 'desc' ? 'desc' : 'asc';
  const { where, params, subqueries } = buildWhere(spec, query, user);
  const all = { ...baseParams, ...params };
  // The base may end in a -- comment: keep the closing parenthesis on its own line.
  const from = `from (${spec.base}\n) as t ${where}`;
  const tie = (spec.tieBreak ?? []).filter((c) => c !== sort).map((c) => `${ident(c)} asc`);
  const orderBy = [`${ident(sort)} ${order} nulls last`, ...tie].join(', ');
  const cols = spec.columns.map(ident).join(', ');
  // Already in the asked order (see ListSpec.storedOrder): no sort. The count over the one table comes
  // first (a few ms); when the whole list fits the page it is read without LIMIT, which in DuckDB keeps an
  // order-preserving buffer of every row (as costly as the sort; bench/README.md).
  if (spec.storedOrder?.sort === sort && spec.storedOrder.order === order && !subqueries) {
    const total = Number((await readOne(conn, `select count(*)::int as n ${from}`, all))?.n ?? 0);
    if (offset === 0 && total <= limit) {
      const whole = await readColumns(conn, `select ${cols} ${from}`, all);
      // A run committed between the two reads could make the list longer than the page: then page it.
      if (whole.rowCount <= limit) return { result: whole, total: whole.rowCount, limit, offset };
    }
    const page = await readColumns(conn, `select ${cols} ${from} limit $_limit offset $_offset`, { ...all, _limit: limit, _offset: offset });
    return { result: page, total, limit, offset };
  }
  const result = await readColumns(conn,
    `select ${cols} ${from} order by ${orderBy} limit $_limit offset $_offset`,
    { ...all, _limit: limit, _offset: offset });
  // A first page shorter than the limit is the whole list: its length is the total, and the count
  // (a second pass over the same joins) is saved — this is what makes the full list as Arrow cheap.
  const whole = offset === 0 && result.rowCount < limit;
  const total = whole ? result.rowCount : Number((await readOne(conn, `select count(*)::int as n ${from}`, all))?.n ?? 0);
  return { result, total, limit, offset };
}
