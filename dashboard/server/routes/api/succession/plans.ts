// Saved succession plans (docs/access.md "Succession plans"): admins and leaders create and edit a plan
// per critical role, each save a new version (a stale base_version gets 409 with the current plan);
// managers read the plans of the roles held in their subtree. What-if is for admins and leaders.
// GET /disagreements: every saved decision that disagrees with the evidence, over the same plans.
import { Type } from '@sinclair/typebox';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { userOf } from '../../../context.ts';
import { BadRequestError, NotFoundError } from '../../../errors.ts';
import { missingTables } from '../../../list-route.ts';
import { readOne } from '../../../rows.ts';
import { IdParam, Num, Str, errors } from '../../../schemas.ts';
import { isUnscoped } from '../../../scope.ts';
import { DECIDED, type PlanContent } from '../../../plans/changes.ts';
import { listDisagreements } from '../../../plans/disagreements.ts';
import { listPlans, listVersions, PlanConflict, readPlan, roleVisible, savePlan } from '../../../plans/store.ts';
import { whatIf } from '../../../plans/what-if.ts';

const editors = { roles: ['admin', 'leader'] as const };

const Decided = Type.Union(DECIDED.map((d) => Type.Literal(d)));
const Action = Type.Object({
  action: Type.String({ minLength: 1, maxLength: 500 }),
  due_on: Type.Union([Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }), Type.Null()]),
  done: Type.Boolean(),
}, { additionalProperties: false });

const PlanSuccessor = Type.Object({
  employee_id: Str(), name: Str(), current_role_id: Str(), current_title: Str(),
  decided_readiness: Decided, evidence_readiness: Str(),
  calibration: Type.Union([Type.Literal('agrees'), Type.Literal('decided_earlier'), Type.Literal('decided_later'), Type.Null()]),
  actions: Type.Array(Action),
}, { additionalProperties: false });

const Plan = Type.Object({
  role_id: Type.String(), title: Str(), version: Type.Integer(), notes: Str(),
  emergency_successor_id: Str(), emergency_successor_name: Str(), updated_at: Type.String(), updated_by: Type.String(),
  successors: Type.Array(PlanSuccessor),
}, { additionalProperties: false });

const PlanParams = Type.Object({ roleId: IdParam });

const SaveBody = Type.Object({
  base_version: Type.Integer({ minimum: 0, description: 'the version edited (0 to create the plan)' }),
  notes: Type.Optional(Type.Union([Type.String({ maxLength: 5000 }), Type.Null()])),
  emergency_successor_id: Type.Optional(Type.Union([IdParam, Type.Null()])),
  successors: Type.Array(Type.Object({
    employee_id: IdParam,
    decided_readiness: Decided,
    actions: Type.Optional(Type.Array(Action, { maxItems: 50 })),
  }, { additionalProperties: false }), { maxItems: 50 }),
}, { additionalProperties: false });

type Save = {
  base_version: number; notes?: string | null; emergency_successor_id?: string | null;
  successors: { employee_id: string; decided_readiness: (typeof DECIDED)[number]; actions?: { action: string; due_on: string | null; done: boolean }[] }[];
};

const Conflict = Type.Object({ error: Type.String(), message: Type.String(), statusCode: Type.Integer(), current: Type.Union([Plan, Type.Null()]) });

/** The body as stored: notes trimmed (empty → none), actions' dates checked as calendar dates. */
function content(body: Save): PlanContent {
  const notes = body.notes?.trim() ? body.notes.trim() : null;
  const successors = body.successors.map((s) => ({
    employee_id: s.employee_id,
    decided_readiness: s.decided_readiness,
    actions: (s.actions ?? []).map((a) => {
      const day = a.due_on === null ? null : new Date(`${a.due_on}T00:00:00Z`);
      if (day && (Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== a.due_on)) {
        throw new BadRequestError(`due_on "${a.due_on}" of an action for "${s.employee_id}" is not a date (YYYY-MM-DD)`);
      }
      return { action: a.action.trim(), due_on: a.due_on, done: a.done };
    }),
  }));
  for (const s of successors) {
    if (s.actions.some((a) => !a.action)) throw new BadRequestError(`an action for "${s.employee_id}" is empty`);
  }
  return { notes, emergency_successor_id: body.emergency_successor_id ?? null, successors };
}

