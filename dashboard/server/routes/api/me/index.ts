// GET /api/me (the whole "My path" page) and its parts GET /api/me/path, /api/me/goals,
// /api/me/check-ins: the caller's own role, path, skills to close, suggested moves, goals and
// check-ins, with what to do next in plain words. Whose data it is comes from the signed-in account's
// employee id only; no route takes an id, and any query parameter is refused (400). Open to
// every role (it is always about the caller): the one part of the API an employee may use.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { DuckDBConnection } from '@duckdb/node-api';
import { ROLES } from '../../../auth/user.ts';
import { dataVersion, userOf } from '../../../context.ts';
import { NotFoundError } from '../../../errors.ts';
import type { PlainRow } from '../../../rows.ts';
import { Bool, Int, Num, Row, Str, errors } from '../../../schemas.ts';
import { readCheckIns, readGoals, readMoves, readPath, readPerson } from './data.ts';
import { goalLinkWords, moveWords, nextSteps, pathStateWords, timeInRoleWords, type GoalFacts } from './words.ts';

const Person = Row({
  employee_id: Type.String(), full_name: Str(), department: Str(), role_id: Str(), role_title: Str(), role_level: Int(),
  job_family: Str(), manager_name: Str(), hire_date: Str(), role_start_date: Str(), months_in_role: Int(),
  time_in_role: Str({ description: 'months_in_role in words, e.g. "2 years and 3 months"' }),
});
const Target = Row({
  role_id: Type.String(), title: Str(), level: Int(), target_kind: Str({ description: 'path, or default_next: the suggested next step of someone without a path' }),
  is_from_plan: Bool(), is_from_goal: Bool(), coverage: Num(), n_skills_to_close: Int(),
});
const SkillToClose = Row({
  target_role_id: Type.String(), skill_id: Type.String(), skill_name: Str(), current_level: Int(), required_level: Int(),
  gap: Int(), importance: Int(),
});
const Path = Type.Object({
  state: Str({ description: 'career_path_state.path_state' }),
  words: Type.String({ description: 'the state in plain words' }),
  targets: Type.Array(Target),
  skills: Type.Array(SkillToClose, { description: 'every skill below the level a target role asks for, most important first' }),
}, { additionalProperties: false });
const Moves = Type.Object({
  source: Str({ description: 'mobility_matches, or progressions when that mart was not built; null when neither can be read' }),
  rows: Type.Array(Row({
    rank: Int(), role_id: Type.String(), title: Str(), kind: Str(), words: Type.String(), level_change: Int(), coverage: Num(),
    n_skills_to_close: Int(), skills_to_close: Str(), is_path_target: Bool(),
  })),
}, { additionalProperties: false });
const Goals = Type.Object({
  loaded: Type.Boolean({ description: 'whether any goals were imported at all' }),
  rows: Type.Array(Row({
    goal_id: Type.String(), title: Str(), status: Str(), progress: Num(), due_on: Str(), completed_on: Str(),
    objective_id: Str(), objective_title: Str(), company_objective_title: Str(), is_aligned: Bool(),
    target_role_id: Str(), target_role_title: Str(), skill_id: Str(), skill_name: Str(), is_path_linked: Bool(), is_live: Bool(),
    links: Type.String({ description: 'how the goal links to company objectives and to the path, in words' }),
  })),
}, { additionalProperties: false });
const CheckIns = Type.Object({
  loaded: Type.Boolean({ description: 'whether any check-ins were imported at all' }),
  n: Type.Integer(),
  n_career: Type.Integer({ description: 'check-ins where their career was discussed' }),
  last_career_talk: Str({ description: 'week_of of the latest check-in where their career was discussed' }),
  rows: Type.Array(Row({ week_of: Type.String(), career_discussed: Type.Boolean(), manager_replied: Bool() })),
}, { additionalProperties: false });
const Version = { asOf: Str(), runId: Int() };

const Me = Type.Object({
  person: Person, path: Path, moves: Moves, goals: Goals, checkIns: CheckIns,
  nextSteps: Type.Array(Type.String(), { description: 'what to do next, in plain words, most important first' }),
  ...Version,
}, { additionalProperties: false });

