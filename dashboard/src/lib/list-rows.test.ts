// getAllRows against the real server on the tiny test org: the JSON and the Arrow path give the same
// rows, the Arrow path is taken only when the list is larger than the JSON limit; arrowRows keeps nulls.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableFromArrays, tableFromIPC, tableToIPC, Table, vectorFromArray, Int32, Bool, Utf8, Int64 } from 'apache-arrow';
import type { FastifyInstance } from 'fastify';
import type { Db } from '../../../pipeline/src/db.ts';
import { ADMIN, testServer } from '../../server/test-org.ts';
import { arrowRows } from './arrow-rows.ts';
import { getAllRows } from './list-rows.ts';

let app: FastifyInstance;
let db: Db;
let dir: string;
let base: string;
const requests: string[] = [];
const authFetch: typeof fetch = (input, init) => {
  const headers = { ...(init?.headers as Record<string, string>), ...ADMIN };
  requests.push(`${headers.accept} ${String(input)}`);
  return fetch(base + String(input), { ...init, headers });
};

beforeAll(async () => {
  ({ app, db, dir } = await testServer());
  base = await app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => { await app.close(); db.close(); fs.rmSync(dir, { recursive: true, force: true }); });

describe('getAllRows', () => {
  it.each([
    ['a list within the JSON limit comes as JSON', 100, 'json'],
    ['a larger list comes as Arrow', 2, 'arrow'],
  ])('%s', async (_name, jsonLimit, via) => {
    const expected = (await app.inject({ method: 'GET', url: '/api/retention?sort=score&order=desc&limit=1000', headers: ADMIN })).json();
    requests.length = 0;
    const got = await getAllRows('/api/retention', { sort: 'score', order: 'desc' }, authFetch, jsonLimit);
    expect(got.via).toBe(via);
    expect(got.total).toBe(expected.total);
    expect(got.rows).toEqual(expected.rows);
    expect(got.asOf).toBe(expected.asOf);
    expect(requests.some((r) => r.startsWith('application/vnd.apache.arrow.stream'))).toBe(via === 'arrow');
  });

  it('passes filters on to both requests', async () => {
    const got = await getAllRows('/api/retention', { band: 'high' }, authFetch, 1);
    expect(got.via).toBe('arrow');
    expect(got.rows.map((r) => r.band)).toEqual(got.rows.map(() => 'high'));
    expect(got.rows.length).toBeGreaterThan(1);
  });
});

describe('arrowRows', () => {
  it.each([
    ['int with a null', vectorFromArray([1, null, 3], new Int32()), [1, null, 3]],
    ['bool with a null', vectorFromArray([true, null, false], new Bool()), [true, null, false]],
    ['text with a null', vectorFromArray(['a', null, 'c'], new Utf8()), ['a', null, 'c']],
    ['64-bit ints become numbers', vectorFromArray([1n, null, 3n], new Int64()), [1, null, 3]],
  ])('%s', (_name, vector, values) => {
    const table = tableFromIPC(tableToIPC(new Table({ v: vector })));
    expect(arrowRows(table)).toEqual(values.map((v) => ({ v })));
  });

  it('keeps the column names and order of rows', () => {
    const table = tableFromArrays({ id: ['x', 'y'], n: new Int32Array([5, 6]) });
    expect(arrowRows(table)).toEqual([{ id: 'x', n: 5 }, { id: 'y', n: 6 }]);
  });
});
