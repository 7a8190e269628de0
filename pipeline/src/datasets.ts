// The import contract (../shared/spec/import-contract.md) as data: one entry per dataset with its
// columns, types, keys and rules. Ingest, staging SQL, the fixture generator and the docs all read this.

export type ColumnType = 'text' | 'date' | 'int' | 'number' | 'bool' | 'enum';

export interface ColumnDef {
  name: string;
  type: ColumnType;
  /** Must be present as a header and non-empty in every row (key columns are always required). */
  required?: boolean;
  /** Allowed values for `enum` columns (stored lower-case). */
  values?: readonly string[];
  /** Inclusive bounds for int/number columns. */
  min?: number;
  max?: number;
  /** Exclusive lower bound (`int > 0`). */
  minExclusive?: boolean;
  /** Value used when the cell is empty. `{ column }` copies another column of the same row. */
  default?: string | number | boolean | { column: string };
  /** Must be unique within a file when present; `lower` compares lower-cased (email). */
  unique?: 'exact' | 'lower';
  /** Must not be before this date column of the same row (">=": the same day is fine). */
  notBefore?: string;
  /** Must differ from this column of the same row. */
  differsFrom?: string;
  /**
   * A reference to another dataset's key. `owner`: an unknown value rejects the row.
   * `optional`: an unknown value keeps the row, nulls the field and records a warning.
   */
  ref?: { dataset: DatasetName; column: string; kind: 'owner' | 'optional' };
  /** Self-reference that must not form a cycle (manager chains, objective parents). */
  acyclic?: boolean;
}

export type DatasetName =
  | 'employees' | 'roles' | 'role_progressions' | 'skills' | 'role_skills' | 'employee_skills'
  | 'objectives' | 'goals' | 'reviews' | 'check_ins' | 'career_plans' | 'successor_nominations' | 'job_history';

export interface DatasetDef {
  name: DatasetName;
  /** snapshot: each file replaces the dataset; event: rows upsert by key so drops accumulate. */
  kind: 'snapshot' | 'event';
  key: readonly string[];
  columns: readonly ColumnDef[];
}

const text = (name: string, extra: Partial<ColumnDef> = {}): ColumnDef => ({ name, type: 'text', ...extra });
const date = (name: string, extra: Partial<ColumnDef> = {}): ColumnDef => ({ name, type: 'date', ...extra });
const int = (name: string, min: number, max: number | undefined, extra: Partial<ColumnDef> = {}): ColumnDef =>
  ({ name, type: 'int', min, max, ...extra });
const bool = (name: string, extra: Partial<ColumnDef> = {}): ColumnDef => ({ name, type: 'bool', ...extra });
const oneOf = (name: string, values: readonly string[], extra: Partial<ColumnDef> = {}): ColumnDef =>
  ({ name, type: 'enum', values, ...extra });
const owner = (dataset: DatasetName, column: string) => ({ dataset, column, kind: 'owner' as const });
const optional = (dataset: DatasetName, column: string) => ({ dataset, column, kind: 'optional' as const });

export const GOAL_STATUSES = ['not_started', 'on_track', 'at_risk', 'off_track', 'done', 'dropped'] as const;
export const NOMINATION_READINESS = ['ready_now', '1_2_years', '3_plus_years'] as const;
export const JOB_CHANGE_REASONS = ['hire', 'promotion', 'transfer', 'demotion', 'other'] as const;
export const ASSESSMENT_SOURCES = ['self', 'manager', 'peer', 'certification'] as const;

