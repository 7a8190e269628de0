// Every table's columns against the server's response schemas (the OpenAPI document of a real
// buildServer): a column must name a field of the route's rows unless the page computes it.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Db } from '../../../pipeline/src/db.ts';
import { ADMIN, testServer } from '../../server/test-org.ts';
import { TABLES, columnsOf, type TableSpec } from './tables.ts';

type Schema = { type?: string | string[]; properties?: Record<string, Schema>; items?: Schema; anyOf?: Schema[] };

let app: FastifyInstance;
let db: Db;
let dir: string;
let paths: Record<string, { get?: { responses: Record<string, { content?: Record<string, { schema: Schema }> }> } }>;

beforeAll(async () => {
  ({ app, db, dir } = await testServer());
  paths = (await app.inject({ method: 'GET', url: '/api/docs', headers: ADMIN })).json().paths;
});
afterAll(async () => { await app.close(); db.close(); fs.rmSync(dir, { recursive: true, force: true }); });

/** The field names of the rows at `at` in the 200 answer of GET `api`. */
function rowFields(api: string, at: string[]): string[] {
  const route = paths[api]?.get;
  if (!route) throw new Error(`no GET ${api} in the OpenAPI document (routes: ${Object.keys(paths).join(', ')})`);
  let s: Schema | undefined = route.responses['200']?.content?.['application/json']?.schema;
  const unwrap = (x: Schema | undefined): Schema | undefined => {
    if (x?.anyOf) return unwrap(x.anyOf.find((a) => a.type !== 'null'));
    if (x?.items) return unwrap(x.items);
    return x;
  };
  for (const key of at) s = unwrap(unwrap(s)?.properties?.[key]);
  if (!s?.properties) throw new Error(`GET ${api}: no rows with properties at ${at.join('.')}`);
  return Object.keys(s.properties);
}

const sourced = Object.entries(TABLES as Record<string, TableSpec>).filter(([, t]) => t.source);

describe('table columns name fields of the API rows', () => {
  it.each(sourced)('%s', (_name, table) => {
    const fields = rowFields(table.source!.api, table.source!.at);
    const computed = table.computed ?? [];
    const missing = table.columns.map((c) => c.key).filter((k) => !computed.includes(k) && !fields.includes(k));
    expect(missing, `columns not in GET ${table.source!.api} rows (fields: ${fields.join(', ')})`).toEqual([]);
    // A computed key the API now sends would shadow or be shadowed by the API's field.
    expect(computed.filter((k) => fields.includes(k))).toEqual([]);
  });

  it('notices a field the API does not have', () => {
    const fields = rowFields('/api/succession/roles/{roleId}', ['candidates']);
    expect(fields).toContain('current_role_id');
    expect(fields).not.toContain('current_role_title');
  });
});

describe('columnsOf', () => {
  it('merges page additions by key and refuses unknown keys', () => {
    const href = () => '/x';
    const cols = columnsOf(TABLES.retention, { full_name: { href } });
    expect(cols.find((c) => c.key === 'full_name')?.href).toBe(href);
    expect(cols.map((c) => c.key)).toEqual(TABLES.retention.columns.map((c) => c.key));
    expect(() => columnsOf(TABLES.retention, { role_title: { href } })).toThrow(/role_title/);
  });
});
