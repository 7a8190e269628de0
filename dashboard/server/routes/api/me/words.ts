// "My path" in plain words: the path state, time in role, what a suggested move is, how a goal links
// up, and what to do next. Pure functions of the rows data.ts reads (tested in me.test.ts); the page
// shows the sentences as they are, so an employee never meets a state code or HR jargon.

export const PATH_STATE_WORDS: Record<string, string> = {
  on_path: 'You are on your way: you have a next role in view and at least one goal that works toward it.',
  plan_only: 'You have a next role in view, but none of your goals works toward it yet.',
  no_path: 'You do not have a next role in view yet.',
  top_of_ladder: 'You are at the top of your career ladder: no next role is set out from yours.',
};

export function pathStateWords(state: string | null): string {
  return (state && PATH_STATE_WORDS[state]) || 'Your career path has not been worked out yet (the data has not been loaded).';
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** 27 → "2 years and 3 months"; 0 → "less than a month". */
export function timeInRoleWords(months: number | null): string | null {
  if (months == null) return null;
  if (months < 1) return 'less than a month';
  const years = Math.floor(months / 12);
  const rest = months % 12;
  if (!years) return plural(rest, 'month');
  return rest ? `${plural(years, 'year')} and ${plural(rest, 'month')}` : plural(years, 'year');
}

const LEVEL_WORDS: Record<string, string> = { '-2': 'two levels down', '-1': 'one level down', 0: 'at your level', 1: 'one level up', 2: 'two levels up' };

/** What kind of move a suggestion is, in words. */
export function moveWords(kind: string | null, levelChange: number | null): string {
  const level = levelChange == null ? '' : LEVEL_WORDS[String(levelChange)] ?? `${levelChange > 0 ? '+' : ''}${levelChange} levels`;
  const what = kind === 'two_step' ? 'Two steps on from your role'
    : kind === 'lateral' ? 'A move into another area'
      : 'A next step from your role';
  return level ? `${what}, ${level}` : what;
}

export interface GoalFacts {
  status: string | null;
  objective_title: string | null;
  company_objective_title: string | null;
  is_aligned: boolean | null;
  is_path_linked: boolean | null;
  target_role_title: string | null;
  target_role_id: string | null;
  skill_name: string | null;
  skill_id: string | null;
}

/** How a goal links to the company's objectives and to the person's path, in one sentence. */
export function goalLinkWords(g: GoalFacts): string {
  const parts: string[] = [];
  if (g.is_aligned && g.objective_title) {
    parts.push(g.company_objective_title
      ? `Supports "${g.objective_title}", part of the company objective "${g.company_objective_title}"`
      : `Supports the company objective "${g.objective_title}"`);
  }
  if (g.is_path_linked) {
    const toward = g.target_role_title ?? g.target_role_id;
    const skill = g.skill_name ?? g.skill_id;
    parts.push(toward ? `moves you toward ${toward}` : skill ? `builds ${skill}, which your next role needs` : 'counts toward your path');
  }
  if (!parts.length) {
    if (g.status === 'done' || g.status === 'dropped') return g.status === 'done' ? 'Done' : 'Dropped';
    return 'Not linked to a company objective or to your path yet';
  }
  const text = parts.join('; it ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export interface NextStepInput {
  asOf: string | null;
  state: string | null;
  targets: { role_id: string; title: string | null; target_kind: string }[];
  skills: { target_role_id: string; skill_name: string | null; skill_id: string; current_level: number | null; required_level: number | null }[];
  moves: { title: string | null; role_id: string }[];
  goals: { title: string | null; status: string | null; due_on: string | null; is_aligned: boolean | null; is_path_linked: boolean | null; is_live: boolean | null }[];
  checkIns: { loaded: boolean; rows: { week_of: string; career_discussed: boolean }[] };
}

const daysBetween = (from: string, to: string) => Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000);
const roleName = (t: { title: string | null; role_id: string }) => t.title ?? t.role_id;

/** What to do next, most important first, in plain words (at most 5). */
export function nextSteps(x: NextStepInput): string[] {
  const steps: string[] = [];
  const pathTargets = x.targets.filter((t) => t.target_kind === 'path');
  const first = pathTargets[0] ?? x.targets[0];
  const topSkill = first ? x.skills.find((s) => s.target_role_id === first.role_id) : undefined;
  const skillText = topSkill
    ? `${topSkill.skill_name ?? topSkill.skill_id} (you are at level ${topSkill.current_level ?? 0}; ${roleName(first!)} asks for ${topSkill.required_level})`
    : null;
  switch (x.state) {
    case 'no_path':
      steps.push(first
        ? `Talk with your manager about where you want to go next. A natural next step from your role is ${roleName(first)}.`
        : 'Talk with your manager about where you want to go next.');
      break;
    case 'plan_only':
      steps.push(`Add a goal that works toward ${first ? roleName(first) : 'your next role'}${skillText ? `: for example, build ${skillText}` : ''}.`);
      break;
    case 'on_path':
      if (!first) steps.push('Keep going with the goals that work toward your next role.');
      else if (skillText) steps.push(`Keep going toward ${roleName(first)}: the skill that matters most now is ${skillText}.`);
      else steps.push(`You have every skill ${roleName(first)} asks for: ask your manager what else it would take to move.`);
      break;
    case 'top_of_ladder':
      steps.push('Talk with your manager about growing in your role or broadening into another area.');
      break;
    default:
      break;
  }
  if ((x.state === 'no_path' || x.state === 'top_of_ladder') && x.moves.length) {
    steps.push(`Look at the suggested moves below: ${roleName(x.moves[0])} is the first of them.`);
  }
  const open = (g: NextStepInput['goals'][number]) => g.status !== 'done' && g.status !== 'dropped';
  if (x.asOf) {
    for (const g of x.goals.filter((g) => open(g) && g.due_on && g.due_on < x.asOf!).slice(0, 2)) {
      steps.push(`Your goal "${g.title}" was due on ${g.due_on}: update it, or agree a new date with your manager.`);
    }
  }
  const loose = x.goals.find((g) => open(g) && g.is_live !== false && !g.is_aligned && !g.is_path_linked);
  if (loose) steps.push(`Your goal "${loose.title}" is not linked to a company objective or to your path: ask your manager where it fits.`);
  if (x.checkIns.loaded && x.asOf) {
    const last = x.checkIns.rows.find((c) => c.career_discussed)?.week_of ?? null;
    if (!last) steps.push('Bring up your career at your next check-in: it has not come up in your check-ins yet.');
    else if (daysBetween(last, x.asOf) > 180) steps.push(`Bring up your career at your next check-in: it last came up in the week of ${last}.`);
  }
  if (!steps.length) steps.push('Nothing needs doing right now: keep your goals up to date and talk about your career at your check-ins.');
  return steps.slice(0, 5);
}
