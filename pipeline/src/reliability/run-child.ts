// A pipeline run in a child process, for the crash tests: `node pipeline/bin/run-ts.js
// pipeline/src/reliability/run-child.ts DB INBOX AS_OF [PAUSE_AT]`. Every progress event goes to stdout
// as one JSON line `{"i":n,"phase":…}` (written synchronously, so the parent sees it before the run
// goes on); with PAUSE_AT = n the run stops at event n (the process blocks) so the parent can kill it
// exactly there. The last line is `{"done":status,"runId":n}`.
import fs from 'node:fs';
import { openDb } from '../db.ts';
import { runPipeline } from '../run.ts';

const [dbFile, inbox, asOf, pauseArg] = process.argv.slice(2);
const pauseAt = pauseArg === undefined ? -1 : Number(pauseArg);
const out = (o: object) => fs.writeSync(1, `${JSON.stringify(o)}\n`);
const blocker = new Int32Array(new SharedArrayBuffer(4));

const db = await openDb(dbFile);
let i = 0;
const summary = await runPipeline(db, {
  inbox, asOf, trigger: 'cli',
  onProgress: (e) => {
    out({ i, phase: e.phase, done: e.done, total: e.total, message: e.message });
    if (i === pauseAt) Atomics.wait(blocker, 0, 0, 120_000); // wait here to be killed
    i++;
  },
});
out({ done: summary.status, runId: summary.runId, error: summary.error, events: i });
db.close();
