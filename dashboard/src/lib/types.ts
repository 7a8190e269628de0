// Answers of the API routes the pages read field by field (the route's TypeBox response schema is the
// truth; table rows are checked against it in lib/tables.test.ts).

type N = number | null;

/** GET /api/overview */
export interface Overview {
  headcount: number;
  pathStates: { path_state: string; n: number; share: N }[];
  highRisk: number;
  riskBands: { band: string; n: number }[];
  succession: SuccessionFigures;
  topSkillGaps: { skill_id: string; skill_name: string | null; employees_short: N; gap_points: N }[];
  trend: Record<string, string | number | null>[];
  /** history_overview of the latest run: one row per month-end and as_of (docs/marts.md "History"); admins and leaders */
  history?: { as_of: string; n_active: number | null; no_path_share: number | null; n_risk_high: number | null;
    succession_readiness_rate: number | null; n_exits: number | null; n_exits_voluntary: number | null;
    n_exits_involuntary: number | null; n_hires: number | null }[];
  asOf: string | null;
  runId: N;
}

/** GET /api/succession/summary (and Overview.succession) */
export interface SuccessionFigures {
  n_critical_roles: N; succession_readiness_rate: N; successor_coverage: N; successor_coverage_median: N;
  bench_strength_index: N;
}

/** A row of GET /api/succession/roles */
export interface CriticalRole {
  role_id: string; title: string | null; job_family: string | null; level: N;
  n_incumbents: N; n_ready_now: N; n_ready_1_2_years: N; n_ready_3_plus_years: N; n_not_ready: N;
  has_bench: boolean | null; incumbent_risk_band: string | null; bench_strength: N;
}

/** A row of GET /api/succession/candidates and of roles/:roleId `candidates` */
export interface Candidate {
  role_id: string; role_title: string | null; employee_id: string; full_name: string | null; department: string | null;
  job_family: string | null; current_role_id: string | null; manager_id: string | null;
  coverage: N; performance: N; potential: N; readiness: string | null; readiness_score: N;
  nominated_readiness: string | null; calibration: string | null;
  is_path_target: boolean | null; is_nominated: boolean | null; is_feeder: boolean | null;
}

/** GET /api/succession/roles/:roleId */
export interface RoleDetail { role: CriticalRole; candidates: Candidate[]; asOf: string | null; runId: N }

/** A decided readiness in a saved succession plan. */
export type DecidedReadiness = 'ready_now' | '1_2_years' | '3_plus_years';
export interface PlanAction { action: string; due_on: string | null; done: boolean }
export interface PlanSuccessor {
  employee_id: string; name: string | null; current_role_id: string | null; current_title: string | null;
  decided_readiness: DecidedReadiness; evidence_readiness: string | null;
  calibration: 'agrees' | 'decided_earlier' | 'decided_later' | null;
  actions: PlanAction[];
}
/** A saved succession plan of one critical role (GET /api/succession/plans/:roleId `plan`). */
export interface SuccessionPlan {
  role_id: string; title: string | null; version: number; notes: string | null;
  emergency_successor_id: string | null; emergency_successor_name: string | null;
  updated_at: string; updated_by: string | null; successors: PlanSuccessor[];
}
/** GET /api/succession/plans/:roleId */
export interface PlanAnswer { plan: SuccessionPlan | null; canEdit: boolean }
/** A row of GET /api/succession/plans */
export interface PlanBrief {
  role_id: string; title: string | null; version: number; updated_at: string; updated_by: string | null;
  n_successors: number; emergency_successor_id: string | null;
}
/** A row of GET /api/succession/disagreements: a saved decision whose readiness differs from the evidence. */
export interface PlanDisagreement {
  role_id: string; title: string | null; version: number; employee_id: string; name: string | null;
  current_role_id: string | null; current_title: string | null; decided_readiness: DecidedReadiness;
  evidence_readiness: string; calibration: 'decided_earlier' | 'decided_later'; decided_on: string;
}
/** PUT /api/succession/plans/:roleId */
export interface PlanWrite {
  base_version: number; notes: string; emergency_successor_id: string | null;
  successors: { employee_id: string; decided_readiness: DecidedReadiness; actions: PlanAction[] }[];
}
/** GET /api/succession/plans/:roleId/versions */
export interface PlanVersion { version: number; changed_by: string | null; changed_at: string; changes: string[] }
/** GET /api/succession/plans/:roleId/what-if?successor= */
export interface WhatIf {
  steps: { step: number; role_id: string; title: string | null; vacated_by_id: string | null; vacated_by_name: string | null;
    successor_id: string | null; successor_name: string | null; successor_readiness: string | null;
    successor_source: 'plan' | 'evidence' | null }[];
  roles: { role_id: string; title: string | null; bench_before: N; bench_after: N }[];
  index_before: N; index_after: N;
  reports: { employee_id: string; name: string | null; manager_now_id: string | null; manager_to_be_id: string | null; manager_to_be_name: string | null }[];
}

