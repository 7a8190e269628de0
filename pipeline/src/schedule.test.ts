import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { all, openDb, type Db } from './db.ts';
import { SQL_DIR } from './models.ts';
import { runPipeline, type RunSummary } from './run.ts';
import { createScheduler, serverTime, type ScheduleLogger } from './schedule.ts';

function memoryLogger(lines: string[]): ScheduleLogger {
  return { info: (m) => lines.push(`info ${m}`), warn: (m) => lines.push(`warn ${m}`), error: (m) => lines.push(`error ${m}`) };
}

describe('scheduler with real runs', () => {
  let db: Db;
  let tmp: string;
  const summaries: RunSummary[] = [];
  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-schedule-'));
    fs.mkdirSync(path.join(tmp, 'inbox'));
    fs.mkdirSync(path.join(tmp, 'sql'));
    fs.cpSync(path.join(SQL_DIR, 'staging'), path.join(tmp, 'sql', 'staging'), { recursive: true });
    db = await openDb(path.join(tmp, 't.duckdb'));
  });
  afterAll(() => db.close());

  // each run pins a different as_of, so none is a no_change shortcut
  let day = 0;
  const run = async () => {
    day++;
    summaries.push(await runPipeline(db, {
      inbox: path.join(tmp, 'inbox'), asOf: `2026-01-${String(day).padStart(2, '0')}`, trigger: 'schedule', sqlDir: path.join(tmp, 'sql'),
    }));
  };

  it('runs one at a time: a trigger during a run is queued, a third refused', async () => {
    const lines: string[] = [];
    const s = createScheduler({ expr: null, run, logger: memoryLogger(lines) });
    expect(s.trigger('manual')).toBe('started');
    expect(s.trigger('manual')).toBe('queued');
    expect(s.trigger('manual')).toBe('refused');
    expect(s.running && s.queued).toBe(true);
    await s.idle();
    expect(summaries.map((x) => x.status)).toEqual(['succeeded', 'succeeded']);
    const runs = await all<{ run_id: number; started: number; finished: number }>(await db.connect(),
      'select run_id, epoch_ms(started_at)::double as started, epoch_ms(finished_at)::double as finished from runs order by run_id');
    expect(runs).toHaveLength(2);
    expect(runs[1].started).toBeGreaterThanOrEqual(runs[0].finished);
    expect(lines.some((l) => l.startsWith('warn') && l.includes('refused'))).toBe(true);
    expect(lines.some((l) => l.includes('queued'))).toBe(true);
    await s.stop();
  });

  it('fires on its cron expression and never overlaps', async () => {
    const lines: string[] = [];
    const before = summaries.length;
    const s = createScheduler({ expr: '* * * * * *', run, logger: memoryLogger(lines), name: 'test-every-second' });
    const deadline = Date.now() + 5000;
    while (summaries.length < before + 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await s.stop();
    await s.idle();
    expect(summaries.length).toBeGreaterThanOrEqual(before + 2);
    expect(summaries.slice(before).every((x) => x.status === 'succeeded')).toBe(true);
    const overlaps = await all<{ n: number }>(await db.connect(),
      `select count(*)::int as n from runs a join runs b on a.run_id < b.run_id
       where b.started_at < a.finished_at`);
    expect(overlaps).toEqual([{ n: 0 }]);
  });

  it('refuses a bad cron expression', () => {
    expect(() => createScheduler({ expr: 'every minute', run })).toThrow(/invalid cron expression "every minute"/);
  });

  it('logs a failing run and keeps going', async () => {
    const lines: string[] = [];
    let n = 0;
    const s = createScheduler({ expr: null, logger: memoryLogger(lines), run: async () => { n++; if (n === 1) throw new Error('boom'); } });
    s.trigger('a');
    s.trigger('b');
    await s.idle();
    expect(n).toBe(2);
    expect(lines).toContain('error [trellis-pipeline] run failed (a): boom');
    expect(lines).toContain('info [trellis-pipeline] run finished (b)');
  });
});

describe('when the schedule runs next', () => {
  it('names the next tick of the expression in the server time zone, and none without a schedule', async () => {
    const nightly = createScheduler({ expr: '0 2 * * *', run: async () => undefined, logger: memoryLogger([]), timezone: 'UTC' });
    try {
      const next = nightly.nextRun()!;
      expect(next.getUTCHours()).toBe(2);
      expect(next.getUTCMinutes()).toBe(0);
      expect(next.getTime()).toBeGreaterThan(Date.now());
      expect(next.getTime() - Date.now()).toBeLessThanOrEqual(24 * 3600_000);
    } finally {
      await nightly.stop();
    }
    expect(createScheduler({ expr: null, run: async () => undefined }).nextRun()).toBeNull();
  });

  it('writes a moment as the server reads a cron expression, its zone named', () => {
    const d = new Date('2026-12-08T02:00:00Z');
    expect(serverTime(d, 'UTC')).toBe('2026-12-08 02:00 UTC');
    expect(serverTime(d, 'Europe/Berlin')).toBe('2026-12-08 03:00 GMT+1');
  });
});
