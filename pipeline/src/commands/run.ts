// `trellis run`: one pipeline run on the inbox, through the server when one owns the database.
import path from 'node:path';
import { effectiveAsOf, isIsoDate, mappingsDirFor } from '../config.ts';
import { runPipeline, type FileResult, type RunSummary } from '../run.ts';
import { inboxProblem } from '../run-files.ts';
import { describeOutcome, exitCodeOf, withNotes, type FileIssue } from '../run-outcome.ts';
import { findServer, openDbExplained, runViaServer, type RemoteRun } from '../server-link.ts';
import { line, parse, progressPrinter, UsageError, type Command, type CommandContext } from './context.ts';

const n = (v: number) => v.toLocaleString('en-US');

type FileLine = Pick<FileResult, 'file' | 'dataset' | 'status' | 'rowsLoaded' | 'rowsRejected' | 'rowsWarned' | 'reason'>;

/** One line per file and dataset (a mapped file feeding three datasets has three): file, dataset, status, rows or reason. */
function fileLines(files: FileLine[]): string[] {
  const fileWidth = Math.max(0, ...files.map((f) => f.file.length));
  const datasetWidth = Math.max(0, ...files.map((f) => (f.dataset ?? '—').length));
  return files.map((f) => `  ${f.file.padEnd(fileWidth)}  ${(f.dataset ?? '—').padEnd(datasetWidth)}  ${f.status.padEnd(10)} `
    + (f.status === 'loaded' ? `${n(f.rowsLoaded)} rows${f.rowsRejected ? `, ${n(f.rowsRejected)} rejected` : ''}${f.rowsWarned ? `, ${n(f.rowsWarned)} warnings` : ''}` : f.reason ?? ''));
}

export function formatSummary(s: Pick<RunSummary, 'runId' | 'status' | 'asOf' | 'counts' | 'timings' | 'files' | 'error' | 'notes'>): string {
  const c = s.counts;
  const head = `run ${s.runId} ${s.status} (as of ${s.asOf}) in ${(s.timings.total / 1000).toFixed(1)} s: `
    + `${c.loaded} loaded, ${c.skipped} skipped, ${c.refused} refused, ${c.superseded} superseded; `
    + `${n(c.rowsLoaded)} rows loaded, ${n(c.rowsRejected)} rejected, ${n(c.rowsWarned)} warnings`;
  return withNotes([head, ...fileLines(s.files)].join('\n'), s.notes);
}

const fromServer = (f: RemoteRun['files'][number]): FileLine => ({
  file: f.file, dataset: f.dataset, status: f.status as FileLine['status'], reason: f.reason,
  rowsLoaded: f.rows_loaded ?? 0, rowsRejected: f.rows_rejected ?? 0, rowsWarned: f.rows_warned ?? 0,
});

/** The exit code of a finished run, saying on stderr why it is not 0. */
function ended(ctx: CommandContext, run: { runId: number; status: string; error: string | null; files: FileIssue[] }): number {
  const code = exitCodeOf(run.status);
  if (code === 3) {
    line(ctx.stderr, `trellis run: ${describeOutcome(run)}; the rest is committed (exit code 3). `
      + 'Refused files moved to <inbox>/refused/ with their reason; rejected rows: `trellis export rejects` or the Pipeline page');
  } else if (code !== 0) {
    line(ctx.stderr, `trellis run: ${describeOutcome(run)}`);
  }
  return code;
}

export const runCommand: Command = {
  name: 'run',
  summary: 'load new files from the inbox and rebuild the models',
  usage: `Usage: trellis run [--inbox DIR] [--db FILE] [--as-of YYYY-MM-DD] [--history-months N]

Loads the CSV/Parquet files in the inbox (files already loaded are skipped), rebuilds every model
and runs the model tests, all in one transaction: a failure leaves the previous results in place.
Loaded files move to <inbox>/archive/<run_id>/, refused ones to <inbox>/refused/ with a reason.
When a server owns the database, the run happens in the server (on its inbox).

Options:
  --inbox DIR          folder of new files (default TRELLIS_INBOX or data/inbox); column mappings
                       are read from the mappings folder beside it (unless TRELLIS_MAPPINGS is set)
  --db FILE            DuckDB file (default TRELLIS_DB or data/trellis.duckdb)
  --as-of YYYY-MM-DD   the date the models are computed as of (default TRELLIS_AS_OF, else today)
  --history-months N   month-ends before as-of kept in the history tables (default
                       TRELLIS_HISTORY_MONTHS or 24; 0 = only as-of)
  -h, --help           this help

Exit code: 0 when every file loaded whole (or there was nothing new); 3 when the run committed but
files were refused or rows rejected (status succeeded_with_issues); 1 when it failed (nothing loaded);
2 when an option is wrong or the inbox folder does not exist (nothing run).`,
  async run(args, ctx) {
    const { values } = parse(args, { inbox: { type: 'string' }, db: { type: 'string' }, 'as-of': { type: 'string' }, 'history-months': { type: 'string' } });
    if (values.help) { line(ctx.stdout, this.usage); return 0; }
    const months = values['history-months'];
    if (months !== undefined && !/^\d{1,3}$/.test(months)) throw new UsageError(`--history-months "${months}" is not a whole number of months (0–999)`);
    if (values['as-of'] !== undefined && !isIsoDate(values['as-of'])) throw new UsageError(`--as-of "${values['as-of']}" is not an existing date written YYYY-MM-DD`);
    const config = ctx.config();
    const dbFile = values.db ? path.resolve(ctx.cwd, values.db) : config.db;
    const asOf = values['as-of'] ?? effectiveAsOf(config);
    const progress = progressPrinter(ctx.stderr);

    const server = await findServer(dbFile);
    if (server) {
      if (values.inbox) throw new UsageError(`the server (pid ${server.pid}) owns ${dbFile} and runs on its own inbox; drop the files there or stop the server to use --inbox`);
      if (months !== undefined) throw new UsageError(`the server (pid ${server.pid}) owns ${dbFile} and runs with its own history months (TRELLIS_HISTORY_MONTHS); stop the server to use --history-months`);
      line(ctx.stderr, `running in the server (pid ${server.pid}, port ${server.port})`);
      const r = await runViaServer(server, { asOf, onProgress: (message) => progress({ phase: 'server', message }) });
      const files = r.files.map(fromServer);
      line(ctx.stdout, [`run ${r.runId} ${r.status} (as of ${asOf})`, ...fileLines(files)].join('\n'));
      return ended(ctx, { ...r, files });
    }

    const inbox = values.inbox ? path.resolve(ctx.cwd, values.inbox) : config.inbox;
    // a mistyped folder would otherwise "succeed" with nothing loaded
    const problem = inboxProblem(inbox);
    if (problem) throw new UsageError(`${problem}: create it and drop the exports there, or name the folder they are in with --inbox or TRELLIS_INBOX`);
    const db = await openDbExplained(dbFile, { memoryLimitMb: config.memoryLimitMb });
    try {
      const summary = await runPipeline(db, {
        inbox, mappingsDir: mappingsDirFor(config, inbox), asOf, historyMonths: months !== undefined ? Number(months) : config.historyMonths, trigger: 'cli', maxRejectsPerFile: config.maxRejectsPerFile, mappingLimits: config, settings: config,
        onProgress: (e) => progress({ phase: e.phase, message: e.message, done: e.done, total: e.total }),
      });
      line(ctx.stdout, formatSummary(summary));
      return ended(ctx, summary);
    } finally {
      db.close();
    }
  },
};
