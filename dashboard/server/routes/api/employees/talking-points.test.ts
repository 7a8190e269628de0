// The brief's talking-point rules, one test per rule (docs/marts.md "Career-conversation brief"): each
// fires on its condition and not just beside it, and says the facts it names.
import { describe, expect, it } from 'vitest';
import { NOTHING_FLAGGED, RULES, talkingPoints, type BriefFacts } from './talking-points.ts';

/** An on-path person with nothing flagged. */
const CALM: BriefFacts = {
  pathState: 'on_path',
  flags: { no_path: false, plan_only: false, stalled: false, low_pulse: false, pulse_drop: false, checkins_lapsed: false,
    no_career_talk: false, high_performer_off_path: false },
  monthsSincePromotion: 12, latestPerformance: 3, roleTitle: 'Senior Engineer', targets: ['Tech Lead'],
  firstSuggestion: { title: 'Tech Lead', skillsToClose: 'Coding 3→4' }, nominations: [], overdueGoals: [],
  lastCheckIn: '2026-03-24', lastCareerTalk: '2026-03-24', pulseRecent: 4, pulsePrior: 4,
};
const facts = (over: Partial<BriefFacts>, flags: BriefFacts['flags'] = {}): BriefFacts => ({ ...CALM, ...over, flags: { ...CALM.flags, ...flags } });
const rules = (f: BriefFacts) => talkingPoints(f).map((p) => p.rule);
const text = (f: BriefFacts, rule: string) => talkingPoints(f).find((p) => p.rule === rule)?.text;

describe('talking points', () => {
  it('nothing flagged: one point saying so', () => {
    expect(talkingPoints(CALM)).toEqual([NOTHING_FLAGGED]);
  });

  it('stalled_high_performer: stalled and latest performance ≥ 4 → the next level and a date', () => {
    const f = facts({ monthsSincePromotion: 45, latestPerformance: 4 }, { stalled: true });
    expect(rules(f)).toEqual(['stalled_high_performer']);
    expect(text(f, 'stalled_high_performer')).toBe('Discuss the next level and a date: 45 months since the last promotion (or hire) with a latest performance of 4.');
    expect(rules(facts({ latestPerformance: 5 }, { stalled: false }))).toEqual(['nothing_flagged']);
  });

  it('stalled: stalled with performance below 4 or no review', () => {
    expect(rules(facts({ monthsSincePromotion: 38, latestPerformance: 3 }, { stalled: true }))).toEqual(['stalled']);
    const f = facts({ monthsSincePromotion: 38, latestPerformance: null }, { stalled: true });
    expect(text(f, 'stalled')).toBe('Ask what they want next: 38 months since the last promotion (or hire); agree what growth in the role or a move would take.');
  });

  it('no_path: agree a target, starting from the first suggested move', () => {
    const f = facts({ pathState: 'no_path', targets: [] }, { no_path: true });
    expect(rules(f)).toEqual(['no_path']);
    expect(text(f, 'no_path')).toBe('Agree a target role: no career plan or live goal names one. A suggested move to start from: Tech Lead (to close: Coding 3→4).');
    expect(text(facts({ pathState: 'no_path', firstSuggestion: null }), 'no_path')).toBe('Agree a target role: no career plan or live goal names one.');
  });

  it('plan_only: back the plan with a goal, naming the targets', () => {
    const f = facts({ pathState: 'plan_only', targets: ['Tech Lead', 'Architect'] }, { plan_only: true });
    expect(rules(f)).toEqual(['plan_only']);
    expect(text(f, 'plan_only')).toBe('Back the plan with a goal: the plan for Tech Lead, Architect has no linked live goal.');
  });

  it('high_performer_off_path: only on the flag (null = factor off fires nothing)', () => {
    expect(rules(facts({ pathState: 'plan_only', latestPerformance: 4 }, { high_performer_off_path: true })))
      .toEqual(['plan_only', 'high_performer_off_path']);
    expect(rules(facts({ latestPerformance: 5 }, { high_performer_off_path: null }))).toEqual(['nothing_flagged']);
  });

  it('top_of_ladder: scope and impact, naming the role', () => {
    const f = facts({ pathState: 'top_of_ladder', roleTitle: 'Head of Product', targets: [] });
    expect(rules(f)).toEqual(['top_of_ladder']);
    expect(text(f, 'top_of_ladder')).toBe('Talk about scope, impact and mentoring rather than the next title: no progression leads out of Head of Product.');
  });

  it('low_pulse: the 56-day mean, two decimals', () => {
    const f = facts({ pulseRecent: 2 }, { low_pulse: true });
    expect(rules(f)).toEqual(['low_pulse']);
    expect(text(f, 'low_pulse')).toBe('Ask how things are going: the pulse averaged 2.00 over the last 56 days.');
  });

  it('pulse_drop: from the prior window to the recent one', () => {
    const f = facts({ pulseRecent: 3, pulsePrior: 4.5 }, { pulse_drop: true });
    expect(rules(f)).toEqual(['pulse_drop']);
    expect(text(f, 'pulse_drop')).toBe('Ask what changed: the pulse fell from 4.50 to 3.00 (56 days against the 56 before).');
  });

  it('checkins_lapsed: the last check-in date, or none', () => {
    expect(text(facts({ lastCheckIn: '2026-02-17' }, { checkins_lapsed: true }), 'checkins_lapsed')).toBe('Restart regular check-ins: the last was on 2026-02-17.');
    expect(text(facts({ lastCheckIn: null }, { checkins_lapsed: true }), 'checkins_lapsed')).toBe('Restart regular check-ins: none recorded.');
  });

  it('no_career_talk: the last career discussion, or never', () => {
    expect(text(facts({ lastCareerTalk: '2025-10-02' }, { no_career_talk: true }), 'no_career_talk'))
      .toBe('Make this the career conversation: none recorded in 180 days (last on 2025-10-02).');
    expect(text(facts({ lastCareerTalk: null }, { no_career_talk: true }), 'no_career_talk'))
      .toBe('Make this the career conversation: none recorded in 180 days (never).');
  });

  it('nominated: each nomination with its readiness in words', () => {
    const f = facts({ nominations: [{ title: 'Tech Lead', readiness: 'ready_now' }, { title: 'COO', readiness: '1_2_years' }] });
    expect(rules(f)).toEqual(['nominated']);
    expect(text(f, 'nominated')).toBe('Talk about readiness for Tech Lead (nominated ready now), COO (nominated ready in 1–2 years): what is left to close.');
  });

  it('overdue_goals: the titles of goals past their due date', () => {
    const f = facts({ overdueGoals: ['Lead a project'] });
    expect(rules(f)).toEqual(['overdue_goals']);
    expect(text(f, 'overdue_goals')).toBe('Review the goals past their due date: Lead a project.');
  });

  it('several rules fire in the table order', () => {
    const f = facts({ pathState: 'no_path', latestPerformance: 4, overdueGoals: ['X'], nominations: [{ title: 'TL', readiness: null }] },
      { stalled: true, no_path: true, high_performer_off_path: true, checkins_lapsed: true, no_career_talk: true });
    expect(rules(f)).toEqual(['stalled_high_performer', 'no_path', 'high_performer_off_path', 'checkins_lapsed', 'no_career_talk', 'nominated', 'overdue_goals']);
    expect(RULES.map((r) => r.id)).toHaveLength(new Set(RULES.map((r) => r.id)).size);
  });
});
