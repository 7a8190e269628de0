// One pipeline run: inbox files → hash → skip known → mapped files → BEGIN → ingest → models → model tests →
// run_files/loaded_files → COMMIT → archive/refuse the files → CHECKPOINT. All or nothing: any
// failure rolls back, the `runs` row says why, and the previous good results keep serving.
import type { DuckDBConnection } from '@duckdb/node-api';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { defaultMappingsDir } from './config.ts';
import { datasetForFile, type DatasetName } from './datasets.ts';
import { all, exec, one, tableExists, type Db } from './db.ts';
import { DEFAULT_HISTORY_MONTHS, discoverModels, modelsFingerprint, runModels, type Model } from './models.ts';
import type { ModelSettings } from './model-settings.ts';
import { BACKTEST_MARTS, buildBacktest, MIN_EXITS, TOO_FEW_EXITS } from './backtest/marts.ts';
import { recordRunHistory } from './run-history.ts';
import { committedStatus, SERVING_STATUS_SQL, type RunStatus } from './run-outcome.ts';
import { countDanglingEventRows, danglingNote } from './dangling.ts';
import { factorsOffText, readFactorsOff } from './factors-off.ts';
import { defaultIngest, type FileResult, type Ingest, type InboxFile } from './ingest-link.ts';
import { prepareMappedFiles, type PreparedMappedFiles } from './mapping/load-mapped.ts';
import type { MappingLimits } from './mapping/limits.ts';
import { resolveMappedFiles } from './mapping/resolve.ts';

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