/** GET /api/succession/nine-box */
export interface NineBox {
  cells: { performance_band: string; potential_band: string; n: number }[];
  rows: { employee_id: string; full_name: string | null; department: string | null; role_id: string | null;
    manager_id: string | null; performance_band: string | null; potential_band: string | null }[];
  asOf: string | null;
  runId: N;
}

/** A row of GET /api/retention/distribution */
export interface ScoreBinRow { path_state: string | null; bin_start: number; bin_end: number; n: number }

/** GET /api/retention/distribution: the bins, and exact figures per path state */
export interface ScoreDistribution {
  rows: ScoreBinRow[];
  summary: { path_state: string | null; n: number; mean_score: N; median_score: N; high_share: N }[];
}

/** GET /api/framework */
export interface Framework {
  roles: { role_id: string; title: string | null; job_family: string | null; level: N; track: string | null;
    is_critical: boolean | null; planned_headcount: N }[];
  progressions: { from_role_id: string; to_role_id: string; typical_months: N; move: string | null }[];
  role_skills: { role_id: string; skill_id: string; required_level: N; importance: N }[];
  skills: { skill_id: string; name: string | null; category: string | null }[];
  job_families: string[];
  asOf: string | null;
  runId: N;
}

/** A row of GET /api/goals/objectives */
export interface ObjectiveRow {
  objective_id: string; title: string | null; parent_objective_id: string | null; department: string | null;
  period: string | null; n_items: N; n_goals: N; progress: N; depth: N;
}

/** A row of GET /api/goals/alignment */
export interface AlignmentRow {
  scope: string; scope_value: string | null; n_live_goals: N; n_aligned: N; n_path_linked: N; n_orphan: N;
  aligned_rate: N; path_linked_rate: N; orphan_rate: N;
}

/** A row of GET /api/talent-needs */
export interface NeedRow {
  role_id: string; title: string | null; job_family: string | null; level: N; headcount: N; planned_headcount: N;
  open_need: N; incumbents_high_risk: N; pipeline_ready_now: N; pipeline_ready_1_2_years: N;
  pipeline_ready_3_plus_years: N; pipeline_not_ready: N; shortfall: N;
}

/** A row of GET /api/skill-gaps/org */
export interface OrgGapRow {
  scope: string; scope_value: string | null; skill_id: string; skill_name: string | null; category: string | null;
  employees_requiring: N; employees_short: N; mean_gap: N; gap_points: N; supply: N; demand: N;
}

/** GET /api/employees/:id */
export interface Profile {
  employee: { employee_id: string; full_name: string | null; email: string | null; department: string | null; location: string | null;
    hire_date: string | null; role_start_date: string | null; last_promotion_date: string | null };
  role: { role_id: string; title: string | null; job_family: string | null; level: N; track: string | null } | null;
  manager: { employee_id: string; full_name: string | null } | null;
  path: { path_state: string | null; targets: { role_id: string; title: string | null; target_kind: string | null; coverage: N }[] };
  gaps: { target_role_id: string; target_kind: string | null; skill_id: string; skill_name: string | null;
    required_level: N; current_level: N; gap: N; importance: N }[];
  coverage: { role_id: string; title: string | null; target_kind: string | null; coverage: N }[];
  goals: Record<string, unknown>[];
  reviews: Record<string, unknown>[];
  pulse: { week_of: string; pulse: N; career_discussed: boolean | null; manager_replied: boolean | null }[];
  /** Whether each dataset has any rows at all (an empty list then means none for this person). */
  loaded: { goals: boolean; reviews: boolean; check_ins: boolean };
  risk: { score: N; band: string | null; reasons: string | null; factors: string[] | null } | null;
  asOf: string | null;
  runId: N;
}

