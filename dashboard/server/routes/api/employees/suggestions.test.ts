// Suggested moves on the dashboard's API (fixtures/orgs/mobility, loaded through runPipeline, worked by hand
// in its README), with a reporting line added so a manager's scope can be tested:
//   A01 Ana ── A02 Ben ─┬─ A09 Ivy          A03 Cleo ── A04 Dev        everyone else reports to nobody
//                       └─ A10 Jon
// The manager below is Ben (A02): he sees A02, A09 and A10.
// Covered: the employee's suggestions with gaps as rows (= the mart's skills_to_close text), the retention
// page's best move per no-path person, the hidden bench, and the career_plans CSV (exact header and rows,
// created on the pinned clock's day) loading back through the pipeline as career_plans without a reject.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { all, type Db } from '../../../../../pipeline/src/db.ts';
import { loginAs } from '../../../auth/test-helpers.ts';
import { invalidateCatalog } from '../../../context.ts';
import { ADMIN, orgServer } from '../../../test-org.ts';

const TODAY = '2026-07-02'; // the server clock (pinned), not as_of (2026-06-30)
const MANAGERS: Record<string, string> = { A02: 'A01', A09: 'A02', A10: 'A02', A04: 'A03' };

let app: FastifyInstance;
let db: Db;
let asOf: string;
let inbox: string;
let manager: Record<string, string>;

beforeAll(async () => {
  ({ app, db, asOf, inbox } = await orgServer('mobility', {}, {
    auth: { now: () => new Date(`${TODAY}T09:30:00Z`) },
    edit: (dir) => {
      const file = path.join(dir, 'employees.csv');
      const [header, ...lines] = fs.readFileSync(file, 'utf8').trim().split('\n');
      const col = header.split(',').indexOf('manager_id');
      const edited = lines.map((line) => {
        const cells = line.split(',');
        cells[col] = MANAGERS[cells[0]] ?? '';
        return cells.join(',');
      });
      fs.writeFileSync(file, `${[header, ...edited].join('\n')}\n`);
    },
  }));
  manager = (await loginAs(app, 'manager', { employeeId: 'A02' })).headers;
}, 120_000);
afterAll(async () => { await app?.close(); db?.close(); });

const get = (url: string, headers: Record<string, string> = ADMIN) => app.inject({ method: 'GET', url, headers });
const exportPlans = (moves: { employee_id: string; role_id: string }[], headers: Record<string, string> = ADMIN) =>
  app.inject({ method: 'POST', url: '/api/employees/career-plans', headers: { ...headers, 'x-trellis-csrf': '1' }, payload: { moves } });
async function sql<T = Record<string, unknown>>(text: string, params?: Record<string, string>): Promise<T[]> {
  const conn = await db.connect();
  try { return (await all(conn, text, params)) as T[]; } finally { conn.closeSync(); }
}
type Gap = { skill_id: string; skill_name: string; current_level: number; required_level: number; importance: number };
type Suggestion = { rank: number; role_id: string; kind: string; coverage: number | null; skills_to_close: string | null; n_skills_to_close: number; gaps: Gap[] };

