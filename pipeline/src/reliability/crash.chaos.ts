// Crash safety: a child process running the pipeline is killed (SIGKILL) at many points of a run —
// paused exactly at progress events spread over read, validate, models, tests and commit (the moment
// right after COMMIT, before the files move, included), and at seeded random times. After each kill:
// the database opens, the last committed run's results are intact, the files of the interrupted drop
// are still in the inbox (or, when the kill came after COMMIT, loaded and later archived by hash), and
// the next run ends with exactly the results of an uninterrupted run.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateOrg } from '../../../fixtures/generate.ts';
import { all, one, openDb } from '../db.ts';
import { runPipeline } from '../run.ts';
import { archivedFiles, dataFiles, prng, resultFingerprints, startChildRun, type ChildEvent } from './chaos-helpers.ts';

const AS_OF = '2026-06-30';
const EMPLOYEES = 40;
const PAUSED_TRIALS = Number(process.env.CRASH_TRIALS ?? 20);
const TIMED_TRIALS = Number(process.env.CRASH_TIMED ?? 4);

let tmp: string;
let dropDir: string; // the drop whose run is interrupted
let db1: string; // database after the first (committed) run
let fp1: Record<string, string>;
let ref: Record<string, string>; // results after an uninterrupted run of the drop
let refEvents: ChildEvent[];
let refMs: number;

async function fingerprintsOf(file: string) {
  const db = await openDb(file);
  const conn = await db.connect();
  try {
    const fps = await resultFingerprints(conn);
    const last = await one<{ run_id: number; status: string }>(conn, 'select run_id, status from runs order by run_id desc limit 1');
    const good = await one<{ run_id: number }>(conn, "select max(run_id) as run_id from runs where status in ('succeeded', 'no_change')");
    return { fps, last, good: good?.run_id ?? null };
  } finally {
    conn.closeSync();
    db.close();
  }
}

function freshTrial(name: string): { dir: string; dbFile: string; inbox: string } {
  const dir = path.join(tmp, name);
  const inbox = path.join(dir, 'inbox');
  fs.mkdirSync(inbox, { recursive: true });
  const dbFile = path.join(dir, 'trellis.duckdb');
  fs.copyFileSync(db1, dbFile);
  for (const f of dataFiles(dropDir)) fs.copyFileSync(path.join(dropDir, f), path.join(inbox, f));
  return { dir, dbFile, inbox };
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-crash-'));
  // Run 1: one org, committed. The drop: the same company exported again from another seed.
  const first = path.join(tmp, 'first');
  dropDir = path.join(tmp, 'drop');
  await generateOrg({ employees: EMPLOYEES, seed: 1, asOf: AS_OF, out: first });
  await generateOrg({ employees: EMPLOYEES + 7, seed: 2, asOf: AS_OF, out: dropDir });
  db1 = path.join(tmp, 'first.duckdb');
  const db = await openDb(db1);
  const s = await runPipeline(db, { inbox: first, asOf: AS_OF, trigger: 'cli' });
  db.close();
  expect(s.status, s.error ?? '').toBe('succeeded');
  fp1 = (await fingerprintsOf(db1)).fps;

  // The uninterrupted reference run of the drop, in a child like the trials.
  const r = freshTrial('reference');
  const t0 = performance.now();
  const child = startChildRun(r.dbFile, r.inbox, AS_OF);
  const exit = await child.exited;
  refMs = performance.now() - t0;
  expect(exit.code, exit.stderr).toBe(0);
  refEvents = child.events.filter((e) => e.i !== undefined);
  expect(child.events.at(-1)).toMatchObject({ done: 'succeeded', runId: 2 });
  ref = (await fingerprintsOf(r.dbFile)).fps;
  expect(ref).not.toEqual(fp1); // the drop changes the results, so a lost or half run would show
});
afterAll(() => { if (tmp) fs.rmSync(tmp, { recursive: true, force: true }); });

/** Kill points: events spread over the whole run (seeded), plus the commit boundary. */
function killPoints(): number[] {
  const rnd = prng(20260630);
  const n = refEvents.length;
  const points = new Set<number>();
  for (let i = 0; i < PAUSED_TRIALS - 2; i++) points.add(Math.min(n - 1, Math.floor(((i + rnd()) / (PAUSED_TRIALS - 2)) * n)));
  const committing = refEvents.findIndex((e) => e.phase === 'commit' && e.message === 'committing');
  const committed = refEvents.findIndex((e) => e.phase === 'commit' && e.message === 'committed');
  points.add(committing);
  points.add(committed);
  let extra = 0;
  while (points.size < PAUSED_TRIALS) points.add(Math.floor(rnd() * n) + extra++ * 0);
  return [...points].sort((a, b) => a - b);
}

