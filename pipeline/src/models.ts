// The model graph: discovers sql/**/*.sql, infers the order from the tables each model reads (never a
// hand-kept list), reads each model's `-- materialized:` and `-- enum:` directives (staging as views, the rest
// as tables unless a directive says otherwise) and the tests its sibling .yml declares. Building is
// model-build.ts; the tests run in model-tests.ts.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { DATASETS } from './datasets.ts';
import { APP_TABLES, APP_VIEWS, PIPELINE_TABLES } from './migrations/index.ts';
import { modelParams, type ModelSettings } from './model-settings.ts';

/** The repo's sql/ folder. */
export const SQL_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../sql');

/** Tables a model must not build (`create or replace` would wipe them): the migrations own them. */
const KEPT_TABLES = new Set([...APP_TABLES, ...APP_VIEWS, ...PIPELINE_TABLES]);

export type Layer = 'staging' | 'intermediate' | 'marts' | 'other';

/**
 * How a model is kept: a table (built once per run), a view (its SELECT, run when read), or a temp table: built
 * once per run like a table and read by the later models of the run, but a temporary table of the
 * run's connection, never written to the database file (for intermediates nothing reads after the run; the
 * run drops each once its last reader is built, `dropTempAfterUse`, and any left before its commit, dropTempModels).
 */
export type Materialized = 'table' | 'view' | 'temp';

/** Without a directive: staging only renames and casts `src_*`, so a view costs nothing to build. */
export const DEFAULT_MATERIALIZED: Record<Layer, Materialized> = { staging: 'view', intermediate: 'table', marts: 'table', other: 'table' };

export interface Model {
  /** File stem = the table it builds. */
  name: string;
  file: string;
  layer: Layer;
  /** Table, view or temp: the `-- materialized:` directive, else the layer's default. */
  materialized: Materialized;
  /** Columns stored as ENUM (the `-- enum:` directive); empty for most models. */
  enumColumns: string[];
  sql: string;
  /** Other models this one reads. */
  deps: string[];
  /** `src_*` tables this one reads. */
  sources: string[];
  /** Tests from the sibling .yml, when there is one. */
  spec: ModelSpec | null;
}

export type ColumnTest =
  | { kind: 'not_null'; where?: string }
  | { kind: 'unique'; where?: string }
  | { kind: 'relationships'; to: string; field: string; where?: string }
  | { kind: 'accepted_values'; values: (string | number | boolean)[]; where?: string };

export interface ModelSpec {
  file: string;
  grain: string | null;
  unique: string[] | null;
  columns: { name: string; tests: ColumnTest[] }[];
  expressions: { expression: string; where?: string }[];
}

/** Something wrong with the sql/ folder itself: a bad name, a bad .yml, a cycle. */
export class ModelDefinitionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelDefinitionError';
  }
}

export class ModelCycleError extends ModelDefinitionError {
  constructor(readonly cycle: string[]) {
    super(`models read each other in a cycle: ${cycle.join(' → ')}; break it by moving the shared part into its own model`);
    this.name = 'ModelCycleError';
  }
}



// ---------------------------------------------------------------------------------------------
// Reading the table names a model refers to

type Token = { t: 'word' | 'quoted' | 'punct'; v: string };

/** Split SQL into words, quoted identifiers and punctuation; comments and string literals dropped. */
export function tokenize(sql: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    if (c === '-' && sql[i + 1] === '-') { const e = sql.indexOf('\n', i); i = e < 0 ? sql.length : e + 1; continue; }
    if (c === '/' && sql[i + 1] === '*') { const e = sql.indexOf('*/', i + 2); i = e < 0 ? sql.length : e + 2; continue; }
    if (c === "'") {
      i++;
      while (i < sql.length) { if (sql[i] === "'") { if (sql[i + 1] === "'") i += 2; else break; } else i++; }
      i++;
      out.push({ t: 'punct', v: "''" });
      continue;
    }
    if (c === '"') {
      let v = '';
      i++;
      while (i < sql.length) { if (sql[i] === '"') { if (sql[i + 1] === '"') { v += '"'; i += 2; } else break; } else v += sql[i++]; }
      i++;
      out.push({ t: 'quoted', v });
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(sql.slice(i, i + 256));
    if (word) { out.push({ t: 'word', v: word[0] }); i += word[0].length; continue; }
    if (!/\s/.test(c)) out.push({ t: 'punct', v: c });
    i++;
  }
  return out;
}

const CLAUSE_WORDS = new Set([
  'where', 'group', 'order', 'having', 'limit', 'offset', 'union', 'except', 'intersect', 'on', 'using',
  'join', 'left', 'right', 'inner', 'outer', 'full', 'cross', 'natural', 'positional', 'asof', 'anti', 'semi',
  'lateral', 'window', 'qualify', 'select', 'from', 'pivot', 'unpivot', 'sample', 'tablesample', 'as', 'with',
]);

