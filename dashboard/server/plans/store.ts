// Saved succession plans in the app tables of migration 002 (pipeline/src/migrations): read one plan
// with names and the evidence beside each decision, list plans and versions, and save a new version
// (refused with the current plan when someone else saved first). docs/marts.md "Saved succession plans".
import type { DuckDBConnection } from '@duckdb/node-api';
import { exec } from '../../../pipeline/src/db.ts';
import { writeAudit } from '../auth/audit.ts';
import type { AuthUser } from '../auth/user.ts';
import { BadRequestError } from '../errors.ts';
import { missingTables } from '../list-route.ts';
import { readOne, readRows } from '../rows.ts';
import { changeIds, describeChange, diffPlans, type Change, type Decided, type PlanContent } from './changes.ts';
import { OUTSIDE, people, roleScope, roleTitles, visibility } from './people.ts';

export interface PlanSuccessor {
  employee_id: string | null; name: string | null; current_role_id: string | null; current_title: string | null;
  decided_readiness: Decided; evidence_readiness: string | null;
  calibration: 'agrees' | 'decided_earlier' | 'decided_later' | null;
  actions: { action: string; due_on: string | null; done: boolean }[];
}

export interface Plan {
  role_id: string; title: string | null; version: number; notes: string | null;
  emergency_successor_id: string | null; emergency_successor_name: string | null;
  updated_at: string; updated_by: string; successors: PlanSuccessor[];
}

/** Order of readiness, soonest first: decided (nomination words) and evidence (mart words) on one scale. */
const ORDER: Record<string, number> = {
  ready_now: 0, '1_2_years': 1, ready_1_2_years: 1, '3_plus_years': 2, ready_3_plus_years: 2, not_ready: 3,
};

/** Decided readiness against the evidence: null when the evidence has no readiness for them (not a candidate). */
export function calibration(decided: string, evidence: string | null): PlanSuccessor['calibration'] {
  if (evidence == null || ORDER[evidence] === undefined) return null;
  const d = ORDER[decided];
  const e = ORDER[evidence];
  return d === e ? 'agrees' : d < e ? 'decided_earlier' : 'decided_later';
}

/** The stored content of a plan (what a save compares against), null when the role has none. */
export async function planContent(conn: DuckDBConnection, roleId: string): Promise<(PlanContent & { version: number }) | null> {
  const head = await readOne(conn, 'select version::int as version, notes, emergency_successor_id from succession_plan_roles where role_id = $role_id',
    { role_id: roleId });
  if (!head) return null;
  const successors = await readRows(conn, `select employee_id, decided_readiness from succession_plan_successors
    where role_id = $role_id order by position`, { role_id: roleId });
  const actions = await readRows(conn, `select employee_id, action, strftime(due_on, '%Y-%m-%d') as due_on, done
    from succession_plan_actions where role_id = $role_id order by employee_id, position`, { role_id: roleId });
  return {
    version: Number(head.version),
    notes: (head.notes as string | null) ?? null,
    emergency_successor_id: (head.emergency_successor_id as string | null) ?? null,
    successors: successors.map((s) => ({
      employee_id: String(s.employee_id),
      decided_readiness: s.decided_readiness as Decided,
      actions: actions.filter((a) => a.employee_id === s.employee_id)
        .map((a) => ({ action: String(a.action), due_on: (a.due_on as string | null) ?? null, done: Boolean(a.done) })),
    })),
  };
}

/** Evidence readiness of the plan's successors for its role (succession_candidates), by employee. */
async function evidence(conn: DuckDBConnection, roleId: string): Promise<Map<string, string>> {
  if ((await missingTables(conn, ['succession_candidates'])).length) return new Map();
  const rows = await readRows(conn, `select c.employee_id, c.readiness from succession_candidates c
    where c.role_id = $role_id and c.employee_id in (select employee_id from succession_plan_successors where role_id = $role_id)`,
  { role_id: roleId });
  return new Map(rows.map((r) => [String(r.employee_id), String(r.readiness)]));
}

/** One plan as the API answers it; people outside a manager's subtree are shown without id or name. */
export async function readPlan(conn: DuckDBConnection, roleId: string, user: AuthUser | null): Promise<Plan | null> {
  const content = await planContent(conn, roleId);
  if (!content) return null;
  const head = (await readOne(conn, `select strftime(updated_at, '%Y-%m-%dT%H:%M:%S.%gZ') as updated_at, updated_by
    from succession_plan_roles where role_id = $role_id`, { role_id: roleId }))!;
  const ids = [...content.successors.map((s) => s.employee_id), content.emergency_successor_id ?? ''];
  const [who, canSee, evid] = [await people(conn, ids), await visibility(conn, user, ids), await evidence(conn, roleId)];
  const titles = await roleTitles(conn, [roleId, ...[...who.values()].map((p) => p.role_id ?? '')]);
  const emergency = content.emergency_successor_id;
  return {
    role_id: roleId,
    title: titles.get(roleId) ?? null,
    version: content.version,
    notes: content.notes,
    emergency_successor_id: emergency && canSee(emergency) ? emergency : null,
    emergency_successor_name: emergency ? (canSee(emergency) ? who.get(emergency)?.name ?? null : OUTSIDE) : null,
    updated_at: String(head.updated_at),
    updated_by: String(head.updated_by),
    successors: content.successors.map((s) => {
      if (!canSee(s.employee_id)) {
        return { employee_id: null, name: OUTSIDE, current_role_id: null, current_title: null, decided_readiness: s.decided_readiness,
          evidence_readiness: null, calibration: null, actions: [] };
      }
      const p = who.get(s.employee_id);
      const ev = evid.get(s.employee_id) ?? null;
      return {
        employee_id: s.employee_id, name: p?.name ?? null, current_role_id: p?.role_id ?? null,
        current_title: p?.role_id ? titles.get(p.role_id) ?? null : null,
        decided_readiness: s.decided_readiness, evidence_readiness: ev, calibration: calibration(s.decided_readiness, ev), actions: s.actions,
      };
    }),
  };
}

