// Suggested moves chosen in any table that shows them (the employee page's suggestions, Retention's best
// moves, the hidden bench on Talent needs and Succession), exported through the one server route:
// POST /api/employees/career-plans writes the career_plans CSV of the import contract (status active,
// created_on the server's date) and checks each person against the caller's scope; the browser saves the
// file exactly as the server wrote it.
import { postForFile } from './api.ts';
import { downloadText } from './csv.ts';

/** One chosen suggestion: this person, to this role. */
export interface Move { employee_id: string; role_id: string }

/** The dataset (and the export button's name: "Export CSV: career_plans"). */
export const CAREER_PLANS = 'career_plans';

/** A row's selection key: the (employee, role) pair, which the contract keys career_plans by. */
export const moveKey = (m: Move): string => `${m.employee_id}\u001f${m.role_id}`;

/** The moves of `rows` whose key is in `selected`, in the rows' order (rows without a move are skipped). */
export function chosenMoves<R>(rows: readonly R[], moveOf: (row: R) => Move | null, selected: readonly string[]): Move[] {
  const keys = new Set(selected);
  const out: Move[] = [];
  for (const row of rows) {
    const m = moveOf(row);
    if (m && keys.has(moveKey(m))) out.push(m);
  }
  return out;
}

/** Ask the server for the career_plans CSV of these moves and download it as sent. */
export async function exportCareerPlans(moves: readonly Move[]): Promise<void> {
  const file = await postForFile('/api/employees/career-plans', { moves });
  downloadText(file.filename ?? `${CAREER_PLANS}.csv`, file.text);
}
