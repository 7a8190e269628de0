import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDBConnection } from '@duckdb/node-api';
import { exec, openDb, type Db } from '../../pipeline/src/db.ts';
import { invalidateCatalog, memoByVersion, scopeKey } from './context.ts';

describe('memoByVersion', () => {
  let db: Db;
  let conn: DuckDBConnection;
  beforeAll(async () => {
    db = await openDb(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-memo-')), 'm.duckdb'));
    conn = await db.connect(); // runs: made by openDb's migrations
  });
  afterAll(() => db.close());

  it('computes once per data version and key, again after a new successful run', async () => {
    let calls = 0;
    const compute = async () => ++calls;
    const run = async (sql: string) => { await exec(conn, sql); invalidateCatalog(); }; // as the server's runner does
    expect(await memoByVersion(conn, 'db|k', compute)).toBe(1); // no run yet: never kept
    expect(await memoByVersion(conn, 'db|k', compute)).toBe(2);
    await run("insert into runs (run_id, as_of, status) values (1, date '2026-06-30', 'succeeded')");
    expect(await memoByVersion(conn, 'db|k', compute)).toBe(3);
    expect(await memoByVersion(conn, 'db|k', compute)).toBe(3);
    expect(await memoByVersion(conn, 'db|other', compute)).toBe(4);
    await exec(conn, "insert into runs (run_id, as_of, status) values (2, date '2026-06-30', 'failed')");
    await new Promise((r) => setTimeout(r, 300));
    expect(await memoByVersion(conn, 'db|k', compute)).toBe(3); // a failed run changes no data
    await run("insert into runs (run_id, as_of, status) values (3, date '2026-07-31', 'succeeded')");
    expect(await memoByVersion(conn, 'db|k', compute)).toBe(5);
    // a run elsewhere (no invalidation) shows within the version's 250 ms
    await exec(conn, "insert into runs (run_id, as_of, status) values (4, date '2026-08-31', 'succeeded')");
    await new Promise((r) => setTimeout(r, 300));
    expect(await memoByVersion(conn, 'db|k', compute)).toBe(6);
  });

  it.each([
    [{ username: 'a', role: 'admin' as const, employeeId: null }, 'admin:'],
    [{ username: 'm', role: 'manager' as const, employeeId: 'E7' }, 'manager:E7'],
    [null, 'anonymous'],
  ])('scope key of %o is %s', (user, key) => {
    expect(scopeKey(user)).toBe(key);
  });
});