export interface RunCounts {
  files: number;
  loaded: number;
  skipped: number;
  refused: number;
  superseded: number;
  rowsRead: number;
  rowsLoaded: number;
  rowsRejected: number;
  rowsWarned: number;
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
 * The files directly in the inbox (not subfolders, not dotfiles such as uploads in progress), in byte
 * order of name. Every one is considered: a file that is neither CSV nor Parquet (an `.xlsx` dropped by
 * mistake) is refused with a reason rather than silently left lying there.
 */
export function listInbox(inbox: string): string[] {
  if (!fs.existsSync(inbox)) return [];
  return fs.readdirSync(inbox, { withFileTypes: true })
    .filter((e) => e.isFile() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

export async function sha256File(file: string): Promise<string> {
  // plain reads into one 4 MB buffer: about half the time of a read stream piped into the hash
  const hash = createHash('sha256');
  const fh = await fs.promises.open(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(4 << 20);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      hash.update(buf.subarray(0, bytesRead));
    }
  } finally {
    await fh.close();
  }
  return hash.digest('hex');
}

const ts = (d: Date) => d.toISOString().replace('T', ' ').replace('Z', '');

function emptyCounts(): RunCounts {
  return { files: 0, loaded: 0, skipped: 0, refused: 0, superseded: 0, rowsRead: 0, rowsLoaded: 0, rowsRejected: 0, rowsWarned: 0 };
}

/**
 * What became of each file: a mapped file has one result per dataset it feeds; it counts as loaded
 * when any of them loaded, refused when all were refused.
 */
export function fileOutcomes(results: FileResult[]): Map<string, { status: FileResult['status']; reasons: string[] }> {
  const out = new Map<string, { status: FileResult['status']; reasons: string[] }>();
  const rank: Record<FileResult['status'], number> = { loaded: 0, superseded: 1, skipped: 2, refused: 3 };
  for (const r of results) {
    const seen = out.get(r.file);
    const reasons = [...(seen?.reasons ?? []), ...(r.reason ? [r.reason] : [])];
    out.set(r.file, { status: seen && rank[seen.status] < rank[r.status] ? seen.status : r.status, reasons });
  }
  return out;
}

function countResults(files: FileResult[]): RunCounts {
  const c = emptyCounts();
  for (const { status } of fileOutcomes(files).values()) {
    c.files++;
    c[status]++;
  }
  for (const f of files) {
    c.rowsRead += f.rowsRead;
    c.rowsLoaded += f.rowsLoaded;
    c.rowsRejected += f.rowsRejected;
    c.rowsWarned += f.rowsWarned;
  }
  return c;
}

function skippedResult(f: InboxFile): FileResult {
  return {
    file: f.name, dataset: f.dataset, sha256: f.sha256, status: 'skipped',
    rowsRead: 0, rowsLoaded: 0, rowsRejected: 0, rowsWarned: 0, reason: 'identical content already loaded',
  };
}

async function insertRunFiles(conn: DuckDBConnection, runId: number, files: FileResult[]): Promise<void> {
  for (const f of files) {
    await exec(conn, `insert into run_files (run_id, file, dataset, sha256, status, rows_read, rows_loaded, rows_rejected, rows_warned, reason, mapping)
      values ($run_id, $file, $dataset, $sha256, $status, $rows_read, $rows_loaded, $rows_rejected, $rows_warned, $reason, $mapping)`, {
      run_id: runId, file: f.file, dataset: f.dataset ?? null, sha256: f.sha256 ?? null, status: f.status, rows_read: f.rowsRead,
      rows_loaded: f.rowsLoaded, rows_rejected: f.rowsRejected, rows_warned: f.rowsWarned, reason: f.reason ?? null,
      mapping: f.mapping ? path.basename(f.mapping) : null,
    });
  }
}

function moveFile(from: string, toDir: string, name: string): void {
  fs.mkdirSync(toDir, { recursive: true });
  const to = path.join(toDir, name);
  try {
    fs.renameSync(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    fs.copyFileSync(from, to);
    fs.unlinkSync(from);
  }
}

/** Move the files of a committed run: accepted ones to archive/<run_id>/, refused ones to refused/ with a reason. */
function settleFiles(inbox: string, runId: number, files: FileResult[]): string[] {
  const problems: string[] = [];
  for (const [file, f] of fileOutcomes(files)) {
    const from = path.join(inbox, file);
    if (!fs.existsSync(from)) continue;
    try {
      if (f.status === 'refused') {
        const dir = path.join(inbox, 'refused');
        moveFile(from, dir, file);
        fs.writeFileSync(path.join(dir, `${file}.reason.txt`), `run ${runId}: ${f.reasons.join('\n') || 'refused'}\n`);
      } else {
        moveFile(from, path.join(inbox, 'archive', String(runId)), file);
      }
    } catch (err) {
      problems.push(`could not move ${file}: ${(err as Error).message}`);
    }
  }
  return problems;
}

interface RejectRow extends Record<string, unknown> {
  file: string | null;
  dataset: string | null;
  line: number | null;
  column: string | null;
  value: string | null;
  reason: string | null;
  severity: string | null;
}

/** Write kept rejects back after a rollback (an appender, in the table's column order: there may be thousands). */
async function appendRejects(conn: DuckDBConnection, runId: number, rows: RejectRow[]): Promise<void> {
  const appender = await conn.createAppender('rejects');
  try {
    const text = (v: string | null) => (v === null ? appender.appendNull() : appender.appendVarchar(v));
    for (const r of rows) {
      appender.appendInteger(runId);
      text(r.file);
      if (r.line === null) appender.appendNull(); else appender.appendInteger(Number(r.line));
      text(r.column);
      text(r.value);
      text(r.reason);
      text(r.severity);
      text(r.dataset);
      appender.endRow();
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
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

async function runLocked(db: Db, opts: RunOptions, me: { runId: number | null }): Promise<RunSummary> {
  const clock = opts.clock ?? (() => new Date());
  const t0 = performance.now();
  const timings = { hash: 0, ingest: 0, models: 0, commit: 0, archive: 0, total: 0 };
  const lap = (key: keyof typeof timings, since: number) => { timings[key] = Math.round(performance.now() - since); return performance.now(); };
  const conn = await db.connect();
  const ingest = opts.ingest ?? defaultIngest;
  await ingest.ensureSourceTables(conn);
  // A run that was going when its process died is not going any more.
  await exec(conn, "update runs set status = 'failed', error = 'interrupted (the process stopped during the run)', finished_at = $now::timestamp where status = 'running'",
    { now: ts(clock()) });
  const runId = Number((await one<{ id: number }>(conn, 'select coalesce(max(run_id), 0)::int + 1 as id from runs'))!.id);
  me.runId = runId;
  await exec(conn, `insert into runs (run_id, started_at, as_of, trigger, status) values ($run_id, $started::timestamp, $as_of::date, $trigger, 'running')`,
    { run_id: runId, started: ts(clock()), as_of: opts.asOf, trigger: opts.trigger });
  const progress = (e: Omit<ProgressEvent, 'runId'>) => opts.onProgress?.({ runId, ...e });
  const notes: string[] = [];
  let results: FileResult[] = [];
  let modelCount = 0;
  let testCount = 0;
  let inTransaction = false;
  // This run's rejects, read as soon as ingest is done: if a later step fails, the rollback drops them
  // (and a failed statement leaves the transaction unreadable), yet they are what explains the data.
  let keptRejects: RejectRow[] | null = null;
  // Mapped files read into temp tables (before the transaction, so a rollback does not drop them).
  let prepared: PreparedMappedFiles | null = null;

  const finish = async (status: RunSummary['status'], error: string | null, extra: { models?: string } = {}) => {
    await exec(conn, `update runs set status = $status, error = $error, finished_at = $now::timestamp,
      models_sha256 = coalesce($models, models_sha256) where run_id = $run_id`,
    { status, error, now: ts(clock()), models: extra.models ?? null, run_id: runId });
    timings.total = Math.round(performance.now() - t0);
    return { runId, status, asOf: opts.asOf, trigger: opts.trigger, files: results, counts: countResults(results), models: modelCount, tests: testCount, timings, error, notes } satisfies RunSummary;
  };

  try {
    // read: list and hash
    let t = performance.now();
    const names = listInbox(opts.inbox);
    const files: InboxFile[] = [];
    for (const [i, name] of names.entries()) {
      progress({ phase: 'read', done: i, total: names.length, message: `hashing ${name}` });
      const full = path.join(opts.inbox, name);
      files.push({ path: full, name, sha256: await sha256File(full), bytes: fs.statSync(full).size, dataset: datasetForFile(name) as DatasetName | null });
    }
    const known = new Set((await all<{ sha256: string }>(conn, 'select distinct sha256 from loaded_files')).map((r) => r.sha256));
    const fresh: InboxFile[] = [];
    const skipped: FileResult[] = [];
    const seen = new Set<string>();
    for (const f of files) {
      // identical to a file already loaded, or to an earlier file of this same drop
      if (known.has(f.sha256) || seen.has(f.sha256)) skipped.push(skippedResult(f));
      else fresh.push(f);
      seen.add(f.sha256);
    }
    if (skipped.length) notes.push(`${skipped.length} file${skipped.length === 1 ? '' : 's'} already loaded, skipped: ${skipped.map((s) => s.file).join(', ')}`);
    t = lap('hash', t);

    const models = discoverModels(opts.sqlDir);
    const settings = { riskWeights: opts.settings?.riskWeights, backtestHorizonMonths: opts.settings?.backtestHorizonMonths };
    // the history depth is part of what the models built: a run with another one rebuilds
    const historyMonths = opts.historyMonths ?? DEFAULT_HISTORY_MONTHS;
    const fingerprint = historyMonths === DEFAULT_HISTORY_MONTHS ? modelsFingerprint(models, settings)
      : createHash('sha256').update(`${modelsFingerprint(models, settings)}\0history_months=${historyMonths}`).digest('hex');
    const last = await one<{ as_of: string; models_sha256: string | null }>(conn,
      `select strftime(as_of, '%Y-%m-%d') as as_of, models_sha256 from runs where ${SERVING_STATUS_SQL} order by run_id desc limit 1`);
    if (fresh.length === 0 && last && last.as_of === opts.asOf && last.models_sha256 === fingerprint) {
      results = skipped;
      await insertRunFiles(conn, runId, results);
      notes.push('no new files and the same as-of date: the models are unchanged, nothing rebuilt');
      t = performance.now();
      notes.push(...settleFiles(opts.inbox, runId, results));
      lap('archive', t);
      return await finish('no_change', null, { models: fingerprint });
    }

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
      prepared = await prepareMappedFiles(conn, resolved.mapped, opts.mappingLimits);
      for (const r of prepared.refused) refusedHere.push({ file: r.file, dataset: r.dataset, status: 'refused', reason: r.reason ?? 'refused', mapping: r.mapping });
    }
    await exec(conn, 'begin transaction');
    inTransaction = true;
    const inputs = [...resolved.unmapped, ...(prepared?.inputs ?? [])];
    let step = 0;
    const answered = inputs.length
      ? await ingest.loadFiles(conn, inputs, {
        runId, maxRejectsPerFile: opts.maxRejectsPerFile, mappingsDir,
        onProgress: (e) => progress({ phase: e.phase, dataset: e.dataset, done: e.phase === 'read' ? step++ : Math.max(0, step - 1), total: fresh.length, message: e.message }),
      })
      : [];
    await prepared?.drop();
    keptRejects = await all<RejectRow>(conn, `select file, dataset, line, "column", value, reason, severity from rejects
      where run_id = $run_id order by file, dataset, line, "column"`, { run_id: runId });
    const mappingOf = (file: string) => prepared?.mappingOf.get(file) ?? null;
    const loaded: FileResult[] = [...answered, ...refusedHere].map((r) => ({
      file: r.file, dataset: r.dataset, sha256: byName.get(r.file)?.sha256 ?? null, status: r.status,
      rowsRead: 'rowsRead' in r ? r.rowsRead : 0, rowsLoaded: 'rowsLoaded' in r ? r.rowsLoaded : 0,
      rowsRejected: 'rowsRejected' in r ? r.rowsRejected : 0, rowsWarned: 'rowsWarned' in r ? r.rowsWarned : 0,
      reason: r.reason ?? null, mapping: 'mapping' in r ? r.mapping : mappingOf(r.file),
    }));
    results = [...loaded, ...skipped].sort((a, b) => Buffer.compare(Buffer.from(a.file), Buffer.from(b.file)));
    t = lap('ingest', t);

    const built = await runModels(conn, {
      asOf: opts.asOf, models, settings, historyMonths,
      onProgress: (p) => progress({ phase: p.phase, model: p.model || undefined, done: p.done, total: p.total, message: p.message }),
    });
    modelCount = built.models.length;
    testCount = built.tests;

    // the risk backtest's marts: TypeScript (the logistic fit) after the SQL models, in the same transaction
    progress({ phase: 'models', model: 'risk_backtest', done: modelCount, total: modelCount, message: 'backtesting the risk score' });
    const backtest = await buildBacktest(conn, { asOf: opts.asOf, settings });
    if (backtest) {
      modelCount += BACKTEST_MARTS.length;
      testCount += backtest.tests;
      if (backtest.evaluableDates > 0 && backtest.exits < MIN_EXITS) {
        notes.push(`risk backtest: ${backtest.exits} voluntary exit${backtest.exits === 1 ? '' : 's'} over ${backtest.evaluableDates} evaluable date${backtest.evaluableDates === 1 ? '' : 's'}: ${TOO_FEW_EXITS}`);
      }
    }
    t = lap('models', t); // with the backtest

    progress({ phase: 'commit', done: 0, total: 1, message: 'committing' });
    await recordRunHistory(conn, runId, opts.asOf);
    const dangling = danglingNote(await countDanglingEventRows(conn));
    if (dangling) notes.push(dangling);
    const filled = await historyFallbackNote(conn);
    if (filled) notes.push(filled);
    const factorsOff = factorsOffText(await readFactorsOff(conn));
    if (factorsOff) notes.push(`retention scores leave out ${factorsOff}`);
    await insertRunFiles(conn, runId, results);
    for (const r of results.filter((x) => x.status === 'loaded')) {
      await exec(conn, 'insert into loaded_files (sha256, file, dataset, run_id, loaded_at) values ($sha256, $file, $dataset, $run_id, $at::timestamp)',
        { sha256: r.sha256, file: r.file, dataset: r.dataset, run_id: runId, at: ts(clock()) });
    }
    // The run's status commits with its data: a process killed between COMMIT and the end of the run
    // leaves a succeeded run (not one marked interrupted whose data serves); its files still in the
    // inbox are then skipped by hash and archived by the next run.
    const status = committedStatus(results);
    await exec(conn, `update runs set status = $status, finished_at = $now::timestamp, models_sha256 = $models where run_id = $run_id`,
      { status, now: ts(clock()), models: fingerprint, run_id: runId });
    await exec(conn, 'commit');
    inTransaction = false;
    progress({ phase: 'commit', done: 1, total: 1, message: 'committed' });
    t = lap('commit', t);

    notes.push(...settleFiles(opts.inbox, runId, results));
    try {
      await exec(conn, 'checkpoint');
    } catch (err) {
      // readers (the dashboard) may hold the database open; DuckDB checkpoints later on its own
      notes.push(`checkpoint postponed: ${(err as Error).message.split('\n')[0]}`);
    }
    lap('archive', t);
    const refused = results.filter((r) => r.status === 'refused');
    if (refused.length) notes.push(`${refused.length} file${refused.length === 1 ? '' : 's'} refused, moved to ${path.join(opts.inbox, 'refused')}`);
    return await finish(status, null, { models: fingerprint });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (inTransaction) {
      try {
        await exec(conn, 'rollback');
      } catch (rb) {
        notes.push(`rollback: ${(rb as Error).message}`);
      }
      // Failed during ingest: its rejects so far died with the transaction (no statement can read an
      // aborted one), so say so rather than pretend the rejects table is complete.
      if (keptRejects === null) notes.push('the rejects of this run were lost with the rollback (the run failed while loading files)');
    }
    await prepared?.drop().catch(() => {});
    try {
      await insertRunFiles(conn, runId, results);
      if (keptRejects?.length) await appendRejects(conn, runId, keptRejects);
    } catch (inner) {
      notes.push(`could not record the files of the failed run: ${(inner as Error).message}`);
    }
    return await finish('failed', message);
  }
}

/**
 * History's fallback (history.md "Role and manager at T"): how many employee-dates took the current role,
 * manager and department for want of a job_history row on or before the date. Null when none did.
 */
async function historyFallbackNote(conn: DuckDBConnection): Promise<string | null> {
  if (!(await tableExists(conn, 'history_overview'))) return null;
  const row = await one<{ filled: number; total: number; dates: number }>(conn,
    'select coalesce(sum(n_roles_from_snapshot), 0)::int as filled, coalesce(sum(n_active), 0)::int as total, count(*)::int as dates from history_overview');
  if (!row || row.filled === 0) return null;
  return `history: ${row.filled} of ${row.total} employee-dates over ${row.dates} date${row.dates === 1 ? '' : 's'} have no job_history row on or before the date and use the current role, manager and department`;
}

/** The latest runs, newest first (for the CLI and the API). */
export async function recentRuns(conn: DuckDBConnection, limit = 20) {
  return all(conn, `select run_id, strftime(started_at, '%Y-%m-%dT%H:%M:%S') as started_at, strftime(finished_at, '%Y-%m-%dT%H:%M:%S') as finished_at,
    strftime(as_of, '%Y-%m-%d') as as_of, trigger, status, error from runs order by run_id desc limit $limit`, { limit });
}

export type { FileResult, InboxFile, Ingest, Model };