describe('GET /api/employees/:id/suggestions', () => {
  it("Ana's five suggestions in the mart's order, with her gaps as rows (README)", async () => {
    const res = await get('/api/employees/A01/suggestions');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.asOf).toBe(asOf);
    const rows = body.rows as Suggestion[];
    expect(rows.map((r) => `${r.rank} ${r.role_id} ${r.kind}`)).toEqual(
      ['1 D3 two_step', '2 D2 progression', '3 E3 progression', '4 O1 lateral', '5 O2 lateral']);
    expect(rows[0].coverage).toBeCloseTo(8 / 13, 9);
    expect(rows[0].gaps).toEqual([
      { skill_id: 'SQL', skill_name: 'SQL', current_level: 2, required_level: 3, importance: 3 },
      { skill_id: 'STAT', skill_name: 'Statistics', current_level: 1, required_level: 2, importance: 2 },
    ]);
    expect(rows.slice(1).every((r) => r.gaps.length === 0)).toBe(true);
  });

  it('a skill never assessed is a gap from level 0 (Finn → D2: Statistics 0→1)', async () => {
    const d2 = ((await get('/api/employees/A06/suggestions')).json().rows as Suggestion[]).find((r) => r.role_id === 'D2')!;
    expect(d2.gaps.map((g) => [g.skill_name, g.current_level, g.required_level])).toEqual([['SQL', 1, 2], ['Statistics', 0, 1]]);
  });

  it('for everyone, the gap rows say exactly what the mart’s skills_to_close says', async () => {
    const people = await sql<{ employee_id: string }>('select employee_id from int_employees_active order by 1');
    let compared = 0;
    for (const { employee_id } of people) {
      const rows = (await get(`/api/employees/${employee_id}/suggestions`)).json().rows as Suggestion[];
      const mart = await sql<{ role_id: string; skills_to_close: string | null; n_skills_to_close: number }>(
        'select role_id, skills_to_close, n_skills_to_close from mobility_matches where employee_id = $id order by rank', { id: employee_id });
      expect(rows.map((r) => r.role_id)).toEqual(mart.map((m) => m.role_id));
      rows.forEach((r, i) => {
        const text = r.gaps.map((g) => `${g.skill_name} ${g.current_level}→${g.required_level}`).join('; ');
        expect(text || null).toBe(mart[i].skills_to_close);
        expect(r.gaps.length).toBe(Number(mart[i].n_skills_to_close));
        compared++;
      });
    }
    expect(compared).toBe(30); // every row of expected/mobility_matches.csv
  });

  it('someone with nothing to suggest gets an empty list; an unknown id a 404', async () => {
    expect((await get('/api/employees/A11/suggestions')).json().rows).toEqual([]);
    expect((await get('/api/employees/NOPE/suggestions')).statusCode).toBe(404);
  });

  it('a manager sees the suggestions of their subtree only (404 outside, like the profile)', async () => {
    expect((await get('/api/employees/A09/suggestions', manager)).json().rows.map((r: Suggestion) => r.role_id)).toEqual(['E4', 'E5', 'P3']);
    expect((await get('/api/employees/A02/suggestions', manager)).statusCode).toBe(200);
    for (const id of ['A01', 'A03', 'A05']) {
      const res = await get(`/api/employees/${id}/suggestions`, manager);
      expect(res.statusCode).toBe(404);
      expect(res.body).not.toMatch(/D3|two_step|lateral/);
    }
  });
});

describe('GET /api/retention/best-moves', () => {
  it('each no-path person with their rank-1 suggestion (null when there is none), as the marts say', async () => {
    const body = (await get('/api/retention/best-moves?limit=1000&sort=employee_id&order=asc')).json();
    const expected = await sql<{ employee_id: string; role_id: string | null }>(`
      select c.employee_id, m.role_id from career_path_state c
      left join mobility_matches m on m.employee_id = c.employee_id and m.rank = 1
      where c.path_state = 'no_path' order by c.employee_id`);
    expect(expected.length).toBeGreaterThan(3);
    expect(body.rows.map((r: { employee_id: string; suggested_role_id: string | null }) => [r.employee_id, r.suggested_role_id]))
      .toEqual(expected.map((e) => [e.employee_id, e.role_id]));
    const ana = body.rows.find((r: { employee_id: string }) => r.employee_id === 'A01');
    expect(ana).toMatchObject({ suggested_role_id: 'D3', suggested_title: expect.any(String), kind: 'two_step', n_skills_to_close: 2,
      skills_to_close: 'SQL 2→3; Statistics 1→2', has_open_need: true });
    expect(body.rows.some((r: { employee_id: string }) => r.employee_id === 'A06')).toBe(false); // Finn has an active plan
  });

  it('a manager: their subtree; another manager’s team is a 403', async () => {
    const body = (await get('/api/retention/best-moves?limit=1000', manager)).json();
    const inside = new Set(['A02', 'A09', 'A10']);
    expect(body.rows.length).toBeGreaterThan(0);
    expect(body.rows.every((r: { employee_id: string }) => inside.has(r.employee_id))).toBe(true);
    expect((await get('/api/retention/best-moves?manager=A03', manager)).statusCode).toBe(403);
    const direct = (await get('/api/retention/best-moves?reports=direct&limit=1000', manager)).json();
    expect(direct.rows.every((r: { employee_id: string }) => ['A09', 'A10'].includes(r.employee_id))).toBe(true);
  });
});

