// Reads a mapping YAML file into a checked `Mapping`: known datasets and canonical columns, exactly one
// source per column, every required column mapped. Checks that need the source file or DuckDB (unknown
// source columns, expression safety and errors) happen in compile.ts.
import fs from 'node:fs';
import { parseDocument } from 'yaml';
import { DATASET_NAMES, dataset, isRequired, type DatasetName } from '../datasets.ts';
import { MappingError } from './errors.ts';
import type { ColumnMapping, ColumnSource, DatasetMapping, Mapping, ValueSource } from './types.ts';

const TOP_KEYS = new Set(['name', 'description', 'pattern', 'source', 'vars', 'defaults', 'datasets']);
const DATASET_KEYS = new Set(['distinct', 'where', 'columns']);
const COLUMN_KEYS = new Set(['column', 'expr', 'template', 'const', 'lookup', 'trim', 'case', 'map', 'map_default',
  'date_format', 'default']);
const SOURCE_KINDS = ['column', 'expr', 'template', 'const', 'lookup'] as const;
const VALUE_KINDS = ['column', 'expr', 'template'] as const;
const LOOKUP_KEYS = ['find', 'in', 'take', 'any_order'];
const VAR_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Load and check a mapping file. Throws `MappingError` naming the file (and dataset/column) on any problem. */
export function loadMapping(file: string): Mapping {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new MappingError(file, `cannot read the mapping file: ${(e as Error).message}`);
  }
  return parseMapping(text, file);
}

export function parseMapping(text: string, file: string): Mapping {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    const err = doc.errors[0];
    const pos = err.linePos?.[0];
    throw new MappingError(file, `not valid YAML${pos ? ` at line ${pos.line}, column ${pos.col}` : ''}: ${err.message.split('\n')[0]}`);
  }
  const raw = doc.toJS() as unknown;
  if (!isObj(raw)) throw new MappingError(file, 'the file must be a YAML mapping with `pattern` and `datasets`');
  for (const key of Object.keys(raw)) {
    if (!TOP_KEYS.has(key)) throw new MappingError(file, `unknown key "${key}" (expected one of ${[...TOP_KEYS].join(', ')})`);
  }

  const patterns = typeof raw.pattern === 'string' ? [raw.pattern]
    : Array.isArray(raw.pattern) && raw.pattern.every((p) => typeof p === 'string') ? raw.pattern as string[] : null;
  if (!patterns || patterns.length === 0) {
    throw new MappingError(file, '`pattern` is required: a glob on the file name, e.g. "bamboohr_*.csv", or a list of them');
  }

  const source = { delimiter: ',', quote: '"', encoding: undefined as string | undefined };
  if (raw.source !== undefined) {
    if (!isObj(raw.source)) throw new MappingError(file, '`source` must be a mapping (delimiter, quote, encoding)');
    for (const [k, v] of Object.entries(raw.source)) {
      if (!['delimiter', 'quote', 'encoding'].includes(k)) throw new MappingError(file, `unknown key "source.${k}" (expected delimiter, quote, encoding)`);
      if (typeof v !== 'string' || v.length === 0) throw new MappingError(file, `source.${k} must be a non-empty string`);
      (source as Record<string, string>)[k] = v;
    }
  }

  const vars: Record<string, string> = {};
  if (raw.vars !== undefined) {
    if (!isObj(raw.vars)) throw new MappingError(file, '`vars` must be a mapping of names to values');
    for (const [k, v] of Object.entries(raw.vars)) {
      if (!VAR_NAME.test(k)) throw new MappingError(file, `var name "${k}" must be letters, digits and _ and start with a letter`);
      if (v === null || typeof v === 'object') throw new MappingError(file, `var "${k}" must be a single value`);
      vars[k] = String(v);
    }
  }

  const defaults = raw.defaults === undefined ? {} : raw.defaults;
  if (!isObj(defaults)) throw new MappingError(file, '`defaults` must be a mapping (trim, date_format)');
  for (const k of Object.keys(defaults)) {
    if (!['trim', 'date_format'].includes(k)) throw new MappingError(file, `unknown key "defaults.${k}" (expected trim, date_format)`);
  }
  const defaultTrim = defaults.trim === undefined ? true : defaults.trim;
  if (typeof defaultTrim !== 'boolean') throw new MappingError(file, 'defaults.trim must be true or false');
  const defaultDateFormats = defaults.date_format === undefined ? undefined : formats(defaults.date_format, file, {});

  if (!isObj(raw.datasets) || Object.keys(raw.datasets).length === 0) {
    throw new MappingError(file, '`datasets` is required: one entry per canonical dataset this export feeds, e.g. `employees:`');
  }
  const datasets: DatasetMapping[] = [];
  for (const [name, spec] of Object.entries(raw.datasets)) {
    if (!(DATASET_NAMES as readonly string[]).includes(name)) {
      throw new MappingError(file, `unknown dataset "${name}" (expected one of ${DATASET_NAMES.join(', ')})`, { dataset: name });
    }
    datasets.push(parseDataset(name as DatasetName, spec, file, defaultTrim, defaultDateFormats));
  }

  return {
    file,
    name: typeof raw.name === 'string' ? raw.name : file.split(/[\\/]/).pop()!.replace(/\.ya?ml$/i, ''),
    description: typeof raw.description === 'string' ? raw.description : undefined,
    patterns,
    source,
    vars,
    datasets,
  };
}

