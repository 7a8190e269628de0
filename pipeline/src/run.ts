// One pipeline run: inbox files → hash → skip known → mapped files → in the run's own schema: ingest → models →
// model tests → backtest; then BEGIN → publish (main's names become views onto it) → run_files/loaded_files →
// COMMIT → archive/refuse the files → CHECKPOINT (run-schema.ts). All or nothing: any failure publishes
// nothing and drops the run's schema, the `runs` row says why, and the previous good results keep serving.
// runLocked is the steps in order: startRun, readInbox, (unchanged → settleUnchanged), ingestFresh,
// buildResults (models, tests, backtest), commitRun, settleCommitted + checkpoint; failRun on any throw.
// The inbox's files (list, hash, archive/refuse): run-files.ts; the run's own rows: run-record.ts.
import type { DuckDBConnection } from '@duckdb/node-api';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { defaultMappingsDir } from './config.ts';
import { all, exec, one, type Db } from './db.ts';
import { buildModels, DEFAULT_HISTORY_MONTHS, dropTempModels, type AfterTask, type ModelProgress, type ModelTiming } from './model-build.ts';
import { discoverModels, modelsFingerprint, type Model } from './models.ts';
import { modelTester } from './model-tests.ts';
import type { ModelSettings } from './model-settings.ts';
import { BACKTEST_MARTS, BACKTEST_READS, buildBacktest, MIN_EXITS, TOO_FEW_EXITS } from './backtest/marts.ts';
import { recordRunHistory } from './run-history.ts';
import { dropUnpublished, enterRunSchema, joinRunSchema, leaveRunSchema, publishRunSchema } from './run-schema.ts';
import { committedStatus, SERVING_STATUS_SQL, type RunStatus } from './run-outcome.ts';
import { countDanglingEventRows, danglingNote } from './dangling.ts';
import { factorsOffText, readFactorsOff } from './factors-off.ts';
import { defaultIngest, type FileResult, type Ingest, type IngestResult, type InboxFile } from './ingest-link.ts';
import { prepareMappedFiles, type PreparedMappedFiles } from './mapping/load-mapped.ts';
import type { MappingLimits } from './mapping/limits.ts';
import { resolveMappedFiles } from './mapping/resolve.ts';
import { countResults, freshFiles, hashInbox, inboxProblem, settleFiles, type RunCounts } from './run-files.ts';
import {
  appendRejects, historyFallbackNote, insertLoadedFiles, loadedContents, recordNotes, insertRunFiles, readRejects, ts, type RejectRow,
} from './run-record.ts';

export { fileOutcomes, listInbox, sha256File } from './run-files.ts';
export { recentRuns } from './run-record.ts';
export type { RunCounts };

export type Trigger = 'cli' | 'schedule' | 'api' | 'demo';
export type { RunStatus };
export type Phase = 'read' | 'validate' | 'models' | 'tests' | 'commit';

export interface ProgressEvent {
  runId: number;
  phase: Phase;
  dataset?: string;
  model?: string;
  done: number;
  total: number;
  message: string;
}

export interface RunOptions {
  inbox: string;
  /**
   * Column mappings (docs/mappings.md): inbox files whose name matches a mapping's pattern are read
   * through it. Default: `mappings` beside the inbox (config.ts `mappingsDirFor`).
   */
  mappingsDir?: string;
  /** Size and time limits of mapping expressions (a `Config` will do; default: limits.ts). */
  mappingLimits?: Partial<MappingLimits>;
  /** YYYY-MM-DD; the models' `$as_of`. */
  asOf: string;
  /** Risk weights and backtest horizon (a `Config` will do; default the spec's: model-settings.ts). */
  settings?: Partial<ModelSettings>;
  /** Month-ends before as_of in the history tables (`$history_months`, sql/history); default 24, 0 = as_of only. */
  historyMonths?: number;
  trigger: Trigger;
  maxRejectsPerFile?: number;
  onProgress?: (e: ProgressEvent) => void;
  /** Folder of the models (default: the repo's sql/). */
  sqlDir?: string;
  /** Wall clock for the runs table's timestamps (never seen by models). */
  clock?: () => Date;
  /** The ingest module (default: pipeline/src/ingest). */
  ingest?: Ingest;
}

