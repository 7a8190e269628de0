// Concurrent use: while a pipeline run loads a new export and rebuilds the models, the dashboard API
// (real HTTP) keeps answering without errors and every answer shows one committed run's data — never
// the run id of one run with the figures of another. A second run asked for during the run is
// refused (409), and a scheduled run firing during the manual one neither interleaves nor loads twice.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TextSink as Sink } from '../text-sink.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateOrg } from '../../../fixtures/generate.ts';
import { loadConfig } from '../config.ts';
import { all, openDb, type Db } from '../db.ts';
import { runPipeline } from '../run.ts';
import { createContext } from '../commands/context.ts';
import { startServer } from '../commands/serve.ts';
import { dataFiles, prng } from './chaos-helpers.ts';

const AS_OF = '2026-06-30';

let tmp: string;
let db: Db;
let inbox: string;
let server: Awaited<ReturnType<typeof startServer>>;
let logs: Sink;
let base: string;
let token: string;
/** How many files the first export has (every dataset the generator writes). */
let nFirstFiles: number;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-concurrency-'));
  inbox = path.join(tmp, 'inbox');
  nFirstFiles = (await generateOrg({ employees: 120, seed: 11, asOf: AS_OF, out: inbox })).files.length;
  const dbFile = path.join(tmp, 'trellis.duckdb');
  db = await openDb(dbFile);
  const first = await runPipeline(db, { inbox, asOf: AS_OF, trigger: 'cli' });
  expect(first.status, first.error ?? '').toBe('succeeded');
  const env = { TRELLIS_DB: dbFile, TRELLIS_INBOX: inbox, TRELLIS_AS_OF: AS_OF };
  const config = { ...loadConfig({ env, cwd: tmp }), port: 0 };
  logs = new Sink();
  const ctx = createContext({ stdout: new Sink(), stderr: logs, env, cwd: tmp });
  server = await startServer(ctx, db, config, { scheduleExpr: null });
  const info = JSON.parse(fs.readFileSync(`${dbFile}.server.json`, 'utf8')) as { port: number; token: string };
  base = `http://127.0.0.1:${info.port}`;
  token = info.token;
});
afterAll(async () => {
  await server?.close();
  db?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

const get = async (url: string) => {
  const res = await fetch(`${base}${url}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: await res.json() as Record<string, unknown> };
};
const post = async (url: string, body: unknown = {}) => {
  const res = await fetch(`${base}${url}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() as Record<string, unknown> };
};

describe('the dashboard during a pipeline run', () => {
  it('answers every request, always with one committed run\'s data; a second run is refused, a scheduled one does not double-load', async () => {
    const before = await get('/api/overview');
    expect(before.status).toBe(200);
    expect(before.body.runId).toBe(1);
    const h1 = before.body.headcount as number;
    expect(h1).toBeGreaterThan(0);

    // A new export of the company (another seed, more people) lands in the inbox.
    await generateOrg({ employees: 150, seed: 12, asOf: AS_OF, out: inbox });
    const started = await post('/api/pipeline/runs');
    expect(started.status).toBe(202);
    expect(started.body.runId).toBe(2);

    // Meanwhile: pollers on the overview and meta, a second manual run, a scheduled run.
    const answers: { runId: number; headcount: number }[] = [];
    const metas: number[] = [];
    const failures: string[] = [];
    let running = true;
    const rnd = prng(5);
    const poller = async () => {
      while (running) {
        const [o, m] = await Promise.all([get('/api/overview'), get('/api/meta')]);
        if (o.status !== 200) failures.push(`overview ${o.status} ${JSON.stringify(o.body)}`);
        else answers.push({ runId: o.body.runId as number, headcount: o.body.headcount as number });
        if (m.status !== 200) failures.push(`meta ${m.status}`);
        else metas.push(m.body.runId as number);
        await new Promise((r) => setTimeout(r, rnd() * 20));
      }
    };
    const pollers = [poller(), poller(), poller()];
    const second = await post('/api/pipeline/runs');
    expect(second.status).toBe(409);
    expect(second.body.message).toMatch(/already in progress/);
    expect(server.scheduler.trigger('schedule')).toBe('started'); // the cron tick: refused by the running run, logged
    for (;;) {
      const p = await get('/api/pipeline/progress');
      expect(p.status).toBe(200);
      if (!p.body.running) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await server.scheduler.idle();
    running = false;
    await Promise.all(pollers);

    const after = await get('/api/overview');
    expect(after.body.runId).toBe(2);
    const h2 = after.body.headcount as number;
    expect(h2).not.toBe(h1); // the two runs are told apart by their figures

    expect(failures).toEqual([]);
    expect(answers.length).toBeGreaterThan(5);
    const expected = new Map([[1, h1], [2, h2]]);
    const mixed = answers.filter((a) => expected.get(a.runId) !== a.headcount);
    expect(mixed, `answers mixing one run's id with another's figures (run 1: ${h1}, run 2: ${h2})`).toEqual([]);
    expect(new Set(metas)).toEqual(new Set(metas.filter((r) => r === 1 || r === 2)));
    expect(logs.text).toMatch(/run failed \(schedule\): .*already in progress/);

    // No double load: run 2 loaded each file once; no other run loaded anything.
    const conn = await db.connect();
    try {
      const runs = await all<{ run_id: number; status: string }>(conn, 'select run_id, status from runs order by run_id');
      expect(runs).toEqual([{ run_id: 1, status: 'succeeded' }, { run_id: 2, status: 'succeeded' }]);
      const loads = await all<{ run_id: number; n: number; distinct_files: number }>(conn,
        'select run_id, count(*)::INTEGER as n, count(distinct sha256)::INTEGER as distinct_files from loaded_files group by run_id order by run_id');
      expect(loads[0]).toEqual({ run_id: 1, n: nFirstFiles, distinct_files: nFirstFiles });
      expect(nFirstFiles).toBe(13); // the 13 datasets, job_history included
      expect(loads.map((l) => l.run_id)).toEqual([1, 2]); // files identical to run 1's (the framework) are skipped by hash
      expect(loads[1].n).toBe(loads[1].distinct_files);
      const twice = await all(conn, 'select sha256 from loaded_files group by sha256 having count(*) > 1');
      expect(twice).toEqual([]);
    } finally {
      conn.closeSync();
    }
    expect(dataFiles(inbox)).toEqual([]);
  });
});