function parseDataset(name: DatasetName, spec: unknown, file: string, defaultTrim: boolean,
  defaultDateFormats: string[] | undefined): DatasetMapping {
  const where = { dataset: name };
  if (!isObj(spec)) throw new MappingError(file, 'must be a mapping with `columns:`', where);
  for (const k of Object.keys(spec)) {
    if (!DATASET_KEYS.has(k)) throw new MappingError(file, `unknown key "${k}" (expected distinct, where, columns)`, where);
  }
  if (spec.distinct !== undefined && typeof spec.distinct !== 'boolean') throw new MappingError(file, '`distinct` must be true or false', where);
  if (spec.where !== undefined && typeof spec.where !== 'string') throw new MappingError(file, '`where` must be an SQL expression (a string)', where);
  if (!isObj(spec.columns)) throw new MappingError(file, '`columns` is required: canonical column → source', where);

  const def = dataset(name);
  const columns: ColumnMapping[] = [];
  for (const [col, colSpec] of Object.entries(spec.columns)) {
    const canon = def.columns.find((c) => c.name === col);
    if (!canon) {
      throw new MappingError(file, `"${col}" is not a column of ${name} (expected one of ${def.columns.map((c) => c.name).join(', ')})`,
        { dataset: name, column: col });
    }
    columns.push(parseColumn(col, colSpec, file, name, defaultTrim, canon.type === 'date' ? defaultDateFormats : undefined));
  }
  for (const c of def.columns) {
    if (isRequired(def, c) && c.default === undefined && !columns.some((m) => m.name === c.name)) {
      throw new MappingError(file, `required column ${c.name} is not mapped: give its source column, expr, template or const`,
        { dataset: name, column: c.name });
    }
  }
  return { dataset: name, distinct: spec.distinct === true, where: spec.where as string | undefined, columns };
}