async function checkAfterKill(t: { dbFile: string; inbox: string }, label: string) {
  const drop = dataFiles(dropDir);
  // The database opens; what serves is either run 1 or the whole of run 2, never a mix.
  const after = await fingerprintsOf(t.dbFile);
  const committed = after.last?.run_id === 2 && after.last.status === 'succeeded';
  if (committed) {
    expect(after.fps, label).toEqual(ref);
    expect(after.good).toBe(2);
    // Nothing lost: each file of the drop is in the inbox or archived.
    const archived = archivedFiles(t.inbox).map((f) => f.split('/')[1]);
    expect([...dataFiles(t.inbox), ...archived].sort(), label).toEqual(drop);
  } else {
    expect(after.fps, label).toEqual(fp1);
    expect(after.good).toBe(1);
    expect(dataFiles(t.inbox), label).toEqual(drop); // every file still waiting in the inbox
    expect(archivedFiles(t.inbox), label).toEqual([]);
  }

  // The next run completes with the results of an uninterrupted run, and settles every file.
  const waiting = dataFiles(t.inbox).length;
  const db = await openDb(t.dbFile);
  try {
    const s = await runPipeline(db, { inbox: t.inbox, asOf: AS_OF, trigger: 'cli' });
    expect(s.status, `${label}: ${s.error}`).toBe(committed ? 'no_change' : 'succeeded');
    // after COMMIT the files left in the inbox are already loaded: skipped by their hash, then archived
    if (committed) expect([s.counts.skipped, s.counts.loaded], label).toEqual([waiting, 0]);
    const conn = await db.connect();
    try {
      expect(await resultFingerprints(conn), label).toEqual(ref);
      const interrupted = await all<{ n: number }>(conn, "select count(*)::INTEGER as n from runs where status = 'running'");
      expect(interrupted).toEqual([{ n: 0 }]);
    } finally {
      conn.closeSync();
    }
  } finally {
    db.close();
  }
  expect(dataFiles(t.inbox), label).toEqual([]);
  expect(archivedFiles(t.inbox).map((f) => f.split('/')[1]).sort(), label).toEqual(drop);
}

describe('SIGKILL during a run', () => {
  it('the reference run reports progress through every phase', () => {
    const phases = new Set(refEvents.map((e) => e.phase));
    for (const p of ['read', 'validate', 'models', 'tests', 'commit']) expect(phases).toContain(p);
  });

  it(`killed at ${PAUSED_TRIALS} progress events (read → commit, and right after COMMIT)`, async () => {
    const points = killPoints();
    expect(points.length).toBe(PAUSED_TRIALS);
    const phases = new Set(points.map((k) => refEvents[k].phase));
    if (PAUSED_TRIALS >= 10) expect(phases.size).toBeGreaterThanOrEqual(4); // spread over load and model phases
    for (const k of points) {
      const t = freshTrial(`event-${k}`);
      const child = startChildRun(t.dbFile, t.inbox, AS_OF, k);
      child.onEvent((e) => { if (e.i === k) child.child.kill('SIGKILL'); });
      const exit = await child.exited;
      expect(exit.signal, `event ${k}: ${exit.stderr}`).toBe('SIGKILL');
      await checkAfterKill(t, `killed at event ${k} (${refEvents[k].phase}: ${refEvents[k].message})`);
      fs.rmSync(path.dirname(t.inbox), { recursive: true, force: true });
    }
  });

  it(`killed at ${TIMED_TRIALS} seeded random moments`, async () => {
    const rnd = prng(7);
    for (let i = 0; i < TIMED_TRIALS; i++) {
      const t = freshTrial(`timed-${i}`);
      const child = startChildRun(t.dbFile, t.inbox, AS_OF);
      let timer: NodeJS.Timeout | undefined;
      // the clock starts at the first event (the child's start-up time varies with the machine's load)
      child.onEvent((e) => {
        if (e.i === 0) timer = setTimeout(() => child.child.kill('SIGKILL'), rnd() * refMs * 0.8);
      });
      const exit = await child.exited;
      clearTimeout(timer);
      await checkAfterKill(t, `timed kill ${i} (${exit.signal ?? `exit ${exit.code}`})`);
      fs.rmSync(path.dirname(t.inbox), { recursive: true, force: true });
    }
  });
});
