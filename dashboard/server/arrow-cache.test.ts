// The Arrow answer cache: kept per data version, URL and caller scope, within its byte budget; through
// the real server the kept answer is byte-for-byte the computed one and a manager never gets an admin's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableFromIPC } from 'apache-arrow';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { FastifyInstance } from 'fastify';
import { exec, type Db } from '../../pipeline/src/db.ts';
import { arrowByVersion } from './arrow-cache.ts';
import type { ArrowBytes } from './arrow.ts';
import { loginAs } from './auth/test-helpers.ts';
import { invalidateCatalog } from './context.ts';
import { ADMIN, testServer } from './test-org.ts';

const ARROW = { accept: 'application/vnd.apache.arrow.stream' };

let app: FastifyInstance;
let db: Db;
let conn: DuckDBConnection;
beforeAll(async () => {
  ({ app, db } = await testServer());
  conn = await db.connect();
});
afterAll(async () => { conn.closeSync(); await app.close(); db.close(); });

/** An answer of `n` retained bytes, numbered so tests can tell which computation it came from. */
function bytesOf(n: number, id: number): ArrowBytes {
  return { chunks: [new Uint8Array(n).fill(id)], byteLength: n, retainedBytes: n };
}

describe('arrowByVersion', () => {
  it('computes once per data version and key; again after a successful run', async () => {
    let calls = 0;
    const compute = async () => bytesOf(10, ++calls);
    const key = `${db.path}|unit-a`;
    expect((await arrowByVersion(conn, key, compute)).chunks[0][0]).toBe(1);
    expect((await arrowByVersion(conn, key, compute)).chunks[0][0]).toBe(1);
    expect((await arrowByVersion(conn, `${key}-other`, compute)).chunks[0][0]).toBe(2);
    await exec(conn, "insert into runs (run_id, started_at, finished_at, as_of, trigger, status, error) values (10, now(), now(), '2026-04-30', 'cli', 'succeeded', null)");
    invalidateCatalog();
    expect((await arrowByVersion(conn, key, compute)).chunks[0][0]).toBe(3);
    await exec(conn, 'delete from runs where run_id = 10');
    invalidateCatalog();
  });

  it('keeps answers within the byte budget, least recently used out first, none over a quarter of it', async () => {
    let calls = 0;
    const budget = 1000;
    const get = (name: string, n: number) => arrowByVersion(conn, `${db.path}|lru-${name}`, async () => bytesOf(n, ++calls), budget);
    await get('a', 200); // 1
    await get('b', 200); // 2
    await get('big', 300); // 3: over a quarter of the budget, not kept
    expect((await get('big', 300)).chunks[0][0]).toBe(4);
    await get('a', 200); // kept: a is now the most recently used
    for (const name of ['c', 'd', 'e', 'f']) await get(name, 200); // pushes out the least recently used
    expect((await get('a', 200)).chunks[0][0]).toBe(1);
    expect((await get('b', 200)).chunks[0][0]).not.toBe(2); // b was evicted and computed again
  });
});

describe('Arrow list answers through the server', () => {
  const url = '/api/retention?limit=100000';

  it('the kept answer is the computed answer, and is replaced after a run', async () => {
    const first = await app.inject({ url, headers: { ...ADMIN, ...ARROW } });
    expect(first.statusCode).toBe(200);
    expect(first.headers['x-total-count']).toBe('6');
    const second = await app.inject({ url, headers: { ...ADMIN, ...ARROW } });
    expect(second.headers['x-total-count']).toBe('6');
    expect(Buffer.compare(second.rawPayload, first.rawPayload)).toBe(0);
    expect(tableFromIPC(second.rawPayload).numRows).toBe(6);
    // The data changes only with a run: a row written without one is not seen, after a run it is.
    await exec(conn, "update retention_risk set score = 1 where employee_id = 'E1'");
    const stale = tableFromIPC((await app.inject({ url, headers: { ...ADMIN, ...ARROW } })).rawPayload);
    expect(stale.getChild('score')!.get(0)).toBe(75);
    await exec(conn, "insert into runs (run_id, started_at, finished_at, as_of, trigger, status, error) values (11, now(), now(), '2026-03-31', 'cli', 'succeeded', null)");
    invalidateCatalog();
    const fresh = tableFromIPC((await app.inject({ url, headers: { ...ADMIN, ...ARROW } })).rawPayload);
    const json = (await app.inject({ url, headers: ADMIN })).json() as { rows: { employee_id: string; score: number }[] };
    expect(fresh.toArray().map((r) => [r.employee_id, r.score])).toEqual(json.rows.map((r) => [r.employee_id, r.score]));
    expect(json.rows.find((r) => r.employee_id === 'E1')!.score).toBe(1);
  });

  it("a manager's answer is their own, whatever an admin asked before", async () => {
    const admin = tableFromIPC((await app.inject({ url, headers: { ...ADMIN, ...ARROW } })).rawPayload);
    expect(admin.numRows).toBe(6);
    const manager = (await loginAs(app, 'manager', { employeeId: 'E5', username: 'mgr-e5-cache' })).headers;
    const res = await app.inject({ url, headers: { ...manager, ...ARROW } });
    expect(res.statusCode).toBe(200);
    expect(tableFromIPC(res.rawPayload).toArray().map((r) => r.employee_id).sort()).toEqual(['E5', 'E6']);
    expect(res.headers['x-total-count']).toBe('2');
  });
});