export interface RunSummary {
  runId: number;
  status: Exclude<RunStatus, 'running'>;
  asOf: string;
  trigger: Trigger;
  files: FileResult[];
  counts: RunCounts;
  models: number;
  tests: number;
  /** Milliseconds each SQL model took to build (two build at a time: they overlap). */
  modelTimings: ModelTiming[];
  /** Milliseconds per phase. */
  timings: Record<'hash' | 'ingest' | 'models' | 'commit' | 'archive' | 'total', number>;
  error: string | null;
  /** Human-readable notes, e.g. "2 files already loaded, skipped". */
  notes: string[];
}

/** A run was asked for while another one is going in this process. */
export class RunInProgressError extends Error {
  constructor(readonly runningRunId: number | null) {
    super(`a pipeline run${runningRunId ? ` (run ${runningRunId})` : ''} is already in progress; wait for it to finish`);
    this.name = 'RunInProgressError';
  }
}

let current: { runId: number | null } | null = null;

/** The run going on in this process, if any. */
export function runningRun(): { runId: number | null } | null {
  return current ? { ...current } : null;
}

// ---------------------------------------------------------------------------------------------

/**
 * Run the pipeline once. Refuses (RunInProgressError) while another run is going in this process.
 * Never throws for a failed run: the summary says `failed` with the error, and so does `runs`.
 */
export async function runPipeline(db: Db, opts: RunOptions): Promise<RunSummary> {
  if (current) throw new RunInProgressError(current.runId);
  const me = { runId: null as number | null };
  current = me;
  try {
    return await runLocked(db, opts, me);
  } finally {
    current = null;
  }
}

/** One run's state as its steps go: the connection, what became of the files, what was built, the notes. */
interface Run {
  db: Db;
  conn: DuckDBConnection;
  opts: RunOptions;
  runId: number;
  clock: () => Date;
  started: number;
  timings: RunSummary['timings'];
  notes: string[];
  /** Size and time of each inbox file when hashed, by name (settleFiles moves only a file still the same). */
  stamps: Map<string, string>;
  progress: (e: Omit<ProgressEvent, 'runId'>) => void;
  results: FileResult[];
  modelCount: number;
  modelTimings: ModelTiming[];
  testCount: number;
  /** The schema the run loads and builds in (run-schema.ts), once entered. */
  schema: string | null;
  /** The publishing transaction is open. */
  inTransaction: boolean;
  // Mapped files read into temp tables before ingest.
  prepared: PreparedMappedFiles | null;
}

/** The models a run builds, with what they are built with and the fingerprint of it all. */
interface ModelPlan {
  models: Model[];
  settings: Partial<ModelSettings>;
  historyMonths: number;
  fingerprint: string;
  /** The serving results were built by these same models (with `servingAsOf` and no new file: nothing to rebuild). */
  sameModels: boolean;
  /** The serving results' as-of date; null before the first good run. */
  servingAsOf: string | null;
}

async function runLocked(db: Db, opts: RunOptions, me: { runId: number | null }): Promise<RunSummary> {
  const run = await startRun(db, opts, me);
  try {
    let t = performance.now();
    const { fresh, skipped } = await readInbox(run);
    t = lap(run, 'hash', t);
    const plan = await planModels(run);
    if (unchanged(run, fresh, plan)) return await settleUnchanged(run, skipped, plan);
    await ingestFresh(run, fresh, skipped);
    t = lap(run, 'ingest', t);
    await buildResults(run, plan);
    t = lap(run, 'models', t); // with the backtest
    const status = await commitRun(run, plan);
    t = lap(run, 'commit', t);
    settleCommitted(run);
    await checkpoint(run);
    lap(run, 'archive', t);
    const refused = run.results.filter((r) => r.status === 'refused');
    if (refused.length) run.notes.push(`${refused.length} file${refused.length === 1 ? '' : 's'} refused, moved to ${path.join(opts.inbox, 'refused')}`);
    return await finish(run, status, null, { models: plan.fingerprint });
  } catch (err) {
    return await failRun(run, err);
  } finally {
    run.conn.closeSync(); // with its temp tables and its search path
  }
}

