// Building the models (models.ts reads them): each as `create or replace table|view|temp table <stem> as <sql>`
// with `$as_of` and the settings bound, in dependency order, on the caller's connection and, in a run, a
// second one at the same time. It runs in the connection's schema (a run's own, run-schema.ts, or `main`).
import type { DuckDBConnection } from '@duckdb/node-api';
import { exec, ident, one, schemaObjects } from './db.ts';
import { modelParams, type ModelSettings } from './model-settings.ts';
import { testModels } from './model-tests.ts';
import { discoverModels, orderModels, type Model } from './models.ts';

/** A model's SQL failed in DuckDB. */
export class ModelBuildError extends Error {
  constructor(readonly model: string, readonly file: string, readonly cause: unknown) {
    super(`model ${model} (${file}) failed: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'ModelBuildError';
  }
}

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
  /**
   * Work that reads models (a model's tests, the risk backtest), on the same connections: each starts once the
   * models it reads are built, when no model is ready to start (on the first connection if it reads a temp
   * model). Models go on building after one fails its tests; an error thrown stops the build as a model's would.
   */
  after?: AfterTask[];
  onProgress?: (p: ModelProgress) => void;
}

/** Work that reads models: `reads` the tables it needs built; `message` its progress event (phase models) as it starts. */
export interface AfterTask { name: string; reads: string[]; message?: string; run: (conn: DuckDBConnection) => Promise<void> }

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
 * longest chain of readers first (the history models, built one after another, start early); then the
 * `after` tasks, as their models are built. After a failure nothing starts, the ones under way finish, and the
 * failure is thrown. Timings of the models in dependency order.
 */
async function buildAll(conns: DuckDBConnection[], ordered: Model[], kinds: Map<string, 'table' | 'view'>,
  opts: ModelRunOptions): Promise<ModelTiming[]> {
  const settings = modelParams(opts.settings);
  const names = new Set(ordered.map((m) => m.name));
  const readers = new Map<string, Model[]>();
  for (const m of ordered) for (const d of m.deps) if (names.has(d)) readers.set(d, [...(readers.get(d) ?? []), m]);
  const temps = new Set(ordered.filter((m) => m.materialized === 'temp').map((m) => m.name));
  // a temp table is its connection's: what builds or reads one runs on the first connection
  const readsTemp = (names: string[]) => names.some((d) => temps.has(d));
  // the readers each temp model without .yml tests waits for before it is dropped
  const unread = new Map(ordered.filter((m) => temps.has(m.name) && !m.spec).map((m) => [m.name, readers.get(m.name)?.length ?? 0]));
  const chain = new Map<string, number>();
  const chainOf = (m: Model): number => chain.get(m.name)
    ?? chain.set(m.name, 1 + Math.max(0, ...(readers.get(m.name) ?? []).map(chainOf))).get(m.name)!;
  const timings = new Map<string, number>();
  const built = new Set<string>();
  const build = (m: Model) => async (conn: DuckDBConnection) => {
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
    } finally {
      timings.set(m.name, Math.round(performance.now() - started));
    }
  };
  interface Job { name: string; deps: string[]; pinned: boolean; run: (conn: DuckDBConnection) => Promise<void>; model?: Model }
  const models: Job[] = (conns.length > 1 ? [...ordered].sort((a, b) => chainOf(b) - chainOf(a)) : ordered).map((m) => ({
    name: m.name, deps: m.deps, model: m, run: build(m), pinned: temps.has(m.name) || readsTemp(m.deps),
  }));
  const tasks: Job[] = (opts.after ?? []).map((t) => ({
    name: t.name, deps: t.reads, pinned: readsTemp(t.reads),
    run: (conn) => {
      if (t.message) opts.onProgress?.({ phase: 'models', model: t.name, done: built.size, total: ordered.length, message: t.message });
      return t.run(conn);
    },
  }));
  const queue: Job[] = [...models, ...tasks];
  const failures: unknown[] = []; // the first is thrown
  const waiting = new Set<() => void>();
  const wake = () => { for (const resume of waiting) resume(); waiting.clear(); };
  const next = (first: boolean) => queue.findIndex((j) => (first || !j.pinned) && j.deps.every((d) => !names.has(d) || built.has(d)));

  const worker = async (conn: DuckDBConnection, first: boolean) => {
    while (queue.length && !failures.length) {
      const i = next(first);
      if (i < 0) {
        await new Promise<void>((resume) => waiting.add(resume)); // until another model is built
        continue;
      }
      const [job] = queue.splice(i, 1);
      try {
        await job.run(conn);
      } catch (err) {
        failures.push(!job.model || err instanceof ModelBuildError ? err : new ModelBuildError(job.model.name, job.model.file, err));
      }
      if (job.model) built.add(job.name);
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
