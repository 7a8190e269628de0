// Turns one dataset of a mapping into SQL over the source table: for each canonical column, its source
// (column, checked expression, template, constant or lookup) followed by trim → case → value map → date
// format → default, all as VARCHAR. Constants, map entries, formats and vars travel as bound parameters.
// A lookup also gives statements to run before the select (lookup.ts).
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { dataset as datasetDef } from '../datasets.ts';
import { all, ident } from '../db.ts';
import { MappingError } from './errors.ts';
import { checkExpression, UnsafeExpression } from './expression.ts';
import { defineGuards, type MappingLimits } from './limits.ts';
import { lookupPlan, type LookupPart, type LookupPlan } from './lookup.ts';
import type { ColumnMapping, DatasetMapping, Mapping, ValueSource } from './types.ts';

/** Bound values of one query: generated `$_mN` names plus the mapping's vars that the query uses. */
export class Params {
  readonly values: Record<string, DuckDBValue> = {};
  private n = 0;
  constructor(private readonly vars: Record<string, string>) {}
  add(value: string | null): string {
    this.n += 1;
    const name = `_m${this.n}`;
    this.values[name] = value;
    return `$${name}`;
  }
  useVar(name: string): void { this.values[name] = this.vars[name]; }
}

export interface CompiledColumn {
  name: string;
  /** The source value as VARCHAR, then the clean, map and date/default steps (each over the column's name). */
  sql: string;
  steps: [string, string, string];
  /** Human-readable source for `mapping check`. */
  describe: string;
  /** Its source is an expression: the only kind of source that can fail on a value or be slow. */
  expression: boolean;
}

export interface CompiledDataset {
  mapping: DatasetMapping;
  columns: CompiledColumn[];
  where?: string;
  params: Params;
  /** Lookups, whose statements run before `sql`. */
  lookups: LookupPlan[];
  /** The select producing the raw table: canonical VARCHAR columns + `_line`. */
  sql: string;
}

const TRIM_CHARS = "' ' || chr(9) || chr(13) || chr(10)";
const NULL = 'cast(null as varchar)';

/** Compile a dataset against the source header (names as read, trimmed). Throws `MappingError`. */
export async function compileDataset(conn: DuckDBConnection, mapping: Mapping, ds: DatasetMapping,
  header: string[], sourceTable: string, limits: MappingLimits): Promise<CompiledDataset> {
  const params = new Params(mapping.vars);
  const vars = Object.keys(mapping.vars);
  const byLower = new Map(header.map((h) => [h.toLowerCase(), h]));
  const fail = (msg: string, column?: string): never => { throw new MappingError(mapping.file, msg, { dataset: ds.dataset, column }); };
  const sourceColumn = (name: string, column: string): string => {
    const found = byLower.get(name.trim().toLowerCase());
    if (!found) {
      const list = header.length > 12 ? `${header.slice(0, 12).join(', ')}, …` : header.join(', ');
      fail(`source column "${name}" is not in the file (its columns: ${list})`, column);
    }
    return found!;
  };
  const expression = async (expr: string, column: string | undefined): Promise<string> => {
    try {
      const checked = await checkExpression(conn, expr, vars);
      for (const c of checked.columns) sourceColumn(c, column ?? 'where');
      for (const p of checked.params) params.useVar(p);
      await defineGuards(conn, checked.guards, limits.mappingMaxChars);
      return checked.sql;
    } catch (e) {
      if (e instanceof UnsafeExpression) fail(`expression ${JSON.stringify(expr)} refused: ${e.message}`, column);
      throw e;
    }
  };

  /** A value of the source row as VARCHAR; an expression's DATE or TIMESTAMP as ISO text, as the contract wants. */
  const value = async (src: ValueSource, column: string): Promise<LookupPart> => {
    const [base, describe] = src.kind === 'column' ? [ident(sourceColumn(src.column, column)), `column "${src.column}"`]
      : src.kind === 'expr' ? [await expression(src.expr, column), `expr ${src.expr}`]
        : [template(src.template, sourceColumn, params, vars, (m) => fail(m, column), column), `template "${src.template}"`];
    let type = 'VARCHAR';
    try {
      const rows = await all<{ column_type: string }>(conn, `describe select ${base} as v from ${ident(sourceTable)}`, pickParams(params.values, base));
      type = rows[0].column_type;
    } catch (e) {
      fail(`${describe} cannot be evaluated: ${(e as Error).message.split('\n')[0]}`, column);
    }
    return { sql: /^(DATE|TIMESTAMP)/.test(type) ? `strftime(${base}, '%Y-%m-%d')` : `cast(${base} as varchar)`, describe };
  };

  const def = datasetDef(ds.dataset);
  const columns: CompiledColumn[] = [];
  const lookups: LookupPlan[] = [];
  for (const canon of def.columns) {
    const col = ds.columns.find((c) => c.name === canon.name);
    if (!col) {
      const x = ident(canon.name);
      columns.push({ name: canon.name, sql: NULL, steps: [x, x, x], describe: '(not mapped)', expression: false });
      continue;
    }
    const src = col.source;
    let part: LookupPart;
    if (src.kind === 'const') {
      part = { sql: src.value === null ? NULL : `cast(${params.add(src.value)} as varchar)`, describe: `const ${JSON.stringify(src.value)}` };
    } else if (src.kind === 'lookup') {
      const plan = lookupPlan({ sourceTable, header, dataset: ds.dataset, column: col.name, anyOrder: src.anyOrder, params,
        find: await value(src.find, col.name), in: await value(src.in, col.name), take: await value(src.take, col.name) });
      lookups.push(plan);
      part = { sql: ident(plan.helper), describe: plan.describe };
    } else {
      part = await value(src, col.name);
    }
    columns.push({ name: col.name, sql: part.sql, steps: steps(col, params), describe: part.describe + modifiers(col), expression: src.kind === 'expr' });
  }
  const where = ds.where === undefined ? undefined : await expression(ds.where, undefined);
  return { mapping: ds, columns, where, params, lookups, sql: datasetSql(ds, def.key, columns, where, sourceTable) };
}