/** No query parameters: anything sent is a 400 (no parameter can name another person). */
const NoQuery = Type.Object({}, { additionalProperties: false });
const self = { roles: ROLES };

/** The caller's own employee id, or a 404 that says why there is no page. */
function ownId(request: FastifyRequest): string {
  const user = userOf(request);
  if (!user?.employeeId) throw new NotFoundError('Your account is not linked to an employee, so there is no career path to show');
  return user.employeeId;
}

interface Context { conn: DuckDBConnection; p: { id: string; as_of: string }; version: Awaited<ReturnType<typeof dataVersion>>; person: PlainRow }

async function withPerson<T>(app: FastifyInstance, request: FastifyRequest, read: (c: Context) => Promise<T>): Promise<T> {
  const id = ownId(request);
  return app.reads.use(async (conn) => {
    const version = await dataVersion(conn);
    const p = { id, as_of: version.asOf ?? '9999-12-31' };
    const person = await readPerson(conn, p);
    if (!person) throw new NotFoundError(`There is no current data about you (employee ${id}) in what was loaded`);
    return read({ conn, p, version, person });
  });
}

async function pathOf(c: Context) {
  const path = await readPath(c.conn, c.p);
  return { state: path.state, words: pathStateWords(path.state), targets: path.targets, skills: path.skills };
}

async function movesOf(c: Context) {
  const moves = await readMoves(c.conn, c.p, (c.person.role_id as string | null) ?? null);
  return { source: moves.source, rows: moves.rows.map((m) => ({ ...m, words: moveWords(m.kind as string | null, m.level_change as number | null) })) };
}

async function goalsOf(c: Context) {
  const goals = await readGoals(c.conn, c.p);
  return { loaded: goals.loaded, rows: goals.rows.map((g) => ({ ...g, links: goalLinkWords(g as unknown as GoalFacts) })) };
}

async function checkInsOf(c: Context) {
  const { loaded, rows } = await readCheckIns(c.conn, c.p);
  const career = rows.filter((r) => r.career_discussed === true);
  return { loaded, n: rows.length, n_career: career.length, last_career_talk: (career[0]?.week_of as string | undefined) ?? null, rows };
}

const personOf = (c: Context) => ({ ...c.person, time_in_role: timeInRoleWords(c.person.months_in_role as number | null) });

export default async function me(app: FastifyInstance) {
  const schema = (summary: string, body: object) => ({ summary, tags: ['me'], querystring: NoQuery, response: { 200: body, ...errors } });

  app.get('/', { config: self, schema: schema('My path: my role, path, skills to close, suggested moves, goals, check-ins and what to do next', Me) },
    async (request) => withPerson(app, request, async (c) => {
      const [path, moves, goals, checkIns] = [await pathOf(c), await movesOf(c), await goalsOf(c), await checkInsOf(c)];
      const steps = nextSteps({
        asOf: c.version.asOf, state: path.state,
        targets: path.targets as never, skills: path.skills as never, moves: moves.rows as never,
        goals: goals.rows as never, checkIns: { loaded: checkIns.loaded, rows: checkIns.rows as never },
      });
      return { person: personOf(c), path, moves, goals, checkIns, nextSteps: steps, ...c.version };
    }));

  app.get('/path', { config: self, schema: schema('My role, my path in words, the target roles with the skills to close, suggested moves',
    Type.Object({ person: Person, path: Path, moves: Moves, ...Version }, { additionalProperties: false })) },
  async (request) => withPerson(app, request, async (c) => ({ person: personOf(c), path: await pathOf(c), moves: await movesOf(c), ...c.version })));

  app.get('/goals', { config: self, schema: schema('My goals and how each links to company objectives and to my path',
    Type.Object({ goals: Goals, ...Version }, { additionalProperties: false })) },
  async (request) => withPerson(app, request, async (c) => ({ goals: await goalsOf(c), ...c.version })));

  app.get('/check-ins', { config: self, schema: schema('My check-ins: when my career was discussed',
    Type.Object({ checkIns: CheckIns, ...Version }, { additionalProperties: false })) },
  async (request) => withPerson(app, request, async (c) => ({ checkIns: await checkInsOf(c), ...c.version })));
}
