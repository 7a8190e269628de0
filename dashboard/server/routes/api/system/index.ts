// GET /api/health (public), GET /api/docs (OpenAPI), GET /api/meta (as-of, last run, last good run, user and
// the employee their account stands for, retention factors left out of the scores).
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { userOf, hasTable } from '../../../context.ts';
import { FACTORS_OFF_SQL, factorsOffText, type FactorOff } from '../../../../../pipeline/src/factors-off.ts';
import { SERVING_STATUS_SQL } from '../../../../../pipeline/src/run-outcome.ts';
import { readOne, readRows } from '../../../rows.ts';
import { Int, Str, errors } from '../../../schemas.ts';
import { ROLES } from '../../../auth/user.ts';
import { linkedEmployee } from '../../../../../pipeline/src/users.ts';

const RunBrief = Type.Union([Type.Null(), Type.Object({
  runId: Type.Integer(),
  status: Type.String(),
  asOf: Str(),
  startedAt: Str(),
  finishedAt: Str(),
  trigger: Str(),
  error: Str(),
})]);

const UserBrief = Type.Union([Type.Null(), Type.Object({
  username: Type.String(),
  role: Type.String(),
  employeeId: Str(),
})]);

/** Risk factors off because a source was never loaded (the retention_factors mart), and the words for it. */
const FactorsOff = Type.Object({
  factors: Type.Array(Type.Object({ factor: Type.String(), reason: Type.String() })),
  text: Str({ description: 'e.g. "4 factors: no check-ins loaded (low_pulse, pulse_drop, checkins_lapsed, no_career_talk)"; null when none is off' }),
});

/** The employee a manager's or employee's account is linked to (pipeline/src/users.ts linkedEmployee). */
const LinkedEmployee = Type.Union([Type.Null(), Type.Object({
  employeeId: Type.String(),
  fullName: Str({ description: 'null when the id is not in the loaded employees' }),
  terminationDate: Str(),
  active: Type.Boolean({ description: 'active as of the data date: false leaves every page of a manager or employee empty' }),
})]);

const RUN_SQL = `select run_id::int as "runId", status, strftime(as_of::date, '%Y-%m-%d') as "asOf",
  started_at as "startedAt", finished_at as "finishedAt", trigger, error from runs`;

export default async function system(app: FastifyInstance) {
  app.get('/health', {
    schema: { summary: 'Liveness', tags: ['system'], response: { 200: Type.Object({ status: Type.Literal('ok') }) } },
    config: { public: true },
  }, async () => ({ status: 'ok' as const }));

  app.get('/docs', {
    schema: { summary: 'OpenAPI description of this API', tags: ['system'], hide: true },
    config: { public: true },
  }, async () => app.swagger());

  // Every role: an employee gets the data date and their own account only (no runs, no org-wide factors).
  app.get('/meta', {
    config: { roles: ROLES },
    schema: {
      summary: 'Data as-of date, the last run and the last good run, the signed-in user',
      tags: ['system'],
      response: {
        200: Type.Object({ asOf: Str(), runId: Int(), lastRun: RunBrief, lastGoodRun: RunBrief, user: UserBrief, linkedEmployee: LinkedEmployee, factorsOff: FactorsOff }),
        ...errors,
      },
    },
  }, async (request) => {
    const user = userOf(request);
    const { lastRun, lastGoodRun, off, linked } = await app.reads.use(async (conn) => {
      const off: FactorOff[] = (await hasTable(conn, 'retention_factors'))
        ? (await readRows(conn, FACTORS_OFF_SQL)).map((r) => ({ factor: String(r.factor), reason: String(r.reason) })) : [];
      // whom a scoped account stands for, once data is loaded (one who left sees no one: the layout says why)
      const linked = user?.employeeId ? await linkedEmployee(conn, user.employeeId) : null;
      if (!(await hasTable(conn, 'runs'))) return { lastRun: null, lastGoodRun: null, off, linked };
      return {
        lastRun: (await readOne(conn, `${RUN_SQL} order by run_id desc limit 1`)) ?? null,
        lastGoodRun: (await readOne(conn, `${RUN_SQL} where ${SERVING_STATUS_SQL} order by run_id desc limit 1`)) ?? null,
        off,
        linked,
      };
    });
    const self = user?.role === 'employee';
    return {
      asOf: (lastGoodRun?.asOf as string) ?? null,
      runId: (lastGoodRun?.runId as number) ?? null,
      lastRun: self ? null : lastRun,
      lastGoodRun: self ? null : lastGoodRun,
      user: user ? { username: user.username, role: user.role, employeeId: user.employeeId } : null,
      linkedEmployee: linked,
      factorsOff: self ? { factors: [], text: null } : { factors: off, text: factorsOffText(off) },
    };
  });
}