/**
 * The table names a query reads: identifiers after FROM / JOIN (and comma-separated FROM lists),
 * last part of a qualified name, lower-cased; CTE names defined in the query are left out.
 */
export function tableRefs(sql: string): string[] {
  const tokens = tokenize(sql);
  const name = (k: number) => (tokens[k] && (tokens[k].t === 'word' || tokens[k].t === 'quoted') ? tokens[k].v : null);
  const lower = (k: number) => (tokens[k]?.t === 'word' ? tokens[k].v.toLowerCase() : null);
  const ctes = new Set<string>();
  for (let k = 0; k + 2 < tokens.length; k++) {
    const prev = lower(k - 1) ?? tokens[k - 1]?.v;
    if (!((prev === 'with' || prev === 'recursive' || prev === ',') && name(k))) continue;
    let m = k + 1;
    if (tokens[m]?.v === '(' && (prev === 'with' || prev === 'recursive')) {
      // a column list, as in `with recursive walk(a, b) as (...)`
      for (let depth = 0; m < tokens.length; m++) {
        if (tokens[m].v === '(') depth++;
        else if (tokens[m].v === ')' && --depth === 0) break;
      }
      m++;
    }
    if (lower(m) === 'as' && (tokens[m + 1]?.v === '(' || lower(m + 1) === 'materialized' || lower(m + 1) === 'not')) {
      ctes.add(tokens[k].v.toLowerCase());
    }
  }
  const refs = new Set<string>();
  for (let k = 0; k < tokens.length; k++) {
    const kw = lower(k);
    if (kw !== 'from' && kw !== 'join') continue;
    let j = k + 1;
    for (;;) {
      if (!name(j) || (tokens[j].t === 'word' && CLAUSE_WORDS.has(tokens[j].v.toLowerCase()))) break;
      let last = tokens[j].v;
      j++;
      while (tokens[j]?.v === '.' && name(j + 1)) { last = tokens[j + 1].v; j += 2; }
      if (tokens[j]?.v === '(') break; // a table function such as range(...) or unnest(...)
      if (!ctes.has(last.toLowerCase())) refs.add(last.toLowerCase());
      if (lower(j) === 'as') j++;
      if (name(j) && !(tokens[j].t === 'word' && CLAUSE_WORDS.has(tokens[j].v.toLowerCase()))) j++; // alias
      if (tokens[j]?.v === '(') { // alias column list: t(a, b)
        let depth = 0;
        do { if (tokens[j].v === '(') depth++; else if (tokens[j].v === ')') depth--; j++; } while (j < tokens.length && depth > 0);
      }
      if (kw === 'from' && tokens[j]?.v === ',') { j++; continue; }
      break;
    }
  }
  return [...refs].sort();
}

// ---------------------------------------------------------------------------------------------
// Discovery and order

function layerOf(rel: string): Layer {
  const top = rel.split(/[\\/]/)[0];
  return top === 'staging' || top === 'intermediate' || top === 'marts' ? top : 'other';
}

/** The first `-- name: value` line among a model's leading comment lines (before its SQL), with its line number. */
function leadingDirective(sql: string, name: RegExp): { value: string; line: number } | null {
  for (const [i, line] of sql.split('\n').entries()) {
    const t = line.trim();
    if (!t) continue;
    if (!t.startsWith('--')) break;
    const m = new RegExp(`^--\\s*(?:${name.source})\\s*:(.*)$`, 'i').exec(t);
    if (m) return { value: m[1].trim(), line: i + 1 };
  }
  return null;
}

/**
 * The `-- materialized: view|table|temp` directive among a model's leading comment lines (before its SQL),
 * or null when there is none. Anything else after `materialized:` is an error naming the line.
 */
export function materializedDirective(sql: string, rel: string): Materialized | null {
  const d = leadingDirective(sql, /materiali[sz]ed/);
  if (!d) return null;
  const v = d.value.toLowerCase();
  if (v === 'view' || v === 'table' || v === 'temp') return v;
  throw new ModelDefinitionError(`${rel}:${d.line}: materialized must be "view", "table" or "temp", not ${JSON.stringify(d.value)}`);
}

/**
 * The columns of an `-- enum: a, b` directive: a table model stores them as DuckDB ENUM types made from
 * their distinct values (a 1–4 byte code per row instead of a string; read and answered as Arrow
 * dictionaries without copying strings, docs/architecture.md). Only for table models.
 */