/** GET /api/me: the signed-in person's own page, "My path" (routes/api/me). */
export interface Me {
  person: { employee_id: string; full_name: string | null; department: string | null; role_id: string | null; role_title: string | null;
    role_level: N; job_family: string | null; manager_name: string | null; hire_date: string | null; role_start_date: string | null;
    months_in_role: N; time_in_role: string | null };
  path: {
    state: string | null;
    words: string;
    targets: { role_id: string; title: string | null; level: N; target_kind: string | null; is_from_plan: boolean | null;
      is_from_goal: boolean | null; coverage: N; n_skills_to_close: N }[];
    skills: { target_role_id: string; skill_id: string; skill_name: string | null; current_level: N; required_level: N; gap: N; importance: N }[];
  };
  moves: { source: string | null; rows: Record<string, unknown>[] };
  goals: { loaded: boolean; rows: Record<string, unknown>[] };
  checkIns: { loaded: boolean; n: number; n_career: number; last_career_talk: string | null; rows: Record<string, unknown>[] };
  nextSteps: string[];
  asOf: string | null;
  runId: N;
}

/** GET /api/employees/:id/brief (no risk score: the brief is read in the conversation) */
export interface Brief {
  employee: { employee_id: string; full_name: string | null; department: string | null; location: string | null; hire_date: string | null };
  role: { role_id: string; title: string | null; job_family: string | null; level: N; track: string | null;
    role_start_date: string | null; months_in_role: N; months_since_promotion: N } | null;
  manager: { employee_id: string; full_name: string | null } | null;
  path: { path_state: string | null; meaning: string | null; targets: { role_id: string; title: string | null; target_kind: string | null;
    coverage: N; gaps: { skill_id: string; skill_name: string | null; current_level: N; required_level: N; gap: N }[] }[] };
  suggestions: { rank: N; role_id: string; title: string | null; kind: string | null; level_change: N; coverage: N;
    n_skills_to_close: N; skills_to_close: string | null; has_open_need: boolean | null }[];
  goals: { goal_id: string; title: string | null; status: string | null; progress: N; due_on: string | null; target_role_id: string | null;
    skill_id: string | null; is_linked: boolean | null; is_overdue: boolean }[];
  review: { cycle: string; performance: N; potential: N; reviewed_on: string | null } | null;
  checkIns: { last_check_in: string | null; career_discussions: string[]; pulse_recent: N; pulse_prior: N;
    trend: 'up' | 'down' | 'steady' | null; pulses: { week_of: string; pulse: N }[] };
  succession: { nominations: { role_id: string; title: string | null; nominated_readiness: string | null; nominated_on: string | null; readiness: string | null }[];
    plans: { role_id: string; title: string | null; decided_readiness: string | null; is_emergency: boolean }[] };
  talkingPoints: { rule: string; text: string }[];
  asOf: string | null;
  runId: N;
}

/** A row of GET /api/employees/:id/suggestions: a suggested move (mobility_matches) with its skill gaps. */
export interface Suggestion {
  rank: N; role_id: string; title: string | null; level_change: N; kind: string | null; coverage: N;
  n_skills_to_close: N; skills_to_close: string | null; months_in_role: N; has_open_need: boolean | null;
  is_critical_without_ready_now: boolean | null; is_path_target: boolean | null;
  gaps: { skill_id: string; skill_name: string | null; current_level: N; required_level: N; importance: N }[];
}

/** GET /api/employees/:id/suggestions */
export interface Suggestions { rows: Suggestion[]; asOf: string | null; runId: N }

/** A row of GET /api/pipeline/runs */
export interface RunRow {
  run_id: number; started_at: string | null; finished_at: string | null; as_of: string | null;
  trigger: string | null; status: string | null; error: string | null;
}

/** GET /api/pipeline/runs/:id */
export interface RunDetail { run: RunRow; files: Record<string, unknown>[]; notes: string[] }

/** A mapping of GET /api/pipeline/mappings */
export interface MappingInfo { file: string; name: string; description: string | null; patterns: string[]; datasets: string[] }

/** 201 answer of POST /api/pipeline/uploads: what the next run reads the file as. */
export interface UploadAnswer { file: string; dataset: string | null; datasets: string[]; mapping: string | null; bytes: number }