/** The whole select: source values → clean → map → date/default, one layer each; `distinct` keeps the first line per key. */
function datasetSql(ds: DatasetMapping, key: readonly string[], columns: CompiledColumn[], where: string | undefined,
  sourceTable: string): string {
  const layer = (i: number) => columns.map((c) => `${i < 0 ? c.sql : c.steps[i]} as ${ident(c.name)}`).join(',\n    ');
  const dedupe = ds.distinct
    ? `\nqualify row_number() over (partition by ${key.map(ident).join(', ')} order by _line) = 1` : '';
  return `with source_values as (
  select _line, ${layer(-1)}
  from ${ident(sourceTable)}${where ? `\n  where coalesce(${where}, false)` : ''}
),
cleaned as (select _line, ${layer(0)} from source_values),
mapped as (select _line, ${layer(1)} from cleaned),
final as (select _line, ${layer(2)} from mapped)
select * from final${dedupe}
order by _line`;
}

/**
 * The steps after the source, each over the previous step's value of the column (`x`): clean (trim, case),
 * value map, then date format and default. Written as separate query layers so no step repeats another.
 */
function steps(col: ColumnMapping, params: Params): [string, string, string] {
  const x = ident(col.name);
  let clean = x;
  if (col.trim) clean = `nullif(trim(${clean}, ${TRIM_CHARS}), '')`;
  if (col.case) clean = `${col.case}(${clean})`;
  let mapped = x;
  if (col.map) {
    const whens = [...col.map].map(([k, v]) => `when ${params.add(k)} then ${v === null ? NULL : params.add(v)}`).join(' ');
    const otherwise = col.mapDefault === undefined ? x : col.mapDefault === null ? NULL : params.add(col.mapDefault);
    mapped = `case when ${x} is null then null else (case lower(${x}) ${whens} else ${otherwise} end) end`;
  }
  let last = x;
  if (col.dateFormats) {
    const tries = col.dateFormats.map((f) => `strftime(try_strptime(${x}, ${params.add(f)}), '%Y-%m-%d')`).join(', ');
    last = `coalesce(${tries}, ${x})`;
  }
  if (col.default !== undefined) last = `coalesce(${last}, ${params.add(col.default)})`;
  return [clean, mapped, last];
}

function modifiers(col: ColumnMapping): string {
  const parts: string[] = [];
  if (!col.trim) parts.push('no trim');
  if (col.case) parts.push(`${col.case} case`);
  if (col.map) parts.push(`map of ${col.map.size}${col.mapDefault !== undefined ? `, else ${JSON.stringify(col.mapDefault)}` : ''}`);
  if (col.dateFormats) parts.push(`date ${col.dateFormats.join(' | ')}`);
  if (col.default !== undefined) parts.push(`default ${JSON.stringify(col.default)}`);
  return parts.length ? ` (${parts.join('; ')})` : '';
}

/** `"Employee {EmployeeNumber}"` → `$_m1 || "EmployeeNumber"`; `{$var}` is a var. Empty when any column is empty. */
function template(text: string, sourceColumn: (name: string, column: string) => string, params: Params,
  vars: string[], fail: (msg: string) => never, column: string): string {
  const parts: string[] = [];
  const re = /\{([^{}]*)\}/g;
  let last = 0;
  for (const m of text.matchAll(re)) {
    if (m.index! > last) parts.push(params.add(text.slice(last, m.index)));
    const name = m[1].trim();
    if (name.startsWith('$')) {
      if (!vars.includes(name.slice(1))) fail(`template uses ${name}, which is not a var of this mapping`);
      params.useVar(name.slice(1));
      parts.push(`cast(${name} as varchar)`);
    } else {
      if (!name) fail('template has an empty {}');
      parts.push(ident(sourceColumn(name, column)));
    }
    last = m.index! + m[0].length;
  }
  if (last < text.length) parts.push(params.add(text.slice(last)));
  if (/[{}]/.test(text.replace(re, ''))) fail(`template ${JSON.stringify(text)} has an unmatched { or }`);
  return parts.length ? `(${parts.join(' || ')})` : "''";
}

/** Only the parameters a piece of SQL uses (DuckDB refuses values for parameters a query does not have). */
export function pickParams(values: Record<string, DuckDBValue>, sql: string): Record<string, DuckDBValue> {
  const out: Record<string, DuckDBValue> = {};
  for (const [k, v] of Object.entries(values)) if (new RegExp(`\\$${k}\\b`).test(sql)) out[k] = v;
  return out;
}