/** A phase's milliseconds since `since`; the time now, to time the next one from. */
function lap(run: Run, key: keyof RunSummary['timings'], since: number): number {
  run.timings[key] = Math.round(performance.now() - since);
  return performance.now();
}

/** Connect, make sure the source tables exist, close out a run a dead process left, and insert this run's `runs` row. */
async function startRun(db: Db, opts: RunOptions, me: { runId: number | null }): Promise<Run> {
  const clock = opts.clock ?? (() => new Date());
  const started = performance.now();
  const conn = await db.connect();
  const ingest = opts.ingest ?? defaultIngest;
  await ingest.ensureSourceTables(conn);
  // A run that was going when its process died is not going any more.
  await exec(conn, "update runs set status = 'failed', error = 'interrupted (the process stopped during the run)', finished_at = $now::timestamp where status = 'running'",
    { now: ts(clock()) });
  // what a failed or interrupted run built, and what later runs replaced
  await dropUnpublished(conn);
  const runId = Number((await one<{ id: number }>(conn, 'select coalesce(max(run_id), 0)::int + 1 as id from runs'))!.id);
  me.runId = runId;
  await exec(conn, `insert into runs (run_id, started_at, as_of, trigger, status) values ($run_id, $started::timestamp, $as_of::date, $trigger, 'running')`,
    { run_id: runId, started: ts(clock()), as_of: opts.asOf, trigger: opts.trigger });
  return {
    db, conn, opts, runId, clock, started,
    timings: { hash: 0, ingest: 0, models: 0, commit: 0, archive: 0, total: 0 },
    notes: [],
    stamps: new Map(),
    progress: (e) => opts.onProgress?.({ runId, ...e }),
    results: [], modelCount: 0, modelTimings: [], testCount: 0, schema: null, inTransaction: false, prepared: null,
  };
}

/** The run's end: its `runs` row says how it went, and the summary. */
async function finish(run: Run, status: RunSummary['status'], error: string | null, extra: { models?: string } = {}): Promise<RunSummary> {
  await exec(run.conn, `update runs set status = $status, error = $error, finished_at = $now::timestamp,
      models_sha256 = coalesce($models, models_sha256) where run_id = $run_id`,
  { status, error, now: ts(run.clock()), models: extra.models ?? null, run_id: run.runId });
  await recordNotes(run.conn, run.runId, run.notes);
  run.timings.total = Math.round(performance.now() - run.started);
  const { runId, opts, results, modelCount: models, modelTimings, testCount: tests, timings, notes } = run;
  return { runId, status, asOf: opts.asOf, trigger: opts.trigger, files: results, counts: countResults(results), models, tests, modelTimings, timings, error, notes } satisfies RunSummary;
}

/** read: list and hash the inbox's files; those already loaded (or repeated in this drop) are skipped. */
async function readInbox(run: Run): Promise<{ fresh: InboxFile[]; skipped: FileResult[] }> {
  const problem = inboxProblem(run.opts.inbox);
  if (problem) run.notes.push(`${problem}: no files to load`);
  const { files, writing } = await hashInbox(run.opts.inbox, (i, total, name) => run.progress({ phase: 'read', done: i, total, message: `hashing ${name}` }));
  if (writing.length) {
    run.notes.push(`${writing.length} file${writing.length === 1 ? '' : 's'} still being written (a name such as .filepart or .part, `
      + `or a size that changed while it was read), left in the inbox for the next run: ${writing.join(', ')}`);
  }
  run.stamps = new Map(files.map((f) => [f.name, f.stamp]));
  const loaded = await loadedContents(run.conn);
  let { fresh, skipped } = freshFiles(files, new Set(loaded.map((l) => l.sha256)));
  // A file some of whose rows were rejected (or links emptied) for want of a row they refer to is loaded
  // again when the data may now hold that row: a later run loaded files, or this drop brings new ones (the
  // employees file fixed and dropped again with the check-ins its first refusal left without owners).
  const lastLoad = Math.max(0, ...loaded.map((l) => l.run_id));
  const recheck = new Set(loaded.filter((l) => l.unresolved && (l.run_id < lastLoad || fresh.length > 0)).map((l) => l.sha256));
  if (recheck.size) ({ fresh, skipped } = freshFiles(files, new Set(loaded.filter((l) => !recheck.has(l.sha256)).map((l) => l.sha256))));
  const rechecked = fresh.filter((f) => recheck.has(f.sha256)).map((f) => f.name);
  if (rechecked.length) {
    run.notes.push(`${rechecked.length} file${rechecked.length === 1 ? '' : 's'} loaded before with rows whose references were missing, `
      + `checked again against the data now loaded: ${rechecked.join(', ')}`);
  }
  if (skipped.length) run.notes.push(`${skipped.length} file${skipped.length === 1 ? '' : 's'} already loaded, skipped: ${skipped.map((s) => s.file).join(', ')}`);
  return { fresh, skipped };
}

