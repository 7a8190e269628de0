// Safety check for mapping expressions. An expression is parsed by DuckDB itself (json_serialize_sql on
// `select <expr>`) and its parse tree must contain only column references, constants, `$var` parameters,
// operators, casts, CASE and whitelisted scalar functions. Anything else (subqueries, table functions,
// file readers, getenv, settings, sequences, aggregates, windows, lambdas, `*`) is refused. The SQL that
// runs is DuckDB's own rendering of the checked tree (json_deserialize_sql), never the text as written,
// with the functions that can build long text renamed to their guard macros (limits.ts).
import type { DuckDBConnection } from '@duckdb/node-api';
import { one } from '../db.ts';
import { GUARDED_FUNCTIONS, guardName, type Guard } from './limits.ts';

/** Scalar functions (and operator spellings) an expression may call. Pure: no I/O, no clock, no state. */
export const ALLOWED_FUNCTIONS: ReadonlySet<string> = new Set([
  // operators as DuckDB names them
  '+', '-', '*', '/', '//', '%', '^', '**', '||', '~~', '!~~', '~~*', '!~~*', '~~~', '!~~~', '^@',
  'like_escape', 'not_like_escape', 'ilike_escape', 'not_ilike_escape',
  // strings
  'lower', 'upper', 'lcase', 'ucase', 'trim', 'ltrim', 'rtrim', 'concat', 'concat_ws', 'substr', 'substring',
  'left', 'right', 'length', 'strlen', 'replace', 'translate', 'lpad', 'rpad', 'reverse', 'repeat', 'split_part',
  'starts_with', 'ends_with', 'prefix', 'suffix', 'contains', 'instr', 'strpos', 'position', 'strip_accents',
  'nullif', 'ifnull', 'coalesce', 'greatest', 'least', 'md5', 'hash', 'ascii', 'chr',
  'regexp_replace', 'regexp_extract', 'regexp_matches', 'regexp_full_match', 'regexp_split_to_array',
  'string_split', 'str_split', 'array_extract', 'list_extract', 'len', 'array_length', 'list_element',
  // numbers
  'abs', 'round', 'floor', 'ceil', 'ceiling', 'trunc', 'mod', 'pow', 'power', 'sqrt', 'sign', 'ln', 'log',
  'log10', 'log2', 'exp', 'even',
  // dates (no clock: today(), now(), current_date are not here)
  'strptime', 'try_strptime', 'strftime', 'date_add', 'date_sub', 'date_diff', 'datediff', 'date_trunc',
  'datetrunc', 'date_part', 'datepart', 'year', 'month', 'day', 'quarter', 'week', 'weekofyear', 'dayofweek',
  'isodow', 'dayofyear', 'yearweek', 'make_date', 'last_day', 'age', 'to_years', 'to_months', 'to_weeks',
  'to_days', 'epoch', 'monthname', 'dayname', 'isfinite',
]);

/** Bare names DuckDB binds to the clock or the session when no column has them: never a source column here. */
const SPECIAL_NAMES = new Set(['current_date', 'current_time', 'current_timestamp', 'localtime', 'localtimestamp',
  'current_user', 'session_user', 'user', 'current_role', 'current_schema', 'current_catalog', 'current_database']);

const ALLOWED_CLASSES = new Set(['COLUMN_REF', 'CONSTANT', 'FUNCTION', 'OPERATOR', 'COMPARISON', 'CONJUNCTION',
  'CASE', 'CAST', 'BETWEEN', 'PARAMETER']);

export interface CheckedExpression {
  /** DuckDB's rendering of the checked parse tree: the only text that is ever run. */
  sql: string;
  /** Source column names the expression reads (as written). */
  columns: string[];
  /** `$var` names it uses. */
  params: string[];
  /** Guard macros the SQL calls (limits.ts `defineGuards`). */
  guards: Guard[];
}

/** The guard of a call of a guarded function; regexp_replace's options must be a constant of letters. */
function guard(fn: string, args: any[]): Guard {
  if (fn !== 'regexp_replace' || args.length < 4) return { fn };
  const options = args[3];
  if (args.length > 4 || options?.class !== 'CONSTANT' || typeof options.value?.value !== 'string' || !/^[a-z]*$/.test(options.value.value)) {
    throw new UnsafeExpression("regexp_replace() takes its options as a constant of letters, such as 'g'");
  }
  return { fn, options: options.value.value };
}

/** Thrown with a reason only; callers add the mapping file, dataset and column. */
export class UnsafeExpression extends Error {}

/**
 * Parse and check one expression. Throws `UnsafeExpression` naming what was refused, or the parse error.
 * `vars` are the mapping's var names; any other `$name` is refused.
 */