export function enumDirective(sql: string, rel: string, materialized: Materialized): string[] {
  const d = leadingDirective(sql, /enum/);
  if (!d) return [];
  const columns = d.value.split(',').map((c) => c.trim());
  const bad = columns.find((c) => !/^[a-z_][a-z0-9_]*$/.test(c));
  if (bad !== undefined) throw new ModelDefinitionError(`${rel}:${d.line}: enum takes column names separated by commas, not ${JSON.stringify(bad)}`);
  if (materialized !== 'table') throw new ModelDefinitionError(`${rel}:${d.line}: enum columns need a table model (a view stores nothing)`);
  return columns;
}

function listSqlFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listSqlFiles(full));
    else if (entry.isFile() && entry.name.endsWith('.sql')) out.push(full);
  }
  return out;
}

/** Read every model under `sqlDir` with its dependencies and .yml tests. */
export function discoverModels(sqlDir: string = SQL_DIR): Model[] {
  const files = listSqlFiles(sqlDir);
  const byName = new Map<string, string>();
  const raw = files.map((file) => {
    const name = path.basename(file, '.sql');
    const rel = path.relative(sqlDir, file);
    if (!/^[a-z][a-z0-9_]*$/.test(name)) {
      throw new ModelDefinitionError(`${rel}: a model file name must be lower_snake_case (it becomes the table name)`);
    }
    if (name.startsWith('src_')) throw new ModelDefinitionError(`${rel}: src_ tables belong to ingest; name the model stg_…`);
    if (KEPT_TABLES.has(name)) {
      throw new ModelDefinitionError(`${rel}: ${name} is a table Trellis keeps across runs (pipeline/src/migrations); a model may not replace it, name it otherwise`);
    }
    const other = byName.get(name);
    if (other) throw new ModelDefinitionError(`two models build the table ${name}: ${other} and ${rel}`);
    byName.set(name, rel);
    const sql = fs.readFileSync(file, 'utf8').replace(/[\s;]+$/, '');
    if (!sql.trim()) throw new ModelDefinitionError(`${rel}: empty model`);
    const ymlFile = file.replace(/\.sql$/, '.yml');
    const spec = fs.existsSync(ymlFile) ? parseSpec(fs.readFileSync(ymlFile, 'utf8'), path.relative(sqlDir, ymlFile)) : null;
    const layer = layerOf(rel);
    const materialized = materializedDirective(sql, rel) ?? DEFAULT_MATERIALIZED[layer];
    return { name, file: rel, layer, materialized, enumColumns: enumDirective(sql, rel, materialized), sql, spec };
  });
  const names = new Set(raw.map((m) => m.name));
  const temps = new Set(raw.filter((m) => m.materialized === 'temp').map((m) => m.name));
  return raw.map((m) => {
    const refs = tableRefs(m.sql);
    const deps = refs.filter((r) => names.has(r) && r !== m.name);
    // a view outlives the run; a temp table does not
    const gone = m.materialized === 'view' ? deps.find((d) => temps.has(d)) : undefined;
    if (gone) throw new ModelDefinitionError(`${m.file}: a view may not read ${gone}, a temp model (the run drops it before its commit)`);
    return { ...m, deps, sources: refs.filter((r) => r.startsWith('src_')) };
  });
}

const LAYER_RANK: Record<Layer, number> = { staging: 0, intermediate: 1, marts: 2, other: 3 };

/**
 * Models in an order where each comes after everything it reads. Ties break by layer, then name,
 * so the order is stable. A cycle throws ModelCycleError naming it.
 */
export function orderModels(models: Model[]): Model[] {
  const byName = new Map(models.map((m) => [m.name, m]));
  const cmp = (a: Model, b: Model) => LAYER_RANK[a.layer] - LAYER_RANK[b.layer] || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  const state = new Map<string, 'visiting' | 'done'>();
  const out: Model[] = [];
  const visit = (m: Model, stack: string[]) => {
    const s = state.get(m.name);
    if (s === 'done') return;
    if (s === 'visiting') throw new ModelCycleError([...stack.slice(stack.indexOf(m.name)), m.name]);
    state.set(m.name, 'visiting');
    const deps = m.deps.map((d) => byName.get(d)).filter((d): d is Model => Boolean(d)).sort(cmp);
    for (const d of deps) visit(d, [...stack, m.name]);
    state.set(m.name, 'done');
    out.push(m);
  };
  for (const m of [...models].sort(cmp)) visit(m, []);
  return out;
}

/** The DuckDB library the models run on: another one may type a column differently. */
const DUCKDB_VERSION: string = createRequire(import.meta.url)('@duckdb/node-api/package.json').version;

/**
 * A fingerprint of all model SQL and tests (and the settings they read), of the datasets' columns they read
 * and of the DuckDB they run on: a run may skip the rebuild only when it is unchanged.
 */