function parseColumn(name: string, spec: unknown, file: string, ds: string, defaultTrim: boolean,
  defaultDateFormats: string[] | undefined): ColumnMapping {
  const where = { dataset: ds, column: name };
  if (typeof spec === 'string') spec = { column: spec };
  if (!isObj(spec)) throw new MappingError(file, 'must be a source column name or a mapping (column, expr, template, const, lookup, ...)', where);
  for (const k of Object.keys(spec)) {
    if (!COLUMN_KEYS.has(k)) throw new MappingError(file, `unknown key "${k}" (expected one of ${[...COLUMN_KEYS].join(', ')})`, where);
  }
  const kinds = SOURCE_KINDS.filter((k) => spec[k] !== undefined);
  if (kinds.length !== 1) {
    throw new MappingError(file, `needs exactly one of column, expr, template, const, lookup (found ${kinds.length ? kinds.join(', ') : 'none'})`, where);
  }
  const kind = kinds[0];
  const value = spec[kind];
  let source: ColumnSource;
  if (kind === 'const') {
    if (value !== null && typeof value === 'object') throw new MappingError(file, '`const` must be a single value', where);
    source = { kind, value: value === null ? null : String(value) };
  } else if (kind === 'lookup') {
    source = lookup(value, file, where);
  } else {
    source = valueSource(kind, value, `\`${kind}\``, file, where);
  }

  if (spec.trim !== undefined && typeof spec.trim !== 'boolean') throw new MappingError(file, '`trim` must be true or false', where);
  if (spec.case !== undefined && spec.case !== 'lower' && spec.case !== 'upper') throw new MappingError(file, '`case` must be lower or upper', where);
  let map: Map<string, string | null> | undefined;
  if (spec.map !== undefined) {
    if (!isObj(spec.map)) throw new MappingError(file, '`map` must be a mapping of source value → canonical value', where);
    map = new Map();
    for (const [k, v] of Object.entries(spec.map)) {
      if (v !== null && typeof v === 'object') throw new MappingError(file, `map value for "${k}" must be a single value (or null)`, where);
      const key = k.trim().toLowerCase();
      if (map.has(key)) throw new MappingError(file, `map has "${k}" twice (keys are matched in any case)`, where);
      map.set(key, v === null ? null : String(v));
    }
  }
  if (spec.map_default !== undefined && spec.map === undefined) throw new MappingError(file, '`map_default` needs a `map`', where);
  if (spec.map_default !== undefined && spec.map_default !== null && typeof spec.map_default === 'object') {
    throw new MappingError(file, '`map_default` must be a single value (or null)', where);
  }
  if (spec.default !== undefined && (spec.default === null || typeof spec.default === 'object')) {
    throw new MappingError(file, '`default` must be a single value', where);
  }
  const ownFormats = spec.date_format === undefined ? undefined : formats(spec.date_format, file, where);
  const dateFormats = ownFormats ?? (kind === 'column' || kind === 'template' || kind === 'lookup' ? defaultDateFormats : undefined);

  return {
    name,
    source,
    trim: spec.trim === undefined ? defaultTrim : spec.trim,
    case: spec.case as 'lower' | 'upper' | undefined,
    map,
    mapDefault: spec.map_default === undefined ? undefined : spec.map_default === null ? null : String(spec.map_default),
    dateFormats,
    default: spec.default === undefined ? undefined : String(spec.default),
  };
}

function valueSource(kind: typeof VALUE_KINDS[number], value: unknown, label: string, file: string,
  where: { dataset: string; column: string }): ValueSource {
  if (typeof value !== 'string' || value.trim() === '') throw new MappingError(file, `${label} must be a non-empty string`, where);
  return kind === 'column' ? { kind, column: value.trim() } : kind === 'expr' ? { kind, expr: value } : { kind, template: value };
}

/** `lookup: { find, in, take, any_order }`; each of find, in, take a source column name or `{ column | expr | template }`. */
function lookup(spec: unknown, file: string, where: { dataset: string; column: string }): ColumnSource {
  const usage = 'e.g. `lookup: { find: Reports To, in: Name, take: Employee ID }`';
  if (!isObj(spec)) throw new MappingError(file, `\`lookup\` must be a mapping with find, in and take (${usage})`, where);
  for (const k of Object.keys(spec)) {
    if (!LOOKUP_KEYS.includes(k)) throw new MappingError(file, `unknown key "lookup.${k}" (expected ${LOOKUP_KEYS.join(', ')})`, where);
  }
  const part = (key: 'find' | 'in' | 'take'): ValueSource => {
    let v = spec[key];
    if (v === undefined) throw new MappingError(file, `lookup.${key} is required (${usage})`, where);
    if (typeof v === 'string') v = { column: v };
    const kinds = isObj(v) ? VALUE_KINDS.filter((k) => (v as Obj)[k] !== undefined) : [];
    if (!isObj(v) || kinds.length !== 1 || Object.keys(v).length !== 1) {
      throw new MappingError(file, `lookup.${key} must be a source column name or one of { column | expr | template }`, where);
    }
    return valueSource(kinds[0], v[kinds[0]], `lookup.${key}.${kinds[0]}`, file, where);
  };
  if (spec.any_order !== undefined && typeof spec.any_order !== 'boolean') throw new MappingError(file, 'lookup.any_order must be true or false', where);
  return { kind: 'lookup', find: part('find'), in: part('in'), take: part('take'), anyOrder: spec.any_order === true };
}

function formats(v: unknown, file: string, where: { dataset?: string; column?: string }): string[] {
  const list = typeof v === 'string' ? [v] : Array.isArray(v) && v.every((f) => typeof f === 'string') ? v as string[] : null;
  if (!list || list.length === 0 || list.some((f) => !f.includes('%'))) {
    throw new MappingError(file, '`date_format` must be a strptime format such as "%m/%d/%Y" (or a list of them)', where);
  }
  return list;
}
