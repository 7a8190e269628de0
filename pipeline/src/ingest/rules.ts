// A row's own rules as SQL: for each canonical column, the checks that must hold on its trimmed text
// value, each with a `broken` condition and an HR-readable reason expression. Also the typed value of a
// column (with its default), used once a row has passed. Everything here is SQL text built from the
// contract in datasets.ts only; data values stay in the table.
import type { ColumnDef, DatasetDef } from '../datasets.ts';
import { ident, literal } from '../db.ts';
import { mustBePresent } from './columns.ts';

export interface Rule {
  column: string;
  /** SQL condition, true when the row breaks the rule. */
  broken: string;
  /** SQL expression giving the reason text. */
  reason: string;
  /** SQL expression giving the value to report (null for a missing value). */
  value: string;
}

export const TRUE_WORDS = ['true', 'yes', 'y', '1'] as const;
export const FALSE_WORDS = ['false', 'no', 'n', '0'] as const;

/**
 * `v` is one of `values`. Not an IN list: DuckDB turns a long one into a hash join, which does not keep the
 * rows in file order, and a CSV's line numbers are taken from that order (read-csv.ts).
 */
export const oneOf = (v: string, values: readonly (string | number)[]) =>
  `list_contains([${values.map((x) => (typeof x === 'number' ? String(x) : literal(x))).join(', ')}], ${v})`;
/** `'<name> "' || value || '"<rest>'` */
const quoted = (name: string, v: string, rest: string) => `${literal(`${name} "`)} || ${v} || ${literal(`"${rest}`)}`;

export function isValidSql(col: ColumnDef, v: string): string {
  switch (col.type) {
    case 'date':
      return `(regexp_full_match(${v}, '[0-9]{4}-[0-9]{2}-[0-9]{2}') and try_cast(${v} as DATE) is not null)`;
    case 'int':
      return `(regexp_full_match(${v}, '[0-9]+') and try_cast(${v} as INTEGER) is not null)`;
    case 'number':
      return `(regexp_full_match(${v}, '[0-9]+([.][0-9]+)?|[.][0-9]+') and try_cast(${v} as DOUBLE) is not null)`;
    case 'bool':
      return `(${oneOf(`lower(${v})`, [...TRUE_WORDS, ...FALSE_WORDS])})`;
    case 'enum':
      return `(${oneOf(`lower(${v})`, col.values ?? [])})`;
    default:
      return 'true';
  }
}

/** Column types that may arrive typed (e.g. a Parquet DATE column) and skip the text round trip. */
export const NATIVE_TYPES: readonly ColumnDef['type'][] = ['date', 'int', 'bool'];

/**
 * Validity of a value that arrived typed: true exactly when its text form would pass `isValidSql` (a
 * negative int or a date outside years 1–9999 would not), so the rule messages, computed from the text of
 * the rows that break a rule, agree with this check.
 */
function nativeValidSql(col: ColumnDef, v: string): string {
  switch (col.type) {
    case 'date': return `(${v} between DATE '0001-01-01' and DATE '9999-12-31')`;
    case 'int': return `(${v} >= 0)`;
    default: return 'true';
  }
}

/** Whether `v` holds a valid value of `col`: its text checked, or, when it arrived typed, nativeValidSql. */
function validSql(col: ColumnDef, v: string, native: boolean): string {
  return native ? nativeValidSql(col, v) : isValidSql(col, v);
}

/** The typed value of `col` in `v`: `v` itself when it arrived typed, else cast from its text. */
function typedValue(col: ColumnDef, v: string, native: boolean): string {
  return native ? v : typedNoDefault(col, v);
}

function invalidReason(col: ColumnDef, v: string): string {
  switch (col.type) {
    case 'date': return quoted(col.name, v, ' is not a valid date (expected YYYY-MM-DD)');
    case 'int': return quoted(col.name, v, ' is not a whole number (digits only)');
    case 'number': return quoted(col.name, v, ' is not a number (digits with an optional decimal part, e.g. 12 or 12.5)');
    case 'bool': return quoted(col.name, v, ' is not a yes/no value (use true/false, yes/no, y/n or 1/0)');
    case 'enum': return quoted(col.name, v, ` is not one of ${(col.values ?? []).join(', ')}`);
    default: return literal('');
  }
}