export default async function planRoutes(app: FastifyInstance) {
  /** 404 unless the caller may see the role's plan (a critical role, or one with a saved plan; a manager's: held in their subtree). */
  async function visibleRole(request: FastifyRequest, roleId: string) {
    const user = userOf(request);
    return app.reads.use(async (conn) => {
      const known = await readOne(conn, 'select 1 as ok from succession_plan_roles where role_id = $role_id', { role_id: roleId })
        ?? await criticalRole(conn, roleId);
      if (!known || !(await roleVisible(conn, roleId, user))) {
        throw new NotFoundError(`No critical role "${roleId}"${isUnscoped(user) ? '' : ' in your organisation'}`);
      }
    });
  }

  app.get('/plans', {
    schema: {
      summary: 'Saved succession plans of the roles in the caller\'s scope', tags: ['succession'],
      response: {
        200: Type.Object({
          plans: Type.Array(Type.Object({
            role_id: Type.String(), title: Str(), version: Type.Integer(), updated_at: Type.String(), updated_by: Type.String(),
            n_successors: Type.Integer(), emergency_successor_id: Str(),
          }, { additionalProperties: false })),
        }),
        ...errors,
      },
    },
  }, async (request) => ({ plans: await app.reads.use((conn) => listPlans(conn, userOf(request))) }));

  app.get('/disagreements', {
    schema: {
      summary: 'Saved successors whose decided readiness disagrees with the evidence, across the plans in the caller\'s scope',
      tags: ['succession'],
      response: {
        200: Type.Object({
          rows: Type.Array(Type.Object({
            role_id: Type.String(), title: Str(), version: Type.Integer({ description: 'the plan\'s current version' }),
            employee_id: Type.String(), name: Str(), current_role_id: Str(), current_title: Str(),
            decided_readiness: Decided, evidence_readiness: Type.String({ description: 'succession_candidates readiness' }),
            calibration: Type.Union([Type.Literal('decided_earlier'), Type.Literal('decided_later')]),
            decided_on: Type.String({ description: 'when this readiness was decided (YYYY-MM-DD)' }),
          }, { additionalProperties: false })),
        }),
        ...errors,
      },
    },
  }, async (request) => ({ rows: await app.reads.use((conn) => listDisagreements(conn, userOf(request))) }));

  app.get('/plans/:roleId', {
    schema: {
      summary: 'One role\'s saved succession plan (null when none yet), with the evidence beside each decision',
      tags: ['succession'], params: PlanParams,
      response: { 200: Type.Object({ plan: Type.Union([Plan, Type.Null()]), canEdit: Type.Boolean() }), ...errors },
    },
  }, async (request) => {
    const { roleId } = request.params as { roleId: string };
    const user = userOf(request);
    await visibleRole(request, roleId);
    const plan = await app.reads.use((conn) => readPlan(conn, roleId, user));
    return { plan, canEdit: user?.role === 'admin' || user?.role === 'leader' };
  });

  app.put('/plans/:roleId', {
    config: editors,
    schema: {
      summary: 'Save a new version of a role\'s succession plan (admin, leader); 409 with the current plan when base_version is stale',
      tags: ['succession'], params: PlanParams, body: SaveBody,
      response: { 200: Type.Object({ plan: Plan }), ...errors, 409: Conflict },
    },
  }, async (request, reply) => {
    const { roleId } = request.params as { roleId: string };
    const body = request.body as Save;
    const user = userOf(request)!;
    const plan = content(body);
    try {
      const saved = await app.trellisAuth.store.use((conn) =>
        savePlan(conn, roleId, body.base_version, plan, { user, now: app.trellisAuth.now(), ip: request.ip ?? null }));
      return { plan: saved };
    } catch (err) {
      if (err instanceof PlanConflict) return reply.status(409).send({ error: 'conflict', message: err.message, statusCode: 409, current: err.current });
      throw err;
    }
  });

  app.get('/plans/:roleId/versions', {
    schema: {
      summary: 'Every version of a role\'s succession plan, newest first, with what changed in plain words',
      tags: ['succession'], params: PlanParams,
      response: {
        200: Type.Object({
          versions: Type.Array(Type.Object({
            version: Type.Integer(), changed_by: Type.String(), changed_at: Type.String(), changes: Type.Array(Type.String()),
          }, { additionalProperties: false })),
        }),
        ...errors,
      },
    },
  }, async (request) => {
    const { roleId } = request.params as { roleId: string };
    await visibleRole(request, roleId);
    return { versions: await app.reads.use((conn) => listVersions(conn, roleId, userOf(request))) };
  });

  app.get('/plans/:roleId/what-if', {
    config: editors,
    schema: {
      summary: 'If this plan\'s successor moved into the role now: the chain of vacancies, bench strength before and after, their reports\' managers-to-be (admin, leader)',
      tags: ['succession'], params: PlanParams,
      querystring: Type.Object({ successor: IdParam }, { additionalProperties: false }),
      response: {
        200: Type.Object({
          steps: Type.Array(Type.Object({
            step: Type.Integer(), role_id: Type.String(), title: Str(), vacated_by_id: Type.String(), vacated_by_name: Str(),
            successor_id: Str(), successor_name: Str(), successor_readiness: Str(), successor_source: Str(),
          }, { additionalProperties: false })),
          roles: Type.Array(Type.Object({ role_id: Type.String(), title: Str(), bench_before: Num(), bench_after: Num() }, { additionalProperties: false })),
          index_before: Num(), index_after: Num(),
          reports: Type.Array(Type.Object({
            employee_id: Type.String(), name: Str(), manager_now_id: Type.String(), manager_to_be_id: Str(), manager_to_be_name: Str(),
          }, { additionalProperties: false })),
        }),
        ...errors,
      },
    },
  }, async (request) => {
    const { roleId } = request.params as { roleId: string };
    const { successor } = request.query as { successor: string };
    return app.reads.use(async (conn) => {
      const inPlan = await readOne(conn, 'select 1 as ok from succession_plan_successors where role_id = $role_id and employee_id = $id',
        { role_id: roleId, id: successor });
      if (!inPlan) {
        const hasPlan = await readOne(conn, 'select 1 as ok from succession_plan_roles where role_id = $role_id', { role_id: roleId });
        if (!hasPlan) throw new NotFoundError(`No saved succession plan for "${roleId}"`);
        throw new BadRequestError(`"${successor}" is not a successor in the plan for ${roleId}`);
      }
      return whatIf(conn, roleId, successor);
    });
  });
}

/** Whether `roleId` is a critical role of the loaded data. */
async function criticalRole(conn: DuckDBConnection, roleId: string) {
  if ((await missingTables(conn, ['stg_roles'])).length) return undefined;
  return readOne(conn, 'select 1 as ok from stg_roles where role_id = $role_id and is_critical', { role_id: roleId });
}