export async function checkExpression(conn: DuckDBConnection, expr: string, vars: readonly string[]): Promise<CheckedExpression> {
  const row = await one<{ j: string }>(conn, 'select json_serialize_sql($sql::varchar) as j', { sql: `select ${expr}\n` });
  const tree = JSON.parse(row!.j) as Record<string, any>;
  if (tree.error) throw new UnsafeExpression(`expression does not parse: ${String(tree.error_message).split('\n')[0]}`);
  const statements = tree.statements as any[];
  if (statements.length !== 1) throw new UnsafeExpression('one expression only (found several statements)');
  const node = statements[0].node;
  if (node.type !== 'SELECT_NODE' || node.select_list?.length !== 1 || node.from_table?.type !== 'EMPTY'
    || node.where_clause || node.group_expressions?.length || node.having || node.qualify || node.sample
    || node.modifiers?.length || node.cte_map?.map?.length) {
    throw new UnsafeExpression('must be a single expression (no FROM, WHERE, commas, ORDER BY, LIMIT or WITH)');
  }
  const out: CheckedExpression = { sql: '', columns: [], params: [], guards: [] };
  if (node.select_list[0].alias) throw new UnsafeExpression('an expression takes no alias (AS ...): the canonical column is its name');
  const calls: (Guard | null)[] = [];
  walk(node.select_list[0], out, vars, calls);
  for (const g of calls) if (g && !out.guards.some((x) => guardName(x) === guardName(g))) out.guards.push(g);
  // Render from DuckDB's own JSON text (JSON.parse would round its 64-bit positions).
  const back = await one<{ s: string }>(conn, 'select json_deserialize_sql($j::json) as s', { j: guardCalls(row!.j, calls) });
  const sql = back!.s.trim();
  if (!/^SELECT /i.test(sql)) throw new UnsafeExpression('could not render the expression');
  out.sql = `(${sql.slice('SELECT '.length)})`;
  return out;
}

/**
 * Rename the guarded calls in DuckDB's JSON text. Every `"function_name": "…"` pair is a FUNCTION node's,
 * in the order the walk met them (a node's name comes before its children in both), and the scan goes
 * string by string, so the text of a constant is never taken for a key.
 */
function guardCalls(json: string, calls: (Guard | null)[]): string {
  let i = 0;
  const renamed = json.replace(/"(?:[^"\\]|\\.)*"(?:\s*:\s*"(?:[^"\\]|\\.)*")?/g, (m) => {
    if (!/^"function_name"\s*:/.test(m)) return m;
    const g = calls[i++];
    return g ? `"function_name":${JSON.stringify(guardName(g))}` : m;
  });
  if (i !== calls.length) throw new UnsafeExpression('could not render the expression');
  return renamed;
}

function walk(node: any, out: CheckedExpression, vars: readonly string[], calls: (Guard | null)[]): void {
  if (Array.isArray(node)) { for (const n of node) walk(n, out, vars, calls); return; }
  if (typeof node !== 'object' || node === null) return;
  if (typeof node.class === 'string') checkNode(node, out, vars, calls);
  for (const [k, v] of Object.entries(node)) {
    if (k === 'value' && node.class === 'CONSTANT') continue;
    walk(v, out, vars, calls);
  }
}

function checkNode(node: any, out: CheckedExpression, vars: readonly string[], calls: (Guard | null)[]): void {
  const cls = node.class as string;
  if (cls === 'SUBQUERY') throw new UnsafeExpression('subqueries are not allowed');
  if (cls === 'STAR') throw new UnsafeExpression('* and COLUMNS(...) are not allowed: name the columns');
  if (cls === 'WINDOW') throw new UnsafeExpression(`window function ${node.function_name ?? ''} is not allowed`);
  if (cls === 'LAMBDA') throw new UnsafeExpression('lambdas are not allowed');
  if (!ALLOWED_CLASSES.has(cls)) throw new UnsafeExpression(`${cls.toLowerCase()} expressions are not allowed`);
  if (cls === 'FUNCTION') {
    const name = String(node.function_name).toLowerCase();
    // DuckDB itself writes some keywords as main.<fn> (trim, position); any other schema or catalog is refused
    if ((node.schema && node.schema !== 'main') || node.catalog) throw new UnsafeExpression(`qualified function ${node.schema}.${name} is not allowed`);
    if (name === 'printf' || name === 'format') throw new UnsafeExpression(`function ${name}() is not allowed in a mapping: a width in its format can make a value of any size (use lpad, rpad or ||)`);
    if (!ALLOWED_FUNCTIONS.has(name)) throw new UnsafeExpression(`function ${name}() is not allowed in a mapping (allowed: string, date, math, regexp_*, coalesce and the like; see docs/mappings.md)`);
    if (node.distinct || node.filter || node.order_bys?.orders?.length) throw new UnsafeExpression(`aggregate syntax on ${name}() is not allowed`);
    calls.push(GUARDED_FUNCTIONS.has(name) ? guard(name, node.children ?? []) : null);
  }
  if (cls === 'COLUMN_REF') {
    const names = node.column_names as string[];
    if (names.length !== 1) throw new UnsafeExpression(`qualified column reference ${names.join('.')} is not allowed: quote the source column name, e.g. "${names.join('.')}"`);
    if (SPECIAL_NAMES.has(names[0].toLowerCase())) throw new UnsafeExpression(`${names[0]} is not allowed (mappings never read the clock or the session; use a var such as $export_date)`);
    if (!out.columns.includes(names[0])) out.columns.push(names[0]);
  }
  if (cls === 'PARAMETER') {
    const id = String(node.identifier ?? '');
    if (!vars.includes(id)) throw new UnsafeExpression(`$${id} is not a var of this mapping (vars: ${vars.length ? vars.join(', ') : 'none'})`);
    if (!out.params.includes(id)) out.params.push(id);
  }
}