function rangeRule(col: ColumnDef, v: string, native: boolean): Rule | null {
  if (col.type !== 'int' && col.type !== 'number') return null;
  if (col.min === undefined && col.max === undefined) return null;
  const cast = typedValue(col, v, native);
  const parts: string[] = [];
  if (col.min !== undefined) parts.push(col.minExclusive ? `${cast} <= ${col.min}` : `${cast} < ${col.min}`);
  if (col.max !== undefined) parts.push(`${cast} > ${col.max}`);
  let rest: string;
  if (col.min !== undefined && col.max !== undefined) rest = ` is out of range (${col.min} to ${col.max})`;
  else if (col.min !== undefined) rest = col.minExclusive ? ` must be greater than ${col.min}` : ` must be ${col.min} or more`;
  else rest = ` must be ${col.max} or less`;
  return {
    column: col.name,
    broken: `(${v} is not null and ${validSql(col, v, native)} and (${parts.join(' or ')}))`,
    reason: quoted(col.name, v, rest),
    value: v,
  };
}

/**
 * The own rules of one dataset, over a table whose columns hold the trimmed text (null when empty), or,
 * for the columns named in `native` (of a NATIVE_TYPES type), the typed value itself. The reasons are
 * only meant for text columns: messages are computed from the text of the rows that break a rule.
 */
export function ownRules(def: DatasetDef, native: ReadonlySet<string> = new Set()): Rule[] {
  const rules: Rule[] = [];
  const byName = new Map(def.columns.map((c) => [c.name, c]));
  const valid = (col: ColumnDef, v: string) => validSql(col, v, native.has(col.name));
  const asDate = (col: ColumnDef, v: string) => typedValue(col, v, native.has(col.name));
  for (const col of def.columns) {
    const v = ident(col.name);
    if (mustBePresent(def, col)) {
      rules.push({ column: col.name, broken: `${v} is null`, reason: literal(`${col.name} is required but empty`), value: 'NULL' });
    }
    if (col.type !== 'text') {
      rules.push({ column: col.name, broken: `(${v} is not null and not ${valid(col, v)})`, reason: invalidReason(col, v), value: v });
    }
    const range = rangeRule(col, v, native.has(col.name));
    if (range) rules.push(range);
    if (col.notBefore) {
      const other = byName.get(col.notBefore);
      if (!other) throw new Error(`datasets.ts: ${def.name}.${col.name} notBefore names unknown column ${col.notBefore}`);
      const o = ident(other.name);
      rules.push({
        column: col.name,
        broken: `(${v} is not null and ${o} is not null and ${valid(col, v)} and ${valid(other, o)} ` +
          `and ${asDate(col, v)} < ${asDate(other, o)})`,
        reason: `${quoted(col.name, v, ` is before ${other.name} "`)} || ${o} || '"'`,
        value: v,
      });
    }
    if (col.differsFrom) {
      const o = ident(col.differsFrom);
      rules.push({
        column: col.name,
        broken: `(${v} is not null and ${v} = ${o})`,
        reason: quoted(col.name, v, ` is the same as ${col.differsFrom}; they must differ`),
        value: v,
      });
    }
  }
  return rules;
}

/** SQL literal of a constant default, typed for the column. */
function defaultLiteral(col: ColumnDef, value: string | number | boolean): string {
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return col.type === 'int' ? `${Math.trunc(value)}::INTEGER` : `${value}::DOUBLE`;
  return literal(col.type === 'enum' ? value.toLowerCase() : value);
}

function typedNoDefault(col: ColumnDef, v: string): string {
  switch (col.type) {
    case 'date': return `try_cast(${v} as DATE)`;
    case 'int': return `try_cast(${v} as INTEGER)`;
    case 'number': return `try_cast(${v} as DOUBLE)`;
    case 'bool':
      return `(case when ${oneOf(`lower(${v})`, TRUE_WORDS)} then true when ${oneOf(`lower(${v})`, FALSE_WORDS)} then false end)`;
    case 'enum': return `lower(${v})`;
    default: return v;
  }
}

/** The typed value of a column (its text, or itself when named in `native`), with its default for a blank cell. */
export function typedSql(def: DatasetDef, col: ColumnDef, native: ReadonlySet<string> = new Set()): string {
  const typed = (c: ColumnDef) => typedValue(c, ident(c.name), native.has(c.name));
  const base = typed(col);
  const d = col.default;
  if (d === undefined) return base;
  if (typeof d === 'object') {
    const other = def.columns.find((c) => c.name === d.column);
    if (!other) throw new Error(`datasets.ts: ${def.name}.${col.name} default names unknown column ${d.column}`);
    return `coalesce(${base}, ${typed(other)})`;
  }
  return `coalesce(${base}, ${defaultLiteral(col, d)})`;
}
