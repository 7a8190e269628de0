// Every table of the dashboard: its columns, written against the API route's response schema
// (`source`: the route's OpenAPI path and where its rows sit in the answer). `tables.test.ts` checks each
// column against the server's schema, so a renamed field fails a test instead of leaving an empty column.
// Pages add drill-down links with `columnsOf(TABLES.x, { full_name: { href } })`.
import type { NumberKind } from './format.ts';

/** How a numeric column's figures read (lib/format.ts): int = count, num = ratio (two decimals), pct = 0–1 share,
 * percent = already 0–100 (progress), score = a mean or median of 0–100 scores (one decimal). */
const NUMBER_KINDS = { int: 'count', num: 'decimal', pct: 'share', percent: 'percent', score: 'score' } as const satisfies Record<string, NumberKind>;

/** The number format of a column, or undefined for a column of text, dates, labels… */
export function numberKind(c: Column): NumberKind | undefined {
  return c.kind && c.kind in NUMBER_KINDS ? NUMBER_KINDS[c.kind as keyof typeof NUMBER_KINDS] : undefined;
}

export interface Column {
  key: string;
  label: string;
  kind?: keyof typeof NUMBER_KINDS | 'text' | 'date' | 'datetime' | 'list' | 'label' | 'bool';
  /** Link target for the cell (a drill-down), or null for plain text. */
  href?: (row: Record<string, unknown>) => string | null;
  format?: (value: unknown, row: Record<string, unknown>) => string;
  /** false: a link-only column left out of the CSV export. */
  export?: boolean;
  /** The API may leave this field out (e.g. a column older databases lack): no error when it is missing. */
  optional?: boolean;
}

export interface TableSpec {
  /** The route (OpenAPI path) and the property path to its row array; null: the page computes the rows. */
  source: { api: string; at: string[] } | null;
  columns: Column[];
  /** Keys the page adds to each row itself (not in the API's rows). */
  computed?: string[];
}

const list = (api: string) => ({ api, at: ['rows'] });
const person = [{ key: 'full_name', label: 'Employee' }, { key: 'employee_id', label: 'Id' }];