export function modelsFingerprint(models: Model[], settings?: Partial<ModelSettings>): string {
  const h = createHash('sha256');
  h.update(`datasets\0${JSON.stringify(DATASETS)}\0duckdb\0${DUCKDB_VERSION}\0`);
  // the default settings add nothing, so a fingerprint from before settings existed still matches
  const params = modelParams(settings);
  const defaults = modelParams();
  const changed = Object.keys(params).filter((k) => params[k] !== defaults[k]).sort();
  if (changed.length) h.update(`settings\0${changed.map((k) => `${k}=${params[k]}`).join(',')}\0`);
  for (const m of [...models].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    h.update(`${m.file}\0${m.materialized}\0${m.sql}\0${JSON.stringify(m.spec)}\0`);
  }
  return h.digest('hex');
}

// ---------------------------------------------------------------------------------------------
// The .yml tests

function asWhere(v: unknown, where: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || !v.trim()) throw new ModelDefinitionError(`${where}: "where" must be an SQL condition string`);
  return v;
}

function parseColumnTest(t: unknown, where: string): ColumnTest {
  if (t === 'not_null' || t === 'unique') return { kind: t };
  if (t && typeof t === 'object' && !Array.isArray(t) && Object.keys(t).length === 1) {
    const [kind, arg] = Object.entries(t as Record<string, unknown>)[0];
    const a = (arg ?? {}) as Record<string, unknown>;
    const w = asWhere(a.where, where);
    if (kind === 'not_null' || kind === 'unique') return { kind, where: w };
    if (kind === 'relationships') {
      if (typeof a.to !== 'string' || typeof a.field !== 'string') {
        throw new ModelDefinitionError(`${where}: relationships needs {to: <model>, field: <column>}`);
      }
      return { kind, to: a.to, field: a.field, where: w };
    }
    if (kind === 'accepted_values') {
      if (!Array.isArray(a.values) || a.values.length === 0
        || !a.values.every((v) => ['string', 'number', 'boolean'].includes(typeof v))) {
        throw new ModelDefinitionError(`${where}: accepted_values needs {values: [a, b, …]}`);
      }
      return { kind, values: a.values as (string | number | boolean)[], where: w };
    }
  }
  throw new ModelDefinitionError(
    `${where}: unknown test ${JSON.stringify(t)}; use not_null, unique, {relationships: {to, field}} or {accepted_values: {values}}`);
}

/** Parse and check a mart's .yml (format in docs/architecture.md). */
export function parseSpec(text: string, file: string): ModelSpec {
  let doc: unknown;
  try {
    doc = YAML.parse(text);
  } catch (err) {
    throw new ModelDefinitionError(`${file}: not valid YAML (${(err as Error).message})`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new ModelDefinitionError(`${file}: expected a mapping with grain, unique, columns, tests`);
  const d = doc as Record<string, unknown>;
  const unique = d.unique === undefined || d.unique === null ? null : d.unique;
  if (unique !== null && !(Array.isArray(unique) && unique.length > 0 && unique.every((c) => typeof c === 'string'))) {
    throw new ModelDefinitionError(`${file}: "unique" must be a list of column names (the grain)`);
  }
  const columns = (d.columns ?? []) as unknown;
  if (!Array.isArray(columns)) throw new ModelDefinitionError(`${file}: "columns" must be a list`);
  const cols = columns.map((c, i) => {
    if (!c || typeof c !== 'object' || typeof (c as { name?: unknown }).name !== 'string') {
      throw new ModelDefinitionError(`${file}: columns[${i}] needs a name`);
    }
    const { name, tests = [] } = c as { name: string; tests?: unknown };
    if (!Array.isArray(tests)) throw new ModelDefinitionError(`${file}: column ${name}: "tests" must be a list`);
    return { name, tests: tests.map((t) => parseColumnTest(t, `${file}: column ${name}`)) };
  });
  const tests = (d.tests ?? []) as unknown;
  if (!Array.isArray(tests)) throw new ModelDefinitionError(`${file}: "tests" must be a list`);
  const expressions = tests.map((t, i) => {
    const e = t as { expression?: unknown; where?: unknown };
    if (!e || typeof e.expression !== 'string' || !e.expression.trim()) {
      throw new ModelDefinitionError(`${file}: tests[${i}] must be {expression: "<SQL that holds on every row>", where?: "<SQL>"}`);
    }
    return { expression: e.expression, where: asWhere(e.where, `${file}: tests[${i}]`) };
  });
  return { file, grain: typeof d.grain === 'string' ? d.grain : null, unique: unique as string[] | null, columns: cols, expressions };
}