describe('GET /api/talent-needs/hidden-bench', () => {
  const bench = (rows: { role_id: string; rank: number; employee_id: string }[]) => rows.map((r) => `${r.role_id} ${r.rank} ${r.employee_id}`);

  it('the roles in need with their candidates beyond the nominations (README)', async () => {
    const body = (await get('/api/talent-needs/hidden-bench?limit=1000')).json();
    expect(bench(body.rows)).toEqual(['D3 1 A02', 'D3 2 A07', 'D3 3 A01', 'E5 1 A02', 'E5 2 A10']);
    expect(body.rows[4]).toMatchObject({ full_name: 'Jon New', current_role_id: 'E3', performance: null, rank_in_suggestions: 2,
      is_critical_without_ready_now: true });
  });

  it('critical=true: the critical roles without a ready-now successor (Succession)', async () => {
    expect(bench((await get('/api/talent-needs/hidden-bench?critical=true')).json().rows)).toEqual(['E5 1 A02', 'E5 2 A10']);
    expect(bench((await get('/api/talent-needs/hidden-bench?role=D3&sort=rank&order=desc')).json().rows)).toEqual(['D3 3 A01', 'D3 2 A07', 'D3 1 A02']);
  });

  it('a manager sees the candidates from their subtree only', async () => {
    expect(bench((await get('/api/talent-needs/hidden-bench?limit=1000', manager)).json().rows)).toEqual(['D3 1 A02', 'E5 1 A02', 'E5 2 A10']);
  });
});