/** Whether the user may see the plan of `roleId` (a manager: the role is held in their subtree). */
export async function roleVisible(conn: DuckDBConnection, roleId: string, user: AuthUser | null): Promise<boolean> {
  const scope = await roleScope(conn, user);
  return !!(await readOne(conn, `select 1 as ok from (select $role_id as role_id) where ${scope.clause}`, { ...scope.params, role_id: roleId }));
}

/** The plans of the roles the user may see. */
export async function listPlans(conn: DuckDBConnection, user: AuthUser | null) {
  const scope = await roleScope(conn, user);
  const rows = await readRows(conn, `select * from (
      select p.role_id, p.version::int as version, strftime(p.updated_at, '%Y-%m-%dT%H:%M:%S.%gZ') as updated_at,
        p.updated_by, p.emergency_successor_id,
        (select count(*)::int from succession_plan_successors s where s.role_id = p.role_id) as n_successors
      from succession_plan_roles p)
    where ${scope.clause} order by role_id`, scope.params);
  const titles = await roleTitles(conn, rows.map((r) => String(r.role_id)));
  const canSee = await visibility(conn, user, rows.map((r) => (r.emergency_successor_id as string | null) ?? ''));
  return rows.map((r) => ({
    role_id: String(r.role_id), title: titles.get(String(r.role_id)) ?? null, version: Number(r.version),
    updated_at: String(r.updated_at), updated_by: String(r.updated_by), n_successors: Number(r.n_successors),
    emergency_successor_id: r.emergency_successor_id && canSee(r.emergency_successor_id as string) ? String(r.emergency_successor_id) : null,
  }));
}

/** Every version of a plan, newest first, its changes in plain words (names hidden as readPlan hides them). */
export async function listVersions(conn: DuckDBConnection, roleId: string, user: AuthUser | null) {
  const rows = await readRows(conn, `select version::int as version, changed_by, strftime(changed_at, '%Y-%m-%dT%H:%M:%S.%gZ') as changed_at, changes
    from succession_plan_versions where role_id = $role_id order by version desc`, { role_id: roleId });
  const parsed = rows.map((r) => ({ row: r, changes: JSON.parse(String(r.changes)) as Change[] }));
  const ids = parsed.flatMap((r) => changeIds(r.changes));
  const [who, canSee] = [await people(conn, ids), await visibility(conn, user, ids)];
  const name = (id: string) => (canSee(id) ? who.get(id)?.name ?? id : OUTSIDE);
  return parsed.map(({ row, changes }) => ({
    version: Number(row.version), changed_by: String(row.changed_by), changed_at: String(row.changed_at),
    changes: changes.map((c) => describeChange(c, name)),
  }));
}

export class PlanConflict extends Error {
  constructor(readonly current: Plan | null, baseVersion: number) {
    super(current
      ? `the plan was changed by ${current.updated_by} at ${current.updated_at} (version ${current.version}; you edited version ${baseVersion}): nothing was saved; review their version and save again`
      : `there is no saved plan at version ${baseVersion} for this role; save with base_version 0 to create it`);
    this.name = 'PlanConflict';
  }
}

/** Checks a plan against the data: a critical role, active people, no duplicates, no successor who holds the role already. */
async function validate(conn: DuckDBConnection, roleId: string, plan: PlanContent): Promise<void> {
  const missing = await missingTables(conn, ['stg_roles', 'int_employees_active']);
  if (missing.length) throw new BadRequestError('no organisation is loaded yet: run the pipeline before saving plans');
  const role = await readOne(conn, 'select is_critical from stg_roles where role_id = $role_id', { role_id: roleId });
  if (!role) throw new BadRequestError(`"${roleId}" is not a known role`);
  if (!role.is_critical) throw new BadRequestError(`"${roleId}" is not a critical role: succession plans are for critical roles`);
  const seen = new Set<string>();
  for (const s of plan.successors) {
    if (seen.has(s.employee_id)) throw new BadRequestError(`successor "${s.employee_id}" is listed twice`);
    seen.add(s.employee_id);
  }
  const ids = [...seen, ...(plan.emergency_successor_id ? [plan.emergency_successor_id] : [])];
  const active = await readRows(conn, `select employee_id, role_id from int_employees_active
    where employee_id in (select unnest(from_json($ids, '["VARCHAR"]')))`, { ids: JSON.stringify(ids) });
  const roleOf = new Map(active.map((r) => [String(r.employee_id), String(r.role_id)]));
  for (const id of ids) {
    const which = id === plan.emergency_successor_id && !seen.has(id) ? 'emergency successor' : 'successor';
    if (!roleOf.has(id)) throw new BadRequestError(`${which} "${id}" is not an active employee`);
    // an emergency (interim) successor may be another incumbent of the role; a successor may not
    if (which === 'successor' && roleOf.get(id) === roleId) throw new BadRequestError(`successor "${id}" already holds ${roleId}`);
  }
}

