// node-cron wiring only: the scheduled run, and a manual trigger that shares its queue.
// One run at a time; a trigger during a run is queued (at most one waits) or refused, and logged.
import cron, { type ScheduledTask } from 'node-cron';

export type TriggerResult = 'started' | 'queued' | 'refused';

export interface ScheduleLogger {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export interface Scheduler {
  /** Ask for a run now: started at once, queued behind the current run, or refused (one is queued already). */
  trigger(reason?: string): TriggerResult;
  /** Resolves when no run is going and none is queued. */
  idle(): Promise<void>;
  /** Stop the cron task (a run in progress finishes). */
  stop(): Promise<void>;
  readonly running: boolean;
  readonly queued: boolean;
  /** When the schedule next starts a run (null: no schedule). */
  nextRun(): Date | null;
}

/** A moment in the server's own time zone, named: "2026-12-08 02:00 UTC" (how a schedule reads its expression). */
export function serverTime(d: Date, timeZone?: string): string {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', {
    timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'short',
  }).formatToParts(d).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute} ${parts.timeZoneName}`;
}

export interface ScheduleOptions {
  /** Cron expression (node-cron syntax); null = manual triggers only. */
  expr: string | null;
  /**
   * The work of one run; a string it resolves to (how the run ended, e.g. "run 7 succeeded with issues: 1 file
   * refused") is logged with "run finished". Its errors are logged, never thrown out of the scheduler.
   */
  run: (reason: string) => Promise<unknown>;
  name?: string;
  logger?: ScheduleLogger;
  timezone?: string;
}

const consoleLogger: ScheduleLogger = {
  info: (m) => console.error(m),
  warn: (m) => console.error(m),
  error: (m) => console.error(m),
};

export function createScheduler(opts: ScheduleOptions): Scheduler {
  const log = opts.logger ?? consoleLogger;
  const name = opts.name ?? 'trellis-pipeline';
  let current: Promise<void> | null = null;
  let queuedReason: string | null = null;
  let waiters: (() => void)[] = [];

  const settle = () => {
    if (current || queuedReason !== null) return;
    const w = waiters;
    waiters = [];
    for (const resolve of w) resolve();
  };

  const start = (reason: string): Promise<void> => {
    log.info(`[${name}] run started (${reason})`);
    const p = (async () => {
      try {
        const outcome = await opts.run(reason);
        log.info(`[${name}] run finished (${reason})${typeof outcome === 'string' ? `: ${outcome}` : ''}`);
      } catch (err) {
        log.error(`[${name}] run failed (${reason}): ${(err as Error).message}`);
      }
    })().finally(() => {
      current = null;
      if (queuedReason !== null) {
        const next = queuedReason;
        queuedReason = null;
        current = start(next);
      }
      settle();
    });
    current = p;
    return p;
  };

  const trigger = (reason = 'manual'): TriggerResult => {
    if (!current) {
      start(reason);
      return 'started';
    }
    if (queuedReason === null) {
      queuedReason = reason;
      log.info(`[${name}] a run is in progress; ${reason} run queued`);
      return 'queued';
    }
    log.warn(`[${name}] a run is in progress and another is queued; ${reason} run refused`);
    return 'refused';
  };

  let task: ScheduledTask | null = null;
  if (opts.expr) {
    if (!cron.validate(opts.expr)) throw new Error(`invalid cron expression "${opts.expr}" for the pipeline schedule`);
    // noOverlap: node-cron itself skips ticks while the run a tick started is still going
    task = cron.schedule(opts.expr, async () => {
      if (trigger('schedule') === 'started') await current;
    }, {
      name, noOverlap: true, timezone: opts.timezone,
      // node-cron's own notices (a tick skipped by noOverlap) go to the same log
      logger: {
        info: (m) => log.info(`[${name}] ${m}`),
        warn: (m) => log.info(`[${name}] ${m}`),
        error: (m) => log.error(`[${name}] ${m instanceof Error ? m.message : m}`),
        debug: () => {},
      },
    });
  }

  return {
    trigger,
    idle: () => new Promise<void>((resolve) => {
      waiters.push(resolve);
      settle();
    }),
    async stop() {
      if (task) {
        await task.stop();
        await task.destroy();
        task = null;
      }
    },
    get running() { return current !== null; },
    get queued() { return queuedReason !== null; },
    nextRun: () => task?.getNextRun() ?? null,
  };
}