async function planModels(run: Run): Promise<ModelPlan> {
  const { opts } = run;
  const models = discoverModels(opts.sqlDir);
  const settings = { riskWeights: opts.settings?.riskWeights, backtestHorizonMonths: opts.settings?.backtestHorizonMonths };
  // the history depth is part of what the models built: a run with another one rebuilds
  const historyMonths = opts.historyMonths ?? DEFAULT_HISTORY_MONTHS;
  const fingerprint = historyMonths === DEFAULT_HISTORY_MONTHS ? modelsFingerprint(models, settings)
    : createHash('sha256').update(`${modelsFingerprint(models, settings)}\0history_months=${historyMonths}`).digest('hex');
  const serving = await one<{ as_of: string; models_sha256: string | null }>(run.conn,
    `select strftime(as_of, '%Y-%m-%d') as as_of, models_sha256 from runs where ${SERVING_STATUS_SQL} order by run_id desc limit 1`);
  return { models, settings, historyMonths, fingerprint, sameModels: serving?.models_sha256 === fingerprint, servingAsOf: serving?.as_of ?? null };
}

/** No new file, the same as-of date and the same models as the results serving: nothing to rebuild. */
function unchanged(run: Run, fresh: InboxFile[], plan: ModelPlan): boolean {
  return fresh.length === 0 && plan.sameModels && plan.servingAsOf === run.opts.asOf;
}

async function settleUnchanged(run: Run, skipped: FileResult[], plan: ModelPlan): Promise<RunSummary> {
  run.results = skipped;
  await insertRunFiles(run.conn, run.runId, run.results);
  run.notes.push('no new files and the same as-of date: the models are unchanged, nothing rebuilt');
  const t = performance.now();
  run.notes.push(...settleFiles(run.opts.inbox, run.runId, run.results, run.stamps));
  lap(run, 'archive', t);
  return finish(run, 'no_change', null, { models: plan.fingerprint });
}

/**
 * ingest: read mapped files into temp tables, enter the run's schema, load every fresh file, and note
 * what became of each file (`run.results`, with the skipped ones).
 */