export interface SaveContext { user: AuthUser; now: Date; ip: string | null }

/**
 * Save `plan` as the next version of the role's plan, in one transaction with its audit entry. Refused
 * (PlanConflict, nothing written) unless `baseVersion` is the stored version (0: no plan yet). Saving
 * what is already stored writes nothing and answers the plan as it is.
 */
export async function savePlan(conn: DuckDBConnection, roleId: string, baseVersion: number, plan: PlanContent, ctx: SaveContext): Promise<Plan> {
  await validate(conn, roleId, plan);
  await exec(conn, 'begin transaction');
  try {
    const before = await planContent(conn, roleId);
    if ((before?.version ?? 0) !== baseVersion) {
      const current = before ? await readPlan(conn, roleId, ctx.user) : null;
      throw new PlanConflict(current, baseVersion);
    }
    const changes = diffPlans(before, plan);
    if (!changes.length) {
      await exec(conn, 'rollback');
      return (await readPlan(conn, roleId, ctx.user))!;
    }
    const version = baseVersion + 1;
    const at = ctx.now.toISOString();
    const today = at.slice(0, 10);
    const me = await readOne(conn, 'select employee_id from users where username = $u', { u: ctx.user.username });
    const nominatedBy = (me?.employee_id as string | null) ?? ctx.user.employeeId ?? null;
    const kept = new Map<string, Record<string, unknown>>();
    for (const r of await readRows(conn, `select employee_id, decided_readiness, strftime(decided_on, '%Y-%m-%d') as decided_on, decided_by, nominated_by
      from succession_plan_successors where role_id = $role_id`, { role_id: roleId })) kept.set(String(r.employee_id), r);
    if (before) {
      await exec(conn, `update succession_plan_roles set version = $version, notes = $notes, emergency_successor_id = $emergency,
        updated_at = $at::timestamp, updated_by = $by where role_id = $role_id`,
      { version, notes: plan.notes, emergency: plan.emergency_successor_id, at, by: ctx.user.username, role_id: roleId });
    } else {
      await exec(conn, `insert into succession_plan_roles values ($role_id, $version, $notes, $emergency, $at::timestamp, $by, $at::timestamp, $by)`,
        { role_id: roleId, version, notes: plan.notes, emergency: plan.emergency_successor_id, at, by: ctx.user.username });
    }
    await exec(conn, 'delete from succession_plan_successors where role_id = $role_id', { role_id: roleId });
    await exec(conn, 'delete from succession_plan_actions where role_id = $role_id', { role_id: roleId });
    for (const [i, s] of plan.successors.entries()) {
      // a decision keeps its date and author until its readiness changes
      const was = kept.get(s.employee_id);
      const same = was && was.decided_readiness === s.decided_readiness;
      await exec(conn, `insert into succession_plan_successors values ($role_id, $id, $pos, $readiness, $on::date, $by, $nominated_by)`, {
        role_id: roleId, id: s.employee_id, pos: i, readiness: s.decided_readiness,
        on: same ? String(was.decided_on) : today, by: same ? String(was.decided_by) : ctx.user.username,
        nominated_by: same ? ((was.nominated_by as string | null) ?? null) : nominatedBy,
      });
      for (const [j, a] of s.actions.entries()) {
        await exec(conn, 'insert into succession_plan_actions values ($role_id, $id, $pos, $action, $due::date, $done)',
          { role_id: roleId, id: s.employee_id, pos: j, action: a.action, due: a.due_on, done: a.done });
      }
    }
    await exec(conn, `insert into succession_plan_versions values ($role_id, $version, $at::timestamp, $by, $changes, $snapshot)`, {
      role_id: roleId, version, at, by: ctx.user.username, changes: JSON.stringify(changes), snapshot: JSON.stringify(plan),
    });
    const who = await people(conn, changeIds(changes));
    await writeAudit(conn, {
      at: ctx.now, username: ctx.user.username, action: before ? 'plan_edit' : 'plan_create', target: roleId, ip: ctx.ip,
      detail: JSON.stringify({ version, changes: changes.map((c) => describeChange(c, (id) => `${who.get(id)?.name ?? id} (${id})`)) }),
    });
    await exec(conn, 'commit');
  } catch (err) {
    await exec(conn, 'rollback').catch(() => {});
    throw err;
  }
  return (await readPlan(conn, roleId, ctx.user))!;
}
