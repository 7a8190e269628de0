// What changed between two versions of a plan, kept as data (ids, not names) and put into plain words
// when read, so a name follows the data and a manager's history hides people outside their subtree.

export const DECIDED = ['ready_now', '1_2_years', '3_plus_years'] as const;
export type Decided = (typeof DECIDED)[number];

export interface ActionInput { action: string; due_on: string | null; done: boolean }
export interface SuccessorInput { employee_id: string; decided_readiness: Decided; actions: ActionInput[] }
/** A plan's content as saved (and as stored in each version's snapshot). */
export interface PlanContent { notes: string | null; emergency_successor_id: string | null; successors: SuccessorInput[] }

export type Change =
  | { kind: 'created' }
  | { kind: 'added'; id: string; readiness: Decided }
  | { kind: 'removed'; id: string }
  | { kind: 'readiness'; id: string; from: Decided; to: Decided }
  | { kind: 'actions'; id: string }
  | { kind: 'emergency'; from: string | null; to: string | null }
  | { kind: 'notes' }
  | { kind: 'order' };

const sameActions = (a: ActionInput[], b: ActionInput[]) => JSON.stringify(a) === JSON.stringify(b);

/** The changes from `before` (null: no plan yet) to `after`, in a fixed order; [] when nothing changed. */
export function diffPlans(before: PlanContent | null, after: PlanContent): Change[] {
  const out: Change[] = [];
  if (!before) out.push({ kind: 'created' });
  const old = new Map((before?.successors ?? []).map((s) => [s.employee_id, s]));
  const now = new Map(after.successors.map((s) => [s.employee_id, s]));
  for (const s of after.successors) {
    const was = old.get(s.employee_id);
    if (!was) {
      out.push({ kind: 'added', id: s.employee_id, readiness: s.decided_readiness }); // with whatever actions they come with
      continue;
    }
    if (was.decided_readiness !== s.decided_readiness) out.push({ kind: 'readiness', id: s.employee_id, from: was.decided_readiness, to: s.decided_readiness });
    if (!sameActions(was.actions, s.actions)) out.push({ kind: 'actions', id: s.employee_id });
  }
  for (const s of before?.successors ?? []) if (!now.has(s.employee_id)) out.push({ kind: 'removed', id: s.employee_id });
  const kept = (list: SuccessorInput[]) => list.map((s) => s.employee_id).filter((id) => old.has(id) && now.has(id));
  if (before && kept(before.successors).join('\u0000') !== kept(after.successors).join('\u0000')) out.push({ kind: 'order' });
  const emergencyBefore = before?.emergency_successor_id ?? null;
  if (emergencyBefore !== after.emergency_successor_id) out.push({ kind: 'emergency', from: emergencyBefore, to: after.emergency_successor_id });
  if ((before?.notes ?? null) !== after.notes && (before || after.notes)) out.push({ kind: 'notes' });
  return out;
}

export const READINESS_WORDS: Record<Decided, string> = {
  ready_now: 'ready now', '1_2_years': 'ready in 1–2 years', '3_plus_years': 'ready in 3+ years',
};

/** Ids a list of changes names (to look their names up). */
export function changeIds(changes: Change[]): string[] {
  return changes.flatMap((c) => ('id' in c ? [c.id] : c.kind === 'emergency' ? [c.from, c.to].filter((x): x is string => !!x) : []));
}

/** One change in plain words; `name` gives a person's name (or "someone outside your organisation"). */
export function describeChange(c: Change, name: (id: string) => string): string {
  switch (c.kind) {
    case 'created': return 'created the plan';
    case 'added': return `added ${name(c.id)} as ${READINESS_WORDS[c.readiness]}`;
    case 'removed': return `removed ${name(c.id)}`;
    case 'readiness': return `changed ${name(c.id)} from ${READINESS_WORDS[c.from]} to ${READINESS_WORDS[c.to]}`;
    case 'actions': return `changed the development actions of ${name(c.id)}`;
    case 'emergency':
      if (c.from && c.to) return `changed the emergency successor from ${name(c.from)} to ${name(c.to)}`;
      if (c.to) return `made ${name(c.to)} the emergency successor`;
      return `removed ${name(c.from!)} as emergency successor`;
    case 'notes': return 'changed notes';
    case 'order': return 'reordered the successors';
  }
}
