// GET /api/health (public), GET /api/docs (OpenAPI), GET /api/meta (as-of, last run, last good run, user).
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { userOf, hasTable } from '../../../context.ts';
import { SERVING_STATUS_SQL } from '../../../../../pipeline/src/run-outcome.ts';
import { readOne } from '../../../rows.ts';
import { Int, Str, errors } from '../../../schemas.ts';

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

  app.get('/meta', {
    schema: {
      summary: 'Data as-of date, the last run and the last good run, the signed-in user',
      tags: ['system'],
      response: { 200: Type.Object({ asOf: Str(), runId: Int(), lastRun: RunBrief, lastGoodRun: RunBrief, user: UserBrief }), ...errors },
    },
  }, async (request) => {
    const { lastRun, lastGoodRun } = await app.reads.use(async (conn) => {
      if (!(await hasTable(conn, 'runs'))) return { lastRun: null, lastGoodRun: null };
      return {
        lastRun: (await readOne(conn, `${RUN_SQL} order by run_id desc limit 1`)) ?? null,
        lastGoodRun: (await readOne(conn, `${RUN_SQL} where ${SERVING_STATUS_SQL} order by run_id desc limit 1`)) ?? null,
      };
    });
    const user = userOf(request);
    return {
      asOf: (lastGoodRun?.asOf as string) ?? null,
      runId: (lastGoodRun?.runId as number) ?? null,
      lastRun, lastGoodRun,
      user: user ? { username: user.username, role: user.role, employeeId: user.employeeId } : null,
    };
  });
}
