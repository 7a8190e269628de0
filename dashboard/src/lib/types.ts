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

/** A row of GET /api/pipeline/runs */
export interface RunRow {
  run_id: number; started_at: string | null; finished_at: string | null; as_of: string | null;
  trigger: string | null; status: string | null; error: string | null;
}

/** GET /api/pipeline/runs/:id */
export interface RunDetail { run: RunRow; files: Record<string, unknown>[] }

/** A mapping of GET /api/pipeline/mappings */
export interface MappingInfo { file: string; name: string; description: string | null; patterns: string[]; datasets: string[] }

/** 201 answer of POST /api/pipeline/uploads: what the next run reads the file as. */
export interface UploadAnswer { file: string; dataset: string | null; datasets: string[]; mapping: string | null; bytes: number }