async function ingestFresh(run: Run, fresh: InboxFile[], skipped: FileResult[]): Promise<void> {
  const { conn, opts, runId, progress } = run;
  const ingest = opts.ingest ?? defaultIngest;
  // Which fresh files a configured mapping reads (a broken mapping file fails the run: better than
  // loading files the wrong way); files two mappings claim are refused.
  const mappingsDir = opts.mappingsDir ?? defaultMappingsDir(opts.inbox);
  const resolved = fresh.length ? resolveMappedFiles(fresh, mappingsDir) : { mapped: [], unmapped: [], ambiguous: [] };
  const byName = new Map(fresh.map((f) => [f.name, f]));
  const refusedHere: { file: string; dataset: string | null; status: 'refused'; reason: string; mapping: string | null }[] =
    resolved.ambiguous.map((a) => ({ file: a.file.name, dataset: null, status: 'refused', reason: a.reason, mapping: null }));

  // Mapped files are read into temp tables before the transaction: an expression that fails on the
  // data (or is stopped at its time limit) refuses its file, and would abort a transaction.
  if (resolved.mapped.length) {
    progress({ phase: 'read', done: 0, total: fresh.length, message: `reading ${resolved.mapped.length} file${resolved.mapped.length === 1 ? '' : 's'} through mappings` });
    run.prepared = await prepareMappedFiles(conn, resolved.mapped, opts.mappingLimits);
    for (const r of run.prepared.refused) refusedHere.push({ file: r.file, dataset: r.dataset, status: 'refused', reason: r.reason ?? 'refused', mapping: r.mapping });
  }
  const prepared = run.prepared;
  run.schema = await enterRunSchema(conn, runId);
  const inputs = [...resolved.unmapped, ...(prepared?.inputs ?? [])];
  let step = 0;
  // with a helper connection: the datasets nothing references load two at a time (bench/README.md "Session 14")
  const answered: IngestResult[] = inputs.length
    ? await withHelper(run, (helper) => ingest.loadFiles(conn, inputs, {
      runId, maxRejectsPerFile: opts.maxRejectsPerFile, mappingsDir, workers: [helper],
      onProgress: (e) => progress({ phase: e.phase, dataset: e.dataset, done: e.phase === 'read' ? step++ : Math.max(0, step - 1), total: fresh.length, message: e.message }),
    }))
    : [];
  await prepared?.drop();
  const mappingOf = (file: string) => prepared?.mappingOf.get(file) ?? null;
  const loaded: FileResult[] = [...answered, ...refusedHere].map((r) => ({
    file: r.file, dataset: r.dataset, sha256: byName.get(r.file)?.sha256 ?? null, status: r.status,
    rowsRead: 'rowsRead' in r ? r.rowsRead : 0, rowsLoaded: 'rowsLoaded' in r ? r.rowsLoaded : 0,
    rowsRejected: 'rowsRejected' in r ? r.rowsRejected : 0, rowsWarned: 'rowsWarned' in r ? r.rowsWarned : 0,
    reason: r.reason ?? null, mapping: 'mapping' in r ? r.mapping : mappingOf(r.file),
  }));
  run.results = [...loaded, ...skipped].sort((a, b) => Buffer.compare(Buffer.from(a.file), Buffer.from(b.file)));
}

/** `fn` with a second connection of the run's database, in the run's schema, closed after it. */
async function withHelper<T>(run: Run, fn: (helper: DuckDBConnection) => Promise<T>): Promise<T> {
  const helper = await run.db.connect();
  try {
    await joinRunSchema(helper, run.schema!);
    return await fn(helper);
  } finally {
    helper.closeSync();
  }
}

/**
 * models: build the SQL models on two connections in the run's schema (the run's own and a helper: about an
 * eighth faster at 100k, bench/README.md "Session 9"), each model's tests and the risk backtest's marts
 * starting on either as soon as what they read is built (bench/README.md "Session 16").
 */
async function buildResults(run: Run, plan: ModelPlan): Promise<void> {
  const { conn, opts, progress } = run;
  const onProgress = (p: ModelProgress) => progress({ phase: p.phase, model: p.model || undefined, done: p.done, total: p.total, message: p.message });
  // each model's tests and the risk backtest's marts (TypeScript, the logistic fit, over the history tables)
  // start as soon as what they read is built, when no model is ready to start: the backtest first (the
  // longer), the tests filling what is left
  const tester = modelTester(plan.models, { onProgress });
  let backtest = null as Awaited<ReturnType<typeof buildBacktest>>; // set by its task
  const after: AfterTask[] = [
    { name: 'risk_backtest', reads: BACKTEST_READS, message: 'backtesting the risk score', run: async (c: DuckDBConnection) => {
      backtest = await buildBacktest(c, { asOf: opts.asOf, settings: plan.settings });
    } },
    ...tester.tested.map((m) => ({ name: `tests of ${m.name}`, reads: tester.reads(m), run: (c: DuckDBConnection) => tester.test(c, m) })),
  ];
  await withHelper(run, async (helper) => {
    run.modelTimings = await buildModels(conn, plan.models, {
      asOf: opts.asOf, settings: plan.settings, historyMonths: plan.historyMonths, dropTempAfterUse: true, workers: [helper], after, onProgress,
    });
  });
  run.modelCount = run.modelTimings.length;
  run.testCount = tester.finish();
  if (backtest) {
    run.modelCount += BACKTEST_MARTS.length;
    run.testCount += backtest.tests;
    if (backtest.evaluableDates > 0 && backtest.exits < MIN_EXITS) {
      const { exits, evaluableDates } = backtest;
      run.notes.push(`risk backtest: ${exits} voluntary exit${exits === 1 ? '' : 's'} over ${evaluableDates} evaluable date${evaluableDates === 1 ? '' : 's'}: ${TOO_FEW_EXITS}`);
    }
  }
  // the temp models (intermediates nothing reads after the run) leave with the run: never in the file
  await dropTempModels(conn, plan.models);
}

