// The cost of history (issue 13): the same org run twice on fresh databases, with history_months = 0 (only
// as_of) and with 24, timing each model from the run's progress events. Not part of `npm test` or
// `npm run bench`'s table; run: node pipeline/bin/run-ts.js bench/history.ts --employees 10000 [--months 24]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { generateOrg } from '../fixtures/generator/generateOrg.ts';
import { openDb } from '../pipeline/src/db.ts';
import { runPipeline } from '../pipeline/src/run.ts';

const AS_OF = '2026-06-30';

async function measure(files: string, historyMonths: number) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-bench-history-'));
  const inbox = path.join(dir, 'inbox');
  fs.mkdirSync(inbox);
  for (const f of fs.readdirSync(files)) if (f.endsWith('.csv')) fs.linkSync(path.join(files, f), path.join(inbox, f));
  const db = await openDb(path.join(dir, 'trellis.duckdb'));
  const perModel = new Map<string, number>();
  let current: { model: string; at: number } | null = null;
  const cpu0 = process.cpuUsage();
  try {
    const s = await runPipeline(db, {
      inbox, asOf: AS_OF, historyMonths, trigger: 'cli',
      onProgress: (e) => {
        if (e.phase !== 'models') return;
        const now = performance.now();
        if (current) perModel.set(current.model, now - current.at);
        current = e.model ? { model: e.model, at: now } : null;
      },
    });
    if (s.status !== 'succeeded') throw new Error(`run ${s.status}: ${s.error}`);
    const cpu = process.cpuUsage(cpu0);
    const history = [...perModel].filter(([m]) => m.startsWith('hist')).reduce((a, [, ms]) => a + ms, 0);
    return { timings: s.timings, cpuMs: Math.round((cpu.user + cpu.system) / 1000), historyModelsMs: Math.round(history),
      slowest: [...perModel].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([m, ms]) => `${m} ${Math.round(ms)}`) };
  } finally {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const { values } = parseArgs({ options: { employees: { type: 'string', default: '10000' }, months: { type: 'string', default: '24' }, seed: { type: 'string', default: '42' } } });
const employees = Number(values.employees);
const files = path.join(os.tmpdir(), `trellis-bench-history-org-${employees}-s${values.seed}`);
if (!fs.existsSync(path.join(files, 'job_history.csv'))) {
  await generateOrg({ employees, seed: Number(values.seed), asOf: AS_OF, out: files });
}
for (const months of [0, Number(values.months)]) {
  const r = await measure(files, months);
  console.log(JSON.stringify({ employees, historyMonths: months, ...r }));
}