describe('POST /api/employees/career-plans', () => {
  it('is the import contract’s career_plans CSV: exact header, one row per chosen move, active, created today', async () => {
    const res = await exportPlans([
      { employee_id: 'A02', role_id: 'E4' }, { employee_id: 'A01', role_id: 'D3' }, { employee_id: 'A02', role_id: 'E4' },
    ]);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toBe(`attachment; filename="career_plans-${TODAY}.csv"`);
    expect(res.body).toBe(`employee_id,target_role_id,created_on,status\r\nA01,D3,${TODAY},active\r\nA02,E4,${TODAY},active\r\n`);
  });

  it('refuses a move that is not suggested (400), and a manager anyone outside their subtree (403)', async () => {
    const notSuggested = await exportPlans([{ employee_id: 'A01', role_id: 'E5' }]); // +3 levels: never suggested
    expect(notSuggested.statusCode).toBe(400);
    expect(notSuggested.json().message).toMatch(/A01 → E5/);
    expect((await exportPlans([], ADMIN)).statusCode).toBe(400);
    const outside = await exportPlans([{ employee_id: 'A10', role_id: 'E4' }, { employee_id: 'A01', role_id: 'D3' }], manager);
    expect(outside.statusCode).toBe(403);
    expect(outside.body).not.toMatch(/A10/); // only the refused pair is named
    const inside = await exportPlans([{ employee_id: 'A10', role_id: 'E4' }, { employee_id: 'A09', role_id: 'E5' }], manager);
    expect(inside.statusCode).toBe(200);
    expect(inside.body).toBe(`employee_id,target_role_id,created_on,status\r\nA09,E5,${TODAY},active\r\nA10,E4,${TODAY},active\r\n`);
  });

  // The Retention page's best moves and the hidden bench (Talent needs, Succession) export their ticked rows
  // through the same endpoint: each row shown there is a suggestion of that person.
  const pairsOf = (rows: { employee_id: string; role_id: string }[]) => rows.map((r) => ({ employee_id: r.employee_id, role_id: r.role_id }));
  const csvOf = (pairs: { employee_id: string; role_id: string }[]) => ['employee_id,target_role_id,created_on,status',
    ...[...new Set(pairs.map((p) => `${p.employee_id},${p.role_id}`))].sort().map((p) => `${p},${TODAY},active`)].join('\r\n') + '\r\n';
  const bestMoves = async (headers: Record<string, string> = ADMIN) => (await get('/api/retention/best-moves?limit=1000', headers)).json().rows
    .filter((r: { suggested_role_id: string | null }) => r.suggested_role_id)
    .map((r: { employee_id: string; suggested_role_id: string }) => ({ employee_id: r.employee_id, role_id: r.suggested_role_id }));
  const hiddenBench = async (headers: Record<string, string> = ADMIN) =>
    pairsOf((await get('/api/talent-needs/hidden-bench?limit=1000', headers)).json().rows);

  it('exports every best move and every hidden-bench row as shown (each is a suggestion of that person)', async () => {
    const moves = await bestMoves();
    const bench = await hiddenBench();
    expect(moves.length).toBeGreaterThan(2);
    expect(bench.length).toBe(5);
    for (const chosen of [moves, bench, [...moves, ...bench]]) {
      const res = await exportPlans(chosen);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.body).toBe(csvOf(chosen));
    }
  });

  it('a manager exports the best moves and hidden bench of their subtree; any row outside it is a 403 naming only it', async () => {
    const mine = [...(await bestMoves(manager)), ...(await hiddenBench(manager))];
    expect(mine.map((m) => `${m.employee_id} ${m.role_id}`)).toEqual(expect.arrayContaining(['A02 D3', 'A10 E5']));
    const res = await exportPlans(mine, manager);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.body).toBe(csvOf(mine));
    // the hidden bench an admin sees has D3's A07 and A01, outside Ben's subtree
    const outside = (await hiddenBench()).filter((b) => !['A02', 'A09', 'A10'].includes(b.employee_id));
    expect(outside.map((m) => `${m.employee_id} ${m.role_id}`)).toEqual(['A07 D3', 'A01 D3']);
    const refused = await exportPlans([...mine, ...outside], manager);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().message).toBe('Not a suggested move of someone in your part of the org: A01 → D3, A07 → D3');
    // and another manager's best moves (Cleo's team) likewise
    const cleo = await bestMoves((await loginAs(app, 'manager', { employeeId: 'A03' })).headers);
    expect(cleo.length).toBeGreaterThan(0);
    expect((await exportPlans(cleo, manager)).statusCode).toBe(403);
  });

  it('loads back through the pipeline as career_plans without a reject (round trip)', async () => {
    const csv = (await exportPlans([{ employee_id: 'A01', role_id: 'D3' }, { employee_id: 'A09', role_id: 'E4' }, { employee_id: 'A05', role_id: 'E2' }])).body;
    fs.writeFileSync(path.join(inbox, 'career_plans.csv'), csv);
    const { runPipeline } = await import('../../../../../pipeline/src/run.ts');
    const summary = await runPipeline(db, { inbox, asOf, trigger: 'cli', clock: () => new Date('2026-07-02T10:00:00Z') });
    invalidateCatalog();
    expect(summary.status).toBe('succeeded');
    const runId = (await sql<{ id: number }>('select max(run_id)::int as id from runs'))[0].id;
    expect(await sql('select file, dataset, status, rows_read::int as n, rows_loaded::int as loaded, rows_rejected::int as rejected, rows_warned::int as warned from run_files where run_id = $r',
      { r: String(runId) })).toEqual([{ file: 'career_plans.csv', dataset: 'career_plans', status: 'loaded', n: 3, loaded: 3, rejected: 0, warned: 0 }]);
    expect(await sql('select count(*)::int as n from rejects where run_id = $r', { r: String(runId) })).toEqual([{ n: 0 }]);
    expect(await sql(`select employee_id, target_role_id, created_on::varchar as created_on, status from stg_career_plans order by all`)).toEqual([
      { employee_id: 'A01', target_role_id: 'D3', created_on: TODAY, status: 'active' },
      { employee_id: 'A05', target_role_id: 'E2', created_on: TODAY, status: 'active' },
      { employee_id: 'A09', target_role_id: 'E4', created_on: TODAY, status: 'active' },
    ]);
  });
});