export const DATASETS: readonly DatasetDef[] = [
  {
    name: 'employees', kind: 'snapshot', key: ['employee_id'],
    columns: [
      text('employee_id', { required: true, unique: 'exact' }),
      text('full_name', { required: true }),
      text('email', { unique: 'lower' }),
      text('department', { required: true }),
      text('role_id', { required: true, ref: owner('roles', 'role_id') }),
      text('manager_id', { ref: optional('employees', 'employee_id'), acyclic: true }),
      text('location'),
      date('hire_date', { required: true }),
      date('role_start_date', { default: { column: 'hire_date' }, notBefore: 'hire_date' }),
      date('last_promotion_date', { notBefore: 'hire_date' }),
      date('termination_date', { notBefore: 'hire_date' }),
      oneOf('termination_type', ['voluntary', 'involuntary']),
      bool('regrettable'),
    ],
  },
  {
    name: 'roles', kind: 'snapshot', key: ['role_id'],
    columns: [
      text('role_id', { required: true, unique: 'exact' }),
      text('title', { required: true }),
      text('job_family', { required: true }),
      int('level', 1, 12, { required: true }),
      oneOf('track', ['ic', 'manager', 'executive'], { default: 'ic' }),
      bool('is_critical', { default: false }),
      int('planned_headcount', 0, undefined),
    ],
  },
  {
    name: 'role_progressions', kind: 'snapshot', key: ['from_role_id', 'to_role_id'],
    columns: [
      text('from_role_id', { required: true, ref: owner('roles', 'role_id') }),
      text('to_role_id', { required: true, ref: owner('roles', 'role_id'), differsFrom: 'from_role_id' }),
      int('typical_months', 0, undefined, { minExclusive: true }),
      // A blank move is derived from the levels once roles are known: promotion when the to-role's
      // level is higher, else lateral.
      oneOf('move', ['promotion', 'lateral']),
    ],
  },
  {
    name: 'skills', kind: 'snapshot', key: ['skill_id'],
    columns: [
      text('skill_id', { required: true, unique: 'exact' }),
      text('name', { required: true }),
      text('category'),
    ],
  },
  {
    name: 'role_skills', kind: 'snapshot', key: ['role_id', 'skill_id'],
    columns: [
      text('role_id', { required: true, ref: owner('roles', 'role_id') }),
      text('skill_id', { required: true, ref: owner('skills', 'skill_id') }),
      int('required_level', 1, 5, { required: true }),
      int('importance', 1, 3, { default: 2 }),
    ],
  },
  {
    name: 'employee_skills', kind: 'event', key: ['employee_id', 'skill_id', 'assessed_on', 'source'],
    columns: [
      text('employee_id', { required: true, ref: owner('employees', 'employee_id') }),
      text('skill_id', { required: true, ref: owner('skills', 'skill_id') }),
      int('level', 0, 5, { required: true }),
      date('assessed_on', { required: true }),
      // A blank source is `manager`; the default applies before the key is checked.
      oneOf('source', ASSESSMENT_SOURCES, { default: 'manager' }),
    ],
  },
  {
    name: 'objectives', kind: 'snapshot', key: ['objective_id'],
    columns: [
      text('objective_id', { required: true, unique: 'exact' }),
      text('title', { required: true }),
      text('parent_objective_id', { ref: optional('objectives', 'objective_id'), acyclic: true }),
      text('department'),
      text('period'),
    ],
  },
  {
    name: 'goals', kind: 'snapshot', key: ['goal_id'],
    columns: [
      text('goal_id', { required: true, unique: 'exact' }),
      text('employee_id', { required: true, ref: owner('employees', 'employee_id') }),
      text('title', { required: true }),
      text('objective_id', { ref: optional('objectives', 'objective_id') }),
      text('target_role_id', { ref: optional('roles', 'role_id') }),
      text('skill_id', { ref: optional('skills', 'skill_id') }),
      oneOf('status', GOAL_STATUSES, { required: true }),
      { name: 'progress', type: 'number', min: 0, max: 100 },
      date('created_on', { required: true }),
      date('due_on'),
      date('completed_on'),
    ],
  },
  {
    name: 'reviews', kind: 'event', key: ['employee_id', 'cycle'],
    columns: [
      text('employee_id', { required: true, ref: owner('employees', 'employee_id') }),
      text('cycle', { required: true }),
      text('reviewer_id', { ref: optional('employees', 'employee_id') }),
      int('performance', 1, 5, { required: true }),
      int('potential', 1, 3),
      date('reviewed_on', { required: true }),
    ],
  },
  {
    name: 'check_ins', kind: 'event', key: ['employee_id', 'week_of'],
    columns: [
      text('employee_id', { required: true, ref: owner('employees', 'employee_id') }),
      text('manager_id', { ref: optional('employees', 'employee_id') }),
      date('week_of', { required: true }),
      int('pulse', 1, 5),
      bool('career_discussed', { default: false }),
      bool('manager_replied', { default: false }),
    ],
  },
  {
    name: 'career_plans', kind: 'snapshot', key: ['employee_id', 'target_role_id'],
    columns: [
      text('employee_id', { required: true, ref: owner('employees', 'employee_id') }),
      text('target_role_id', { required: true, ref: owner('roles', 'role_id') }),
      date('created_on'),
      oneOf('status', ['active', 'achieved', 'dropped'], { default: 'active' }),
    ],
  },
  {
    name: 'successor_nominations', kind: 'snapshot', key: ['role_id', 'nominee_id'],
    columns: [
      text('role_id', { required: true, ref: owner('roles', 'role_id') }),
      text('nominee_id', { required: true, ref: owner('employees', 'employee_id') }),
      text('nominated_by', { ref: optional('employees', 'employee_id') }),
      oneOf('readiness', NOMINATION_READINESS),
      date('nominated_on'),
    ],
  },
  {
    // Optional (the 13th dataset): each employee's role, manager and department over time
    // (../shared/spec/history.md "Role and manager at T"). Without it, history uses the current ones.
    name: 'job_history', kind: 'event', key: ['employee_id', 'effective_date'],
    columns: [
      text('employee_id', { required: true, ref: owner('employees', 'employee_id') }),
      date('effective_date', { required: true }),
      text('role_id', { required: true, ref: owner('roles', 'role_id') }),
      // blank: the employee's current manager / department (sql/intermediate/int_job_history_ordered.sql)
      text('manager_id', { ref: optional('employees', 'employee_id') }),
      text('department'),
      oneOf('reason', JOB_CHANGE_REASONS, { default: 'other' }),
    ],
  },
];

