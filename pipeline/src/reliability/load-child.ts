// Loads one file in a child process and reports its peak memory, for the memory test:
// `node pipeline/bin/run-ts.js pipeline/src/reliability/load-child.ts DB FILE`. Prints one JSON line
// `{ result, maxRssBytes, heapUsedBytes }` (peak resident set of the whole process, DuckDB included).
import fs from 'node:fs';
import path from 'node:path';
import { exec, openDb } from '../db.ts';
import { ensureSourceTables, loadFiles } from '../ingest/index.ts';

const [dbFile, file, memoryLimit] = process.argv.slice(2);
const db = await openDb(dbFile);
const conn = await db.connect();
if (memoryLimit) await exec(conn, `set memory_limit = '${memoryLimit.replace(/[^0-9A-Za-z]/g, '')}'`);
await ensureSourceTables(conn);
await exec(conn, 'begin');
const [result] = await loadFiles(conn, [{ path: file, name: path.basename(file) }], { runId: 1 });
await exec(conn, 'commit');
conn.closeSync();
db.close();
fs.writeSync(1, `${JSON.stringify({ result, maxRssBytes: process.resourceUsage().maxRSS * 1024, heapUsedBytes: process.memoryUsage().heapUsed })}\n`);
