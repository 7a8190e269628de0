// Talking points of the career-conversation brief (issue 14 §3): one rule per row of the table in
// docs/marts.md "Career-conversation brief", checked in that order. Each rule reads the person's facts
// (the retention flags as booleans, never the score or band) and says one sentence a manager can open
// with. A flag that is null (its source was never loaded) fires no rule.
import type { RISK_FACTORS } from '../retention/index.ts';

export type RiskFactor = typeof RISK_FACTORS[number];

export interface BriefFacts {
  pathState: string | null;
  /** retention_risk's factor flags (true, false, or null when the factor is off). */
  flags: Partial<Record<RiskFactor, boolean | null>>;
  monthsSincePromotion: number | null;
  latestPerformance: number | null;
  roleTitle: string | null;
  /** Titles of the path targets (active plans, live goals). */
  targets: string[];
  /** The first suggested move (mobility_matches rank 1). */
  firstSuggestion: { title: string; skillsToClose: string | null } | null;
  /** Successor nominations the person is in. */
  nominations: { title: string; readiness: string | null }[];
  /** Titles of live goals past their due date, not done. */
  overdueGoals: string[];
  lastCheckIn: string | null;
  lastCareerTalk: string | null;
  pulseRecent: number | null;
  pulsePrior: number | null;
}

export interface TalkingPoint { rule: string; text: string }

interface Rule { id: string; when: (f: BriefFacts) => boolean; say: (f: BriefFacts) => string }

const isHigh = (f: BriefFacts) => f.latestPerformance != null && f.latestPerformance >= 4;
const months = (m: number | null) => (m == null ? 'many months' : `${m} months`);
const pulse = (x: number | null) => (x == null ? '—' : x.toFixed(2));
const READINESS: Record<string, string> = { ready_now: 'ready now', '1_2_years': 'ready in 1–2 years', '3_plus_years': 'ready in 3+ years' };

/** The rules, in the order the brief lists their points (docs/marts.md has the same table). */
export const RULES: readonly Rule[] = [
  {
    id: 'stalled_high_performer',
    when: (f) => f.flags.stalled === true && isHigh(f),
    say: (f) => `Discuss the next level and a date: ${months(f.monthsSincePromotion)} since the last promotion (or hire) with a latest performance of ${f.latestPerformance}.`,
  },
  {
    id: 'stalled',
    when: (f) => f.flags.stalled === true && !isHigh(f),
    say: (f) => `Ask what they want next: ${months(f.monthsSincePromotion)} since the last promotion (or hire); agree what growth in the role or a move would take.`,
  },
  {
    id: 'no_path',
    when: (f) => f.pathState === 'no_path',
    say: (f) => `Agree a target role: no career plan or live goal names one.${f.firstSuggestion ? ` A suggested move to start from: ${f.firstSuggestion.title}${f.firstSuggestion.skillsToClose ? ` (to close: ${f.firstSuggestion.skillsToClose})` : ''}.` : ''}`,
  },
  {
    id: 'plan_only',
    when: (f) => f.pathState === 'plan_only',
    say: (f) => `Back the plan with a goal: the plan for ${f.targets.join(', ') || 'the target role'} has no linked live goal.`,
  },
  {
    id: 'high_performer_off_path',
    when: (f) => f.flags.high_performer_off_path === true,
    say: () => 'Make the path concrete soon: a high performer (latest performance 4 or more) without a path backed by a goal.',
  },
  {
    id: 'top_of_ladder',
    when: (f) => f.pathState === 'top_of_ladder',
    say: (f) => `Talk about scope, impact and mentoring rather than the next title: no progression leads out of ${f.roleTitle ?? 'the current role'}.`,
  },
  {
    id: 'low_pulse',
    when: (f) => f.flags.low_pulse === true,
    say: (f) => `Ask how things are going: the pulse averaged ${pulse(f.pulseRecent)} over the last 56 days.`,
  },
  {
    id: 'pulse_drop',
    when: (f) => f.flags.pulse_drop === true,
    say: (f) => `Ask what changed: the pulse fell from ${pulse(f.pulsePrior)} to ${pulse(f.pulseRecent)} (56 days against the 56 before).`,
  },
  {
    id: 'checkins_lapsed',
    when: (f) => f.flags.checkins_lapsed === true,
    say: (f) => `Restart regular check-ins: ${f.lastCheckIn ? `the last was on ${f.lastCheckIn}` : 'none recorded'}.`,
  },
  {
    id: 'no_career_talk',
    when: (f) => f.flags.no_career_talk === true,
    say: (f) => `Make this the career conversation: none recorded in 180 days (${f.lastCareerTalk ? `last on ${f.lastCareerTalk}` : 'never'}).`,
  },
  {
    id: 'nominated',
    when: (f) => f.nominations.length > 0,
    say: (f) => `Talk about readiness for ${f.nominations.map((n) => `${n.title} (nominated ${READINESS[n.readiness ?? ''] ?? n.readiness ?? 'without a readiness'})`).join(', ')}: what is left to close.`,
  },
  {
    id: 'overdue_goals',
    when: (f) => f.overdueGoals.length > 0,
    say: (f) => `Review the goals past their due date: ${f.overdueGoals.join(', ')}.`,
  },
];

/** When no rule above fires. */
export const NOTHING_FLAGGED: TalkingPoint = {
  rule: 'nothing_flagged',
  text: 'Nothing flagged: review progress on the goals and confirm the path and its next step.',
};

export function talkingPoints(facts: BriefFacts): TalkingPoint[] {
  const points = RULES.filter((r) => r.when(facts)).map((r) => ({ rule: r.id, text: r.say(facts) }));
  return points.length ? points : [NOTHING_FLAGGED];
}