export const TABLES = {
  // Overview
  topSkillGaps: {
    source: { api: '/api/overview/', at: ['topSkillGaps'] },
    columns: [
      { key: 'skill_name', label: 'Skill' }, { key: 'skill_id', label: 'Skill id' },
      { key: 'employees_short', label: 'Employees short', kind: 'int' }, { key: 'gap_points', label: 'Gap points', kind: 'int' },
    ],
  },
  riskBands: {
    source: { api: '/api/overview/', at: ['riskBands'] },
    columns: [{ key: 'band', label: 'Risk band', kind: 'label' }, { key: 'n', label: 'Employees', kind: 'int' }],
  },

  // Skill gaps
  skillGapsOrg: {
    source: list('/api/skill-gaps/org'),
    columns: [
      { key: 'scope_value', label: 'Department' }, { key: 'skill_name', label: 'Skill' },
      { key: 'employees_requiring', label: 'Requiring', kind: 'int' }, { key: 'employees_short', label: 'Short', kind: 'int' },
      { key: 'mean_gap', label: 'Mean gap', kind: 'num' }, { key: 'gap_points', label: 'Gap points', kind: 'int' },
      { key: 'supply', label: 'Supply (level ≥ 3)', kind: 'int' },
      { key: 'skill_id', label: 'Employees', format: () => 'Employees', export: false },
    ],
  },
  skillGapEmployees: {
    source: list('/api/skill-gaps/employees'),
    columns: [
      ...person, { key: 'target_role_title', label: 'Role' }, { key: 'target_role_id', label: 'Role id' },
      { key: 'skill_name', label: 'Skill' }, { key: 'skill_id', label: 'Skill id' },
      { key: 'required_level', label: 'Required', kind: 'int' }, { key: 'current_level', label: 'Current', kind: 'int' },
      { key: 'gap', label: 'Gap', kind: 'int' }, { key: 'importance', label: 'Importance', kind: 'int' },
    ],
  },

  // Succession
  criticalRoles: {
    source: list('/api/succession/roles'),
    columns: [
      { key: 'title', label: 'Role' }, { key: 'role_id', label: 'Role id' }, { key: 'job_family', label: 'Job family' },
      { key: 'n_incumbents', label: 'Incumbents', kind: 'int' },
      { key: 'incumbent_risk_band', label: 'Incumbents’ risk', kind: 'label' },
      { key: 'n_ready_now', label: 'Ready now', kind: 'int' }, { key: 'n_ready_1_2_years', label: '1–2 years', kind: 'int' },
      { key: 'n_ready_3_plus_years', label: '3+ years', kind: 'int' }, { key: 'n_not_ready', label: 'Not ready', kind: 'int' },
      { key: 'has_bench', label: 'Has bench', kind: 'bool' },
      // ready now 1, in 1–2 years ½ (÷ the critical roles each is ready for): two decimals, so ½s show
      { key: 'bench_strength', label: 'Bench strength', kind: 'num' },
    ],
  },
  roleCandidates: {
    source: { api: '/api/succession/roles/{roleId}', at: ['candidates'] },
    computed: ['evidence'],
    columns: [
      { key: 'full_name', label: 'Candidate' }, { key: 'employee_id', label: 'Id' },
      { key: 'current_role_id', label: 'Current role' }, { key: 'department', label: 'Department' },
      { key: 'readiness', label: 'Readiness', kind: 'label' }, { key: 'readiness_score', label: 'Score', kind: 'int' },
      { key: 'coverage', label: 'Coverage', kind: 'pct' }, { key: 'performance', label: 'Perf.', kind: 'int' },
      { key: 'potential', label: 'Pot.', kind: 'int' }, { key: 'evidence', label: 'Evidence' },
      { key: 'nominated_readiness', label: 'Manager says', kind: 'label' },
      { key: 'calibration', label: 'Calibration', kind: 'label' },
    ],
  },
  calibrationGaps: {
    source: list('/api/succession/candidates'),
    columns: [
      { key: 'full_name', label: 'Candidate' }, { key: 'employee_id', label: 'Id' },
      { key: 'role_title', label: 'For role' }, { key: 'role_id', label: 'Role id' },
      { key: 'nominated_readiness', label: 'Manager says', kind: 'label' }, { key: 'readiness', label: 'Evidence says', kind: 'label' },
      { key: 'calibration', label: 'Gap', kind: 'label' },
      { key: 'coverage', label: 'Coverage', kind: 'pct' }, { key: 'performance', label: 'Perf.', kind: 'int' },
    ],
  },
  // Saved succession plans (issue 14). The sources are the plan routes' response schemas.
  successionPlans: {
    source: { api: '/api/succession/plans', at: ['plans'] },
    columns: [
      { key: 'title', label: 'Role' }, { key: 'role_id', label: 'Role id' }, { key: 'version', label: 'Version', kind: 'int' },
      { key: 'n_successors', label: 'Successors', kind: 'int' }, { key: 'emergency_successor_id', label: 'Emergency successor' },
      { key: 'updated_by', label: 'Saved by' }, { key: 'updated_at', label: 'Saved at', kind: 'datetime' },
    ],
  },
  planDisagreements: {
    source: list('/api/succession/disagreements'),
    columns: [
      { key: 'title', label: 'Role' }, { key: 'role_id', label: 'Role id' }, { key: 'name', label: 'Successor' },
      { key: 'employee_id', label: 'Id' }, { key: 'current_title', label: 'Current role' },
      { key: 'decided_readiness', label: 'Decided', kind: 'label' }, { key: 'evidence_readiness', label: 'Evidence says', kind: 'label' },
      { key: 'calibration', label: 'Gap', kind: 'label' }, { key: 'decided_on', label: 'Decided on', kind: 'date' },
      { key: 'version', label: 'Plan version', kind: 'int' },
    ],
  },
  planSuccessors: {
    source: { api: '/api/succession/plans/{roleId}', at: ['plan', 'successors'] },
    computed: ['action_list'],
    columns: [
      { key: 'name', label: 'Successor' }, { key: 'employee_id', label: 'Id' }, { key: 'current_title', label: 'Current role' },
      { key: 'decided_readiness', label: 'Decided', kind: 'label' }, { key: 'evidence_readiness', label: 'Evidence says', kind: 'label' },
      { key: 'calibration', label: 'Calibration', kind: 'label' }, { key: 'action_list', label: 'Development actions' },
    ],
  },
  whatIfBench: {
    source: { api: '/api/succession/plans/{roleId}/what-if', at: ['roles'] },
    columns: [
      { key: 'title', label: 'Role' }, { key: 'role_id', label: 'Role id' },
      { key: 'bench_before', label: 'Bench before', kind: 'num' }, { key: 'bench_after', label: 'Bench after', kind: 'num' },
    ],
  },
  whatIfReports: {
    source: { api: '/api/succession/plans/{roleId}/what-if', at: ['reports'] },
    columns: [
      { key: 'name', label: 'Direct report' }, { key: 'employee_id', label: 'Id' },
      { key: 'manager_now_id', label: 'Manager now' }, { key: 'manager_to_be_name', label: 'Manager to be' },
      { key: 'manager_to_be_id', label: 'Manager to be (id)' },
    ],
  },
  nineBoxPeople: {
    source: { api: '/api/succession/nine-box', at: ['rows'] },
    columns: [
      ...person, { key: 'department', label: 'Department' }, { key: 'role_id', label: 'Role' },
      { key: 'performance_band', label: 'Performance', kind: 'label' }, { key: 'potential_band', label: 'Potential', kind: 'label' },
    ],
  },

  // Retention
  retention: {
    source: list('/api/retention/'),
    columns: [
      ...person, { key: 'department', label: 'Department' }, { key: 'manager_name', label: 'Manager' },
      { key: 'path_state', label: 'Path state', kind: 'label' }, { key: 'score', label: 'Score', kind: 'int' },
      { key: 'band', label: 'Band', kind: 'label' }, { key: 'reasons', label: 'Reasons' },
    ],
  },
  riskByPathState: {
    source: { api: '/api/retention/distribution', at: ['summary'] },
    columns: [
      { key: 'path_state', label: 'Path state', kind: 'label' }, { key: 'n', label: 'Employees', kind: 'int' },
      { key: 'mean_score', label: 'Mean score', kind: 'score' }, { key: 'median_score', label: 'Median score', kind: 'score' },
      { key: 'high_share', label: 'High risk (≥ 50)', kind: 'pct' },
    ],
  },
  highRiskIncumbents: {
    source: list('/api/retention/'),
    columns: [
      ...person, { key: 'role_id', label: 'Role' }, { key: 'department', label: 'Department' },
      { key: 'score', label: 'Score', kind: 'int' }, { key: 'reasons', label: 'Reasons' },
    ],
  },

  // Goals
  goalAlignment: {
    source: list('/api/goals/alignment'),
    columns: [
      { key: 'scope_value', label: 'Department', format: (v, r) => (r.scope === 'company' ? 'Company' : v == null ? '—' : String(v)) },
      { key: 'n_live_goals', label: 'Live goals', kind: 'int' },
      { key: 'n_aligned', label: 'Aligned', kind: 'int' }, { key: 'n_path_linked', label: 'Path-linked', kind: 'int' },
      { key: 'n_orphan', label: 'Orphan', kind: 'int' },
      { key: 'aligned_rate', label: 'Aligned rate', kind: 'pct' }, { key: 'path_linked_rate', label: 'Path-linked rate', kind: 'pct' },
      { key: 'orphan_rate', label: 'Orphan rate', kind: 'pct' },
    ],
  },
  orphanGoals: {
    source: list('/api/goals/orphans'),
    columns: [
      { key: 'goal_id', label: 'Goal' }, { key: 'title', label: 'Title' }, ...person,
      { key: 'department', label: 'Department' }, { key: 'status', label: 'Status', kind: 'label' },
      { key: 'progress', label: 'Progress', kind: 'percent' }, { key: 'due_on', label: 'Due', kind: 'date' },
    ],
  },
  objectives: {
    source: list('/api/goals/objectives'),
    columns: [
      { key: 'objective_id', label: 'Objective' }, { key: 'title', label: 'Title' }, { key: 'parent_objective_id', label: 'Parent' },
      { key: 'department', label: 'Department' }, { key: 'period', label: 'Period' },
      { key: 'n_items', label: 'Items', kind: 'int' }, { key: 'n_goals', label: 'Direct goals', kind: 'int' },
      { key: 'progress', label: 'Roll-up progress', kind: 'percent' },
    ],
  },

  // Talent needs
  talentNeeds: {
    source: list('/api/talent-needs/'),
    // The shortfall (the page's headline) first after the role, then what makes it up (open need + incumbents
    // at high risk − pipeline ready now) and the rest of the pipeline; short labels so the table fits a laptop.
    columns: [
      { key: 'title', label: 'Role' }, { key: 'role_id', label: 'Role id' },
      { key: 'shortfall', label: 'Shortfall', kind: 'int' }, { key: 'open_need', label: 'Open need', kind: 'int' },
      { key: 'incumbents_high_risk', label: 'At high risk', kind: 'int' }, { key: 'pipeline_ready_now', label: 'Ready now', kind: 'int' },
      { key: 'pipeline_ready_1_2_years', label: '1–2 years', kind: 'int' }, { key: 'pipeline_ready_3_plus_years', label: '3+ years', kind: 'int' },
      { key: 'pipeline_not_ready', label: 'Not ready', kind: 'int' },
      { key: 'headcount', label: 'Headcount', kind: 'int' }, { key: 'planned_headcount', label: 'Planned', kind: 'int' },
      { key: 'job_family', label: 'Job family' }, { key: 'level', label: 'Level', kind: 'int' },
    ],
  },

  // Career framework
  frameworkRoles: {
    source: { api: '/api/framework/', at: ['roles'] },
    computed: ['required_skills'],
    columns: [
      { key: 'level', label: 'Level', kind: 'int' }, { key: 'title', label: 'Role' }, { key: 'role_id', label: 'Role id' },
      { key: 'track', label: 'Track', kind: 'label' }, { key: 'is_critical', label: 'Critical', format: (v) => (v ? 'yes' : '') },
      { key: 'planned_headcount', label: 'Planned', kind: 'int' },
      { key: 'required_skills', label: 'Required skills (level; ★ = most important)' },
    ],
  },

  // Employees
  employees: {
    source: list('/api/employees/'),
    columns: [
      { key: 'full_name', label: 'Name' }, { key: 'employee_id', label: 'Id' },
      { key: 'department', label: 'Department' }, { key: 'role_title', label: 'Role' }, { key: 'job_family', label: 'Job family' },
      { key: 'manager_name', label: 'Manager' }, { key: 'path_state', label: 'Path state', kind: 'label' },
    ],
  },
  employeeGaps: {
    source: { api: '/api/employees/{id}', at: ['gaps'] },
    columns: [
      { key: 'skill_name', label: 'Skill' }, { key: 'skill_id', label: 'Skill id' },
      { key: 'required_level', label: 'Required', kind: 'int' }, { key: 'current_level', label: 'Current', kind: 'int' },
      { key: 'gap', label: 'Gap', kind: 'int' }, { key: 'importance', label: 'Importance', kind: 'int' },
    ],
  },
  employeeReviews: {
    source: { api: '/api/employees/{id}', at: ['reviews'] },
    columns: [
      { key: 'cycle', label: 'Cycle' }, { key: 'reviewed_on', label: 'Reviewed on', kind: 'date' },
      { key: 'performance', label: 'Performance', kind: 'int' }, { key: 'potential', label: 'Potential', kind: 'int' },
    ],
  },
  employeeGoals: {
    source: { api: '/api/employees/{id}', at: ['goals'] },
    columns: [
      { key: 'goal_id', label: 'Goal' }, { key: 'title', label: 'Title' }, { key: 'status', label: 'Status', kind: 'label' },
      { key: 'progress', label: 'Progress', kind: 'percent' }, { key: 'is_linked', label: 'Path-linked', kind: 'bool' },
      { key: 'is_aligned', label: 'Aligned', kind: 'bool' },
      { key: 'objective_id', label: 'Objective' }, { key: 'target_role_id', label: 'Target role' }, { key: 'skill_id', label: 'Skill' },
      { key: 'due_on', label: 'Due', kind: 'date' },
    ],
  },

  // My path (an employee's own page): plain column names, no codes
  meSkills: {
    source: { api: '/api/me/', at: ['path', 'skills'] },
    columns: [
      { key: 'skill_name', label: 'Skill' }, { key: 'current_level', label: 'Your level', kind: 'int' },
      { key: 'required_level', label: 'Level needed', kind: 'int' },
    ],
  },
  meMoves: {
    source: { api: '/api/me/', at: ['moves', 'rows'] },
    columns: [
      { key: 'title', label: 'Role' }, { key: 'words', label: 'What kind of move' },
      { key: 'coverage', label: 'Skills you already have', kind: 'pct' },
      { key: 'skills_to_close', label: 'Skills to build (your level → level needed)', format: (v) => (v == null ? 'None' : String(v)) },
    ],
  },
  meGoals: {
    source: { api: '/api/me/', at: ['goals', 'rows'] },
    columns: [
      { key: 'title', label: 'Goal' }, { key: 'status', label: 'Status', kind: 'label' },
      { key: 'progress', label: 'Progress', kind: 'percent' }, { key: 'due_on', label: 'Due', kind: 'date' },
      { key: 'links', label: 'How it links up' },
    ],
  },
  meCheckIns: {
    source: { api: '/api/me/', at: ['checkIns', 'rows'] },
    columns: [
      { key: 'week_of', label: 'Week of', kind: 'date' },
      { key: 'career_discussed', label: 'Career talked about', format: (v) => (v === true ? 'Yes' : 'No') },
      { key: 'manager_replied', label: 'Manager replied', format: (v) => (v === true ? 'Yes' : v === false ? 'No' : '—') },
    ],
  },
  // Suggested moves (mobility_matches): the employee page's table, with a selection to export as career plans
  employeeSuggestions: {
    source: { api: '/api/employees/{id}/suggestions', at: ['rows'] },
    columns: [
      { key: 'rank', label: 'Rank', kind: 'int' }, { key: 'title', label: 'Role' }, { key: 'role_id', label: 'Role id' },
      { key: 'kind', label: 'Move', kind: 'label' }, { key: 'level_change', label: 'Levels', format: (v) => (typeof v === 'number' && v > 0 ? `+${v}` : v == null ? '—' : String(v)) },
      { key: 'coverage', label: 'Coverage', kind: 'pct' }, { key: 'gaps', label: 'Skills to close (current → required)' },
      { key: 'has_open_need', label: 'Open need', kind: 'bool' }, { key: 'is_critical_without_ready_now', label: 'Critical, no one ready', kind: 'bool' },
      { key: 'is_path_target', label: 'On their path', kind: 'bool' },
    ],
  },
  bestMoves: {
    source: list('/api/retention/best-moves'),
    columns: [
      ...person, { key: 'department', label: 'Department' }, { key: 'score', label: 'Score', kind: 'int' },
      { key: 'suggested_title', label: 'Best move', format: (v, r) => (r.suggested_role_id == null ? 'No suggestion' : String(v ?? r.suggested_role_id)) },
      { key: 'suggested_role_id', label: 'Role id' }, { key: 'kind', label: 'Move', kind: 'label' },
      { key: 'coverage', label: 'Coverage', kind: 'pct' }, { key: 'skills_to_close', label: 'Skills to close' },
      { key: 'has_open_need', label: 'Open need', kind: 'bool' },
    ],
  },
  hiddenBench: {
    source: list('/api/talent-needs/hidden-bench'),
    columns: [
      { key: 'role_title', label: 'Role' }, { key: 'role_id', label: 'Role id' }, { key: 'rank', label: 'Rank', kind: 'int' },
      ...person, { key: 'current_role_id', label: 'Current role' }, { key: 'department', label: 'Department' },
      { key: 'kind', label: 'Move', kind: 'label' }, { key: 'coverage', label: 'Coverage', kind: 'pct' },
      { key: 'skills_to_close', label: 'Skills to close' }, { key: 'performance', label: 'Perf.', kind: 'int' },
      { key: 'potential', label: 'Pot.', kind: 'int' }, { key: 'months_in_role', label: 'Months in role', kind: 'int' },
      { key: 'has_open_need', label: 'Open need', kind: 'bool' }, { key: 'is_critical_without_ready_now', label: 'Critical, no one ready', kind: 'bool' },
    ],
  },

  // Pipeline
  runs: {
    source: list('/api/pipeline/runs'),
    columns: [
      { key: 'run_id', label: 'Run' }, { key: 'status', label: 'Status', kind: 'label' }, { key: 'trigger', label: 'Trigger' },
      { key: 'as_of', label: 'As of', kind: 'date' }, { key: 'started_at', label: 'Started', kind: 'datetime' },
      { key: 'finished_at', label: 'Finished', kind: 'datetime' }, { key: 'error', label: 'Error' },
    ],
  },
  runFiles: {
    source: { api: '/api/pipeline/runs/{id}', at: ['files'] },
    columns: [
      { key: 'file', label: 'File' }, { key: 'dataset', label: 'Dataset' }, { key: 'mapping', label: 'Mapping', optional: true },
      { key: 'status', label: 'Status', kind: 'label' },
      { key: 'rows_read', label: 'Read', kind: 'int' }, { key: 'rows_loaded', label: 'Loaded', kind: 'int' },
      { key: 'rows_rejected', label: 'Rejected', kind: 'int' }, { key: 'rows_warned', label: 'Warnings', kind: 'int' },
      { key: 'reason', label: 'Reason' },
    ],
  },
  backtestFactors: {
    source: { api: '/api/retention/backtest', at: ['risk_factor_effects'] },
    computed: ['odds_interval'],
    columns: [
      { key: 'factor', label: 'Factor', kind: 'label' },
      { key: 'n_with', label: 'Scored with it', kind: 'int' }, { key: 'exit_rate_with', label: 'Exit rate with', kind: 'pct' },
      { key: 'exit_rate_without', label: 'Exit rate without', kind: 'pct' }, { key: 'rate_ratio', label: 'Rate ratio', kind: 'num' },
      { key: 'odds_ratio', label: 'Odds ratio (adjusted)', kind: 'num' },
      { key: 'odds_interval', label: '95 % interval' },
    ],
  },
  backtestWeights: {
    source: { api: '/api/retention/backtest', at: ['risk_weights_fitted'] },
    computed: ['coef_interval'],
    columns: [
      { key: 'factor', label: 'Factor', kind: 'label' },
      { key: 'configured_points', label: 'Points now', kind: 'int' }, { key: 'fitted_points', label: 'Fitted points', kind: 'int' },
      { key: 'fitted_coefficient', label: 'Coefficient', kind: 'num' }, { key: 'coef_interval', label: '95 % interval' },
    ],
  },
  backtestDates: {
    source: { api: '/api/retention/backtest', at: ['risk_backtest'] },
    columns: [
      { key: 'as_of_date', label: 'History date', kind: 'date' }, { key: 'n_scored', label: 'Scored', kind: 'int' },
      { key: 'n_left', label: 'Left (voluntary)', kind: 'int' }, { key: 'n_excluded', label: 'Other exits (left out)', kind: 'int' },
      { key: 'exit_rate', label: 'Exit rate', kind: 'pct' }, { key: 'auc', label: 'AUC', kind: 'num' },
      { key: 'top_decile_lift', label: 'Top-10 % lift', kind: 'num' },
    ],
  },
  rejectKinds: {
    source: list('/api/pipeline/rejects/kinds'),
    columns: [
      { key: 'run_id', label: 'Run', kind: 'int' }, { key: 'file', label: 'File' }, { key: 'column', label: 'Column' },
      { key: 'problem', label: 'Problem' }, { key: 'n_rows', label: 'Rows', kind: 'int' },
      { key: 'first_line', label: 'First line', kind: 'int' }, { key: 'severity', label: 'Severity', kind: 'label' },
    ],
  },
  rejects: {
    source: list('/api/pipeline/rejects'),
    columns: [
      { key: 'run_id', label: 'Run', kind: 'int' }, { key: 'file', label: 'File' }, { key: 'dataset', label: 'Dataset' },
      { key: 'line', label: 'Line', kind: 'int' },
      { key: 'column', label: 'Column' }, { key: 'value', label: 'Value' }, { key: 'reason', label: 'Reason' },
      { key: 'severity', label: 'Severity', kind: 'label' },
    ],
  },
} satisfies Record<string, TableSpec>;

/** A table's columns with page-specific additions (drill-down links, formats) merged in by key. */
export function columnsOf(spec: TableSpec, extra: Record<string, Partial<Column>> = {}): Column[] {
  for (const key of Object.keys(extra)) {
    if (!spec.columns.some((c) => c.key === key)) throw new Error(`columnsOf: "${key}" is not a column of this table (${spec.columns.map((c) => c.key).join(', ')})`);
  }
  return spec.columns.map((c) => ({ ...c, ...extra[c.key] }));
}
