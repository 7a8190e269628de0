// The server's side of pipeline runs: one run at a time, started in-process on its own connection
// (runPipeline opens it), with the latest progress event kept in memory for /api/pipeline/progress.
import type { Db } from '../../pipeline/src/db.ts';
import type { MappingLimits } from '../../pipeline/src/mapping/limits.ts';
import type { ModelSettings } from '../../pipeline/src/model-settings.ts';
import { describeOutcome, type FileIssue } from '../../pipeline/src/run-outcome.ts';
import { invalidateCatalog } from './context.ts';
import { ConflictError } from './errors.ts';

export interface ProgressEvent {
  runId: number | null;
  phase: string;
  dataset?: string;
  model?: string;
  done?: number;
  total?: number;
  message?: string;
}

export interface RunState {
  running: boolean;
  runId: number | null;
  startedAt: string | null;
  finishedAt: string | null;
  status: string | null;
  error: string | null;
  /** How the run ended in words ("run 7 succeeded with issues: 1 file refused, 12 rows rejected"); null while running. */
  outcome: string | null;
  /** What the run said besides (run_notes), once it ended. */
  notes: string[];
  progress: ProgressEvent | null;
}

export interface StartOptions {
  inbox: string;
  /** Column mappings folder (default: `mappings` beside the inbox). */
  mappingsDir?: string;
  asOf: string;
  trigger?: string;
  maxRejectsPerFile?: number;
  /** Month-ends before as_of in the history tables (config `historyMonths`; default 24). */
  historyMonths?: number;
  /** Mapping expression limits (`mappingMaxChars`, `mappingTimeoutSeconds`; a config will do). */
  mappingLimits?: Partial<MappingLimits>;
  /** Risk weights and backtest horizon (a config will do; pipeline/src/model-settings.ts). */
  settings?: Partial<ModelSettings>;
}

type RunFn = (db: Db, opts: Record<string, unknown>) => Promise<Record<string, unknown>>;

async function loadRunPipeline(): Promise<RunFn> {
  const mod = await import('../../pipeline/src/run.ts');
  return mod.runPipeline as unknown as RunFn;
}

/** Another run in this process (the scheduler, a CLI command in the same process) counts as busy. */
function busyError(err: unknown): boolean {
  return err instanceof Error && err.name === 'RunInProgressError';
}

export class PipelineRunner {
  state: RunState = { running: false, runId: null, startedAt: null, finishedAt: null, status: null, error: null, outcome: null, notes: [], progress: null };
  private current: Promise<unknown> | null = null;
  private readonly finished: (() => Promise<void>)[] = [];

  constructor(private readonly load: () => Promise<RunFn> = loadRunPipeline, private readonly now: () => Date = () => new Date()) {}

  /**
   * Start a run and resolve with its id as soon as the pipeline reports one (its first progress
   * event) or finishes. Refused with a ConflictError while one is running.
   */
  async start(db: Db, opts: StartOptions): Promise<{ runId: number | null }> {
    if (this.state.running) {
      throw new ConflictError(`A pipeline run is already in progress (run ${this.state.runId ?? 'starting'}); wait for it to finish`);
    }
    const runPipeline = await this.load();
    this.state = { running: true, runId: null, startedAt: this.now().toISOString(), finishedAt: null, status: 'running', error: null, outcome: null, notes: [], progress: null };
    let announce!: (id: number | null) => void;
    let refuse!: (err: Error) => void;
    const announced = new Promise<number | null>((resolve, reject) => { announce = resolve; refuse = reject; });
    const onProgress = (e: ProgressEvent) => {
      this.state.progress = e;
      if (e.runId != null && this.state.runId == null) {
        this.state.runId = e.runId;
        announce(e.runId);
      }
    };
    this.current = runPipeline(db, { inbox: opts.inbox, mappingsDir: opts.mappingsDir, asOf: opts.asOf, historyMonths: opts.historyMonths, trigger: opts.trigger ?? 'api', maxRejectsPerFile: opts.maxRejectsPerFile, mappingLimits: opts.mappingLimits, settings: opts.settings, onProgress })
      .then((summary) => {
        const runId = (summary?.runId ?? summary?.run_id ?? this.state.runId) as number | null;
        const status = String(summary?.status ?? 'succeeded');
        const error = (summary?.error as string | null | undefined) ?? null;
        const outcome = describeOutcome({ runId, status, error, files: (summary?.files ?? []) as FileIssue[] });
        const notes = Array.isArray(summary?.notes) ? (summary.notes as unknown[]).map(String) : [];
        this.state = { ...this.state, running: false, runId, finishedAt: this.now().toISOString(), status, error, outcome, notes };
        announce(runId);
      })
      .catch((err: Error & { runId?: number }) => {
        if (busyError(err) && this.state.runId == null) {
          this.state = { ...this.state, running: false, status: null, startedAt: null };
          refuse(new ConflictError(`A pipeline run is already in progress: ${err.message}`));
          return;
        }
        const runId = err.runId ?? this.state.runId;
        this.state = { ...this.state, running: false, runId, finishedAt: this.now().toISOString(), status: 'failed', error: err.message,
          outcome: describeOutcome({ runId, status: 'failed', error: err.message, files: [] }) };
        announce(this.state.runId);
      })
      .finally(() => { invalidateCatalog(); })
      .then(() => this.notifyFinished())
      .finally(() => { this.current = null; });
    return { runId: await announced };
  }

  /**
   * Call `listener` after every run this runner starts, whatever its outcome, before idle() resolves
   * (single sign-on works out roles again from the new data). A failing listener is logged by the
   * caller's own means; it never fails the run.
   */
  onFinished(listener: () => Promise<void>): void {
    this.finished.push(listener);
  }

  private async notifyFinished(): Promise<void> {
    for (const listener of this.finished) await listener().catch(() => undefined);
  }

  /** Wait for the current run, if any (tests, shutdown). */
  async idle(): Promise<void> {
    await this.current;
  }
}
