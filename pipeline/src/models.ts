// The model runner: discovers sql/**/*.sql, infers the order from the tables each model reads
// (never a hand-kept list), builds each as `create or replace table|view <stem> as <sql>` with `$as_of`
// bound (staging as views, the rest as tables, unless a `-- materialized: view|table|temp` line in the file's
// leading comments says otherwise), then runs the tests every mart declares in its sibling .yml as counting queries
// (model-tests.ts).
// It runs on the caller's connection, in the connection's schema (a run's own, run-schema.ts, or `main`).
import type { DuckDBConnection } from '@duckdb/node-api';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { DATASETS } from './datasets.ts';
import { exec, ident, one, schemaObjects } from './db.ts';
import { APP_TABLES, APP_VIEWS, PIPELINE_TABLES } from './migrations/index.ts';
import { modelParams, type ModelSettings } from './model-settings.ts';
import { testModels } from './model-tests.ts';

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

/** A model's SQL failed in DuckDB. */
export class ModelBuildError extends Error {
  constructor(readonly model: string, readonly file: string, readonly cause: unknown) {
    super(`model ${model} (${file}) failed: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'ModelBuildError';
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


// ---------------------------------------------------------------------------------------------
// Running

export interface ModelProgress {
  phase: 'models' | 'tests';
  model: string;
  done: number;
  total: number;
  message: string;
}

export interface ModelRunOptions {
  /** `$as_of`: the date the models answer for (YYYY-MM-DD). */
  asOf: string;
  /** Risk weights and backtest horizon (model-settings.ts), bound as `$risk_w_<factor>`, `$backtest_horizon_months`; default the spec's. */
  settings?: Partial<ModelSettings>;
  /**
   * `$run_as_of`: the run's own date, when the models are asked about an earlier `asOf` (history.md
   * "Known at T", "Status at T"); default `asOf`.
   */
  runAsOf?: string;
  /** `$history_months`: month-ends before as_of in the history tables (sql/history); default 24. */
  historyMonths?: number;
  /**
   * Drop each temp model (one without .yml tests) as soon as the last model reading it is built, so they do
   * not all sit in memory at once (a run: nothing reads them after the models).
   */
  dropTempAfterUse?: boolean;
  /**
   * More connections, looking in the same schema as the first, to build models on at the same time: a model
   * starts once every model it reads is built, the longest chain of readers first. A temp model and every
   * model reading one build on the first connection (a temp table is its connection's). A run passes one.
   */
  workers?: DuckDBConnection[];
  onProgress?: (p: ModelProgress) => void;
}

export interface ModelTiming { model: string; ms: number }

/**
 * Build every model in dependency order on `conn` (and `opts.workers`, at the same time), in its schema (a
 * run's own, or `main` in a caller's transaction): a table model as `create or replace table`, a view model
 * as `create or replace view` with `$as_of` written in as a DATE literal (a view cannot keep a bound
 * parameter), a temp model as `create or replace temp table`. A model that changed kind drops the old object of that schema first (a temp
 * model the table an earlier build wrote, so the file keeps no stale copy; a run retires `main`'s copy when it
 * publishes, run-schema.ts).
 */
export async function buildModels(conn: DuckDBConnection, models: Model[], opts: ModelRunOptions): Promise<ModelTiming[]> {
  const ordered = orderModels(models);
  const conns = [conn, ...(opts.workers ?? [])];
  // what the connection's schema holds under each name (DuckDB will not `create or replace` one kind over the other)
  const kinds = await schemaObjects(conn);
  // Inside a transaction a table just built has no size DuckDB can see, and an ASOF join whose
  // left side looks small (under asof_loop_join_threshold rows) runs as a nested loop: O(left × right),
  // minutes at 10k employees × 25 history dates. Always the sorting ASOF operator while models build.
  for (const c of conns) await exec(c, 'set asof_loop_join_threshold = 0');
  let timings: ModelTiming[];
  try {
    timings = await buildAll(conns, ordered, kinds, opts);
  } finally {
    // after a failed model the transaction is aborted and refuses even a SET: the model's error is the one
    // to report (the setting only ever chooses an operator, never an answer)
    for (const c of conns) await exec(c, 'reset asof_loop_join_threshold').catch(() => {});
  }
  opts.onProgress?.({ phase: 'models', model: '', done: ordered.length, total: ordered.length, message: `built ${ordered.length} models` });
  return timings;
}

/**
 * Build `ordered` on `conns` (one model per connection at a time): each connection takes the first model of the
 * queue whose inputs are built, the queue being the dependency order, or with more than one connection the
 * longest chain of readers first (the history models, built one after another, start early). After a
 * failure no model starts, the ones under way finish, and the failure is thrown. Timings in dependency order.
 */
async function buildAll(conns: DuckDBConnection[], ordered: Model[], kinds: Map<string, 'table' | 'view'>,
  opts: ModelRunOptions): Promise<ModelTiming[]> {
  const settings = modelParams(opts.settings);
  const names = new Set(ordered.map((m) => m.name));
  const readers = new Map<string, Model[]>();
  for (const m of ordered) for (const d of m.deps) if (names.has(d)) readers.set(d, [...(readers.get(d) ?? []), m]);
  const temps = new Set(ordered.filter((m) => m.materialized === 'temp').map((m) => m.name));
  const pinned = (m: Model) => temps.has(m.name) || m.deps.some((d) => temps.has(d));
  // the readers each temp model without .yml tests waits for before it is dropped
  const unread = new Map(ordered.filter((m) => temps.has(m.name) && !m.spec).map((m) => [m.name, readers.get(m.name)?.length ?? 0]));
  const chain = new Map<string, number>();
  const chainOf = (m: Model): number => chain.get(m.name)
    ?? chain.set(m.name, 1 + Math.max(0, ...(readers.get(m.name) ?? []).map(chainOf))).get(m.name)!;
  const queue = conns.length > 1 ? [...ordered].sort((a, b) => chainOf(b) - chainOf(a)) : [...ordered];
  const built = new Set<string>();
  const timings = new Map<string, number>();
  const failures: unknown[] = []; // the first is thrown
  const waiting = new Set<() => void>();
  const wake = () => { for (const resume of waiting) resume(); waiting.clear(); };
  const next = (first: boolean) => queue.findIndex((m) => (first || !pinned(m)) && m.deps.every((d) => !names.has(d) || built.has(d)));

  const worker = async (conn: DuckDBConnection, first: boolean) => {
    while (queue.length && !failures.length) {
      const i = next(first);
      if (i < 0) {
        await new Promise<void>((resume) => waiting.add(resume)); // until another model is built
        continue;
      }
      const [m] = queue.splice(i, 1);
      opts.onProgress?.({ phase: 'models', model: m.name, done: built.size, total: ordered.length, message: `building ${m.name}` });
      const started = performance.now();
      try {
        await buildOne(conn, m, kinds.get(m.name), boundParams(m.sql, opts, settings));
        if (opts.dropTempAfterUse) {
          for (const d of m.deps.filter((x) => unread.has(x))) {
            unread.set(d, unread.get(d)! - 1);
            if (unread.get(d) === 0) await exec(conn, `drop table if exists temp.main.${ident(d)}`);
          }
        }
      } catch (err) {
        failures.push(err instanceof ModelBuildError ? err : new ModelBuildError(m.name, m.file, err));
      }
      timings.set(m.name, Math.round(performance.now() - started));
      built.add(m.name);
      wake();
    }
    wake(); // a worker waiting for a model that will now never start stops too
  };
  await Promise.all(conns.map((c, i) => worker(c, i === 0)));
  if (failures.length) throw failures[0];
  return ordered.map((m) => ({ model: m.name, ms: timings.get(m.name)! }));
}

/** One model on `conn`, as `create or replace` of its kind (a model that changed kind drops the old object first). */
async function buildOne(conn: DuckDBConnection, m: Model, had: 'table' | 'view' | undefined,
  params: Record<string, string | number> | undefined): Promise<void> {
  try {
    if (had && had !== m.materialized) await exec(conn, `drop ${had} ${ident(m.name)}`);
    if (m.materialized === 'view') {
      let sql = m.sql;
      for (const [k, v] of Object.entries(params ?? {})) {
        sql = sql.replace(new RegExp(`\\$${k}\\b`, 'gi'), typeof v === 'number' ? String(v) : asOfLiteral(v));
      }
      await exec(conn, `create or replace view ${ident(m.name)} as ${sql}\n`);
    } else if (m.enumColumns.length) {
      await buildWithEnums(conn, m, params);
    } else {
      await exec(conn, `create or replace ${m.materialized === 'temp' ? 'temp ' : ''}table ${ident(m.name)} as ${m.sql}\n`, params);
    }
  } catch (err) {
    throw new ModelBuildError(m.name, m.file, err);
  }
}

/**
 * Drop the temp models' tables from the connection (a run does, once its models, tests and backtest are done:
 * they would otherwise hold their rows in memory as long as the connection lives). Never touches `main`.
 */
export async function dropTempModels(conn: DuckDBConnection, models: Model[]): Promise<void> {
  for (const m of models) if (m.materialized === 'temp') await exec(conn, `drop table if exists temp.main.${ident(m.name)}`);
}

export const DEFAULT_HISTORY_MONTHS = 24;

/** The parameters a model's SQL names, with their values; undefined when it names none. */
function boundParams(sql: string, opts: ModelRunOptions, settings: Record<string, number>): Record<string, string | number> | undefined {
  const out: Record<string, string | number> = {};
  // the settings (risk weights, backtest horizon) a model reads
  for (const [k, v] of Object.entries(settings)) if (new RegExp(`\\$${k}\\b`, 'i').test(sql)) out[k] = v;
  if (/\$as_of\b/i.test(sql)) out.as_of = opts.asOf;
  if (/\$run_as_of\b/i.test(sql)) out.run_as_of = opts.runAsOf ?? opts.asOf;
  if (/\$history_months\b/i.test(sql)) {
    const n = opts.historyMonths ?? DEFAULT_HISTORY_MONTHS;
    if (!Number.isInteger(n) || n < 0) throw new Error(`history months must be a whole number ≥ 0, got ${n}`);
    out.history_months = n;
  }
  return Object.keys(out).length ? out : undefined;
}

/**
 * A table model with ENUM columns: its rows into a temporary table, one ENUM type per column from that
 * column's distinct values (sorted, so ENUM order is text order; a column with none stays text), the table as a copy with those columns cast
 * (a single-table read keeps the rows' order), then the types dropped: the table keeps its own copy of each
 * type, so no named type outlives the build. All in the caller's transaction. Only catalog names enter SQL.
 */
async function buildWithEnums(conn: DuckDBConnection, m: Model, params: Record<string, string | number> | undefined): Promise<void> {
  const rows = ident(`_build_${m.name}`);
  await exec(conn, `create or replace temp table ${rows} as ${m.sql}\n`, params);
  // DuckDB cannot sort by an ENUM of no values: a column with no value (an empty org) stays text.
  const counts = await one(conn, `select ${m.enumColumns.map((c, i) => `count(${ident(c)})::int as n${i}`).join(', ')} from ${rows}`);
  const types = m.enumColumns.filter((_, i) => Number(counts?.[`n${i}`]) > 0)
    // in `main`: DuckDB 1.5 cannot replay a WAL whose table uses a named type of another schema (a run's own,
    // run-schema.ts) and refuses to open the file; the type lives only for this build
    .map((c) => ({ column: ident(c), type: `main.${ident(`_enum_${m.name}_${c}`)}` }));
  for (const t of types) {
    await exec(conn, `create or replace type ${t.type} as enum (select distinct ${t.column} from ${rows} where ${t.column} is not null order by all)`);
  }
  const replaced = types.length ? ` replace (${types.map((t) => `${t.column}::${t.type} as ${t.column}`).join(', ')})` : '';
  await exec(conn, `create or replace table ${ident(m.name)} as select *${replaced} from ${rows}`);
  for (const t of types) await exec(conn, `drop type ${t.type}`);
  await exec(conn, `drop table ${rows}`);
}


/** `$as_of` as a DATE literal for a view's text; only a plain YYYY-MM-DD is accepted. */
function asOfLiteral(asOf: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf)) throw new Error(`as_of must be YYYY-MM-DD, got ${JSON.stringify(asOf)}`);
  return `date '${asOf}'`;
}


/** Discover, build (on one connection) and test. A run builds on two and tests beside its backtest (run.ts buildResults). */
export async function runModels(conn: DuckDBConnection, opts: ModelRunOptions & { sqlDir?: string; models?: Model[] }) {
  const models = opts.models ?? discoverModels(opts.sqlDir);
  const timings = await buildModels(conn, models, opts);
  const tests = await testModels(conn, models, opts);
  return { models: timings, tests };
}
