// `trellis serve` on a database whose marts were built by another version's SQL (an upgrade) rebuilds
// them at start instead of serving the old definitions until the next scheduled run. Real CLI, real DuckDB.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from './cli.ts';
import { all, openDb } from './db.ts';
import { discoverModels, modelsFingerprint } from './models.ts';
import { findServer } from './server-link.ts';
import { TextSink as Sink } from './text-sink.ts';

const ORG = path.resolve(import.meta.dirname, '../../fixtures/orgs/paths');
const AS_OF = fs.readFileSync(path.join(ORG, 'as_of.txt'), 'utf8').trim();
let tmp: string;
let dbFile: string;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-upgrade-'));
  dbFile = path.join(tmp, 'trellis.duckdb');
  fs.mkdirSync(path.join(tmp, 'inbox'));
  for (const f of fs.readdirSync(ORG).filter((x) => x.endsWith('.csv'))) fs.copyFileSync(path.join(ORG, f), path.join(tmp, 'inbox', f));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function cli(argv: string[], stopSignal?: () => Promise<string>) {
  const stdout = new Sink();
  const stderr = new Sink();
  const env = { TRELLIS_DB: dbFile, TRELLIS_INBOX: path.join(tmp, 'inbox'), TRELLIS_AS_OF: AS_OF };
  const code = await main(argv, { stdout, stderr, env, cwd: tmp, stopSignal });
  return { code, out: stdout.text, err: stderr.text };
}

async function runs(): Promise<{ run_id: number; status: string; models_sha256: string }[]> {
  const db = await openDb(dbFile);
  try {
    const conn = await db.connect();
    try {
      return await all(conn, 'select run_id::int as run_id, status, models_sha256 from runs order by run_id');
    } finally {
      conn.closeSync();
    }
  } finally {
    db.close();
  }
}

describe('trellis serve after an upgrade', () => {
  it('rebuilds the models at start when the last run used other model SQL, and not when it used this one', async () => {
    expect((await cli(['run'])).code).toBe(0);
    const current = modelsFingerprint(discoverModels());
    const db = await openDb(dbFile);
    const conn = await db.connect();
    await all(conn, "update runs set models_sha256 = 'sql of the version before'");
    conn.closeSync();
    db.close();

    const log: string[] = [];
    const serveOnce = async (expectedRuns: number) => {
      let stop!: (s: string) => void;
      const stopped = new Promise<string>((resolve) => { stop = resolve; });
      const serving = cli(['serve', '--port', '0', '--no-schedule'], () => stopped);
      for (let i = 0; i < 100 && !(await findServer(dbFile)); i++) await new Promise((r) => setTimeout(r, 100));
      const link = await findServer(dbFile);
      expect(link).not.toBeNull();
      // wait until the server has `runs` runs, the newest finished
      const auth = { authorization: `Bearer ${link!.token}` };
      let seen: unknown = null;
      for (let i = 0; i < 600; i++) {
        seen = await (await fetch(`${link!.base}/api/pipeline/runs`, { headers: auth })).json();
        const rows = (seen as { rows: { status: string }[] }).rows;
        if (rows.length >= expectedRuns && rows[0].status !== 'running') break;
        await new Promise((r) => setTimeout(r, 100));
      }
      log.push(JSON.stringify(seen));
      stop('test done');
      return serving;
    };

    const first = await serveOnce(2);
    expect(first.code).toBe(0);
    expect(first.err).toMatch(/SQL models changed since the last run/);
    const after = await runs();
    expect(after, `${first.err}\n${log.join('\n')}`).toHaveLength(2);
    expect(after[1]).toMatchObject({ status: 'succeeded', models_sha256: current });

    const second = await serveOnce(2);
    expect(second.err).not.toMatch(/SQL models changed/);
    expect(await runs()).toHaveLength(2);
  });
});
