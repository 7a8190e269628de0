// The selection of suggested moves shared by every table that exports them (lib/career-plans.ts).
import { describe, expect, it } from 'vitest';
import { chosenMoves, moveKey, type Move } from './career-plans.ts';

type Row = { employee_id: string; suggested_role_id: string | null };
const moveOf = (r: Row): Move | null => (r.suggested_role_id ? { employee_id: r.employee_id, role_id: r.suggested_role_id } : null);
const rows: Row[] = [
  { employee_id: 'E1', suggested_role_id: 'R2' }, { employee_id: 'E2', suggested_role_id: null },
  { employee_id: 'E3', suggested_role_id: 'R1' }, { employee_id: 'E1', suggested_role_id: 'R3' },
];

describe('chosenMoves', () => {
  it.each([
    ['nothing ticked', [], []],
    ['ticked rows in the rows\' order, whatever order they were ticked in', ['E3\u001fR1', 'E1\u001fR2'], ['E1 R2', 'E3 R1']],
    ['the same person to two roles: two moves', ['E1\u001fR3', 'E1\u001fR2'], ['E1 R2', 'E1 R3']],
    ['a key no row has (filters changed): left out', ['E9\u001fR1', 'E3\u001fR1'], ['E3 R1']],
  ])('%s', (_what, selected, expected) => {
    expect(chosenMoves(rows, moveOf, selected).map((m) => `${m.employee_id} ${m.role_id}`)).toEqual(expected);
  });

  it('keys tell a pair apart from ids that contain the other id', () => {
    expect(moveKey({ employee_id: 'E1', role_id: 'R1' })).not.toBe(moveKey({ employee_id: 'E1R', role_id: '1' }));
  });
});