export const DATASET_NAMES = DATASETS.map((d) => d.name);

export function dataset(name: DatasetName): DatasetDef {
  const def = DATASETS.find((d) => d.name === name);
  if (!def) throw new Error(`unknown dataset ${name}`);
  return def;
}

/** Key columns are required whatever the table says. */
export function isRequired(def: DatasetDef, col: ColumnDef): boolean {
  return Boolean(col.required) || def.key.includes(col.name);
}

/** DuckDB type of a canonical column in the loaded (`src_`) and staging tables. */
export function duckType(col: ColumnDef): string {
  switch (col.type) {
    case 'date': return 'DATE';
    case 'int': return 'INTEGER';
    case 'number': return 'DOUBLE';
    case 'bool': return 'BOOLEAN';
    default: return 'VARCHAR';
  }
}

/**
 * The dataset a file belongs to: the longest dataset name that the file's stem equals or starts with
 * followed by `_`, in any case (`role_skills.csv` is role_skills, not roles). Null when none matches.
 */
export function datasetForFile(fileName: string): DatasetName | null {
  const base = fileName.split(/[\\/]/).pop() ?? '';
  const stem = base.replace(/\.(csv|parquet)$/i, '').toLowerCase();
  let best: DatasetName | null = null;
  for (const name of DATASET_NAMES) {
    if ((stem === name || stem.startsWith(`${name}_`)) && (!best || name.length > best.length)) best = name;
  }
  return best;
}

/**
 * The name a file was nearly given: its stem starts with a dataset name followed by neither "_" nor a letter
 * or digit (`employees (1).csv` as a browser saves a second download, `Employees 2026-11.csv`), renamed
 * the contract's way (`employees_1.csv`, `Employees_2026-11.csv`); null when it starts with none.
 */
export function nearName(name: string): string | null {
  const [, stem, ext] = /^(.*?)(\.[^.]*)?$/.exec(name)!;
  const dataset = [...DATASET_NAMES].sort((a, b) => b.length - a.length)
    .find((d) => stem.toLowerCase().startsWith(d) && /^[^a-z0-9_]/i.test(stem.slice(d.length)));
  if (!dataset) return null;
  const rest = stem.slice(dataset.length).replace(/[^A-Za-z0-9-]+/g, '_').replace(/^[_-]+|[_-]+$/g, '');
  return `${stem.slice(0, dataset.length)}${rest ? `_${rest}` : ''}${ext ?? ''}`;
}