/** commit: the run's history row and notes, its files, its status, then COMMIT; the status committed. */
async function commitRun(run: Run, plan: ModelPlan): Promise<ReturnType<typeof committedStatus>> {
  const { conn, opts, runId, notes, results } = run;
  run.progress({ phase: 'commit', done: 0, total: 1, message: 'committing' });
  await exec(conn, 'begin transaction');
  run.inTransaction = true;
  await publishRunSchema(conn, run.schema!, plan.models.filter((m) => m.materialized === 'temp').map((m) => m.name));
  await recordRunHistory(conn, runId, opts.asOf);
  const dangling = danglingNote(await countDanglingEventRows(conn));
  if (dangling) notes.push(dangling);
  const filled = await historyFallbackNote(conn);
  if (filled) notes.push(filled);
  const factorsOff = factorsOffText(await readFactorsOff(conn));
  if (factorsOff) notes.push(`retention scores leave out ${factorsOff}`);
  await insertRunFiles(conn, runId, results);
  await insertLoadedFiles(conn, runId, results, run.clock);
  // The run's status commits with its data: a process killed between COMMIT and the end of the run
  // leaves a succeeded run (not one marked interrupted whose data serves); its files still in the
  // inbox are then skipped by hash and archived by the next run.
  const status = committedStatus(results);
  await exec(conn, `update runs set status = $status, finished_at = $now::timestamp, models_sha256 = $models where run_id = $run_id`,
    { status, now: ts(run.clock()), models: plan.fingerprint, run_id: runId });
  await exec(conn, 'commit');
  run.inTransaction = false;
  await leaveRunSchema(conn);
  run.schema = null;
  try {
    await dropUnpublished(conn);
  } catch (err) {
    // committed all the same; the next run drops them
    notes.push(`the replaced results are left for the next run to drop: ${(err as Error).message.split('\n')[0]}`);
  }
  run.progress({ phase: 'commit', done: 1, total: 1, message: 'committed' });
  return status;
}

/** archive: move the committed run's files to archive/<run_id>/ or refused/. */
function settleCommitted(run: Run): void {
  run.notes.push(...settleFiles(run.opts.inbox, run.runId, run.results, run.stamps));
}

async function checkpoint(run: Run): Promise<void> {
  try {
    await exec(run.conn, 'checkpoint');
  } catch (err) {
    // readers (the dashboard) may hold the database open; DuckDB checkpoints later on its own
    run.notes.push(`checkpoint postponed: ${(err as Error).message.split('\n')[0]}`);
  }
}

/**
 * A step threw: roll back what publishing began, keep the run's rejects (from its schema: they explain the data),
 * drop the schema, record the run's files and rejects, and say `failed` with the error.
 */
async function failRun(run: Run, err: unknown): Promise<RunSummary> {
  const { conn, notes } = run;
  const message = err instanceof Error ? err.message : String(err);
  if (run.inTransaction) {
    try {
      await exec(conn, 'rollback');
    } catch (rb) {
      notes.push(`rollback: ${(rb as Error).message}`);
    }
  }
  let rejects: RejectRow[] = [];
  if (run.schema) {
    try {
      rejects = await readRejects(conn, run.runId);
    } catch (inner) {
      notes.push(`the rejects of this run could not be read: ${(inner as Error).message.split('\n')[0]}`);
    }
    try {
      await leaveRunSchema(conn);
      await dropUnpublished(conn);
    } catch (inner) {
      notes.push(`the failed run's schema ${run.schema} is left for the next run to drop: ${(inner as Error).message.split('\n')[0]}`);
    }
  }
  await run.prepared?.drop().catch(() => {});
  try {
    await insertRunFiles(conn, run.runId, run.results);
    if (rejects.length) await appendRejects(conn, run.runId, rejects);
  } catch (inner) {
    notes.push(`could not record the files of the failed run: ${(inner as Error).message}`);
  }
  return finish(run, 'failed', message);
}

export type { FileResult, InboxFile, Ingest, Model };
