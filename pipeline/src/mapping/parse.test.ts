import { describe, expect, it } from 'vitest';
import { MappingError } from './errors.ts';
import { parseMapping } from './parse.ts';

const ok = `
pattern: "x_*.csv"
datasets:
  roles:
    columns:
      role_id: Code
      title: { column: Title, case: upper }
      job_family: { const: Engineering }
      level: { column: Grade, map: { Junior: 1, Senior: 3, Retired: null }, map_default: null }
`;

describe('parseMapping', () => {
  it('reads a mapping: shorthand columns, constants, maps with keys in lower case', () => {
    const m = parseMapping(ok, 'ok.yml');
    expect(m.patterns).toEqual(['x_*.csv']);
    const cols = m.datasets[0].columns;
    expect(cols.map((c) => c.name)).toEqual(['role_id', 'title', 'job_family', 'level']);
    expect(cols[0].source).toEqual({ kind: 'column', column: 'Code' });
    expect(cols[1].case).toBe('upper');
    expect(cols[2].source).toEqual({ kind: 'const', value: 'Engineering' });
    expect([...cols[3].map!]).toEqual([['junior', '1'], ['senior', '3'], ['retired', null]]);
    expect(cols[3].mapDefault).toBeNull();
    expect(cols[0].trim).toBe(true);
  });

  it('applies defaults.date_format to date columns read from a column, not to expressions', () => {
    const m = parseMapping(`
pattern: a.csv
defaults: { date_format: "%m/%d/%Y" }
datasets:
  reviews:
    columns:
      employee_id: Id
      cycle: { const: "2024" }
      performance: Rating
      reviewed_on: Date
      potential: Potential
`, 'd.yml');
    const cols = m.datasets[0].columns;
    expect(cols.find((c) => c.name === 'reviewed_on')!.dateFormats).toEqual(['%m/%d/%Y']);
    expect(cols.find((c) => c.name === 'potential')!.dateFormats).toBeUndefined();
  });

  it('reads a lookup: each part a source column or { column | expr | template }', () => {
    const m = parseMapping(`
pattern: a
datasets:
  skills:
    columns:
      skill_id: A
      name: { lookup: { find: Parent, in: { template: "{A} {B}" }, take: { expr: upper(B) }, any_order: true }, case: lower }
`, 'l.yml');
    expect(m.datasets[0].columns[1]).toMatchObject({
      source: { kind: 'lookup', find: { kind: 'column', column: 'Parent' }, in: { kind: 'template', template: '{A} {B}' },
        take: { kind: 'expr', expr: 'upper(B)' }, anyOrder: true },
      case: 'lower',
    });
  });

  const bad: [string, string, RegExp, { dataset?: string; column?: string }][] = [
    ['lookup without take', 'pattern: a\ndatasets:\n  skills:\n    columns: { skill_id: A, name: { lookup: { find: B, in: C } } }', /lookup\.take is required/, { dataset: 'skills', column: 'name' }],
    ['lookup with a constant', 'pattern: a\ndatasets:\n  skills:\n    columns: { skill_id: A, name: { lookup: { find: B, in: C, take: { const: x } } } }', /lookup\.take must be a source column name or one of \{ column \| expr \| template \}/, { dataset: 'skills', column: 'name' }],
    ['lookup with an unknown key', 'pattern: a\ndatasets:\n  skills:\n    columns: { skill_id: A, name: { lookup: { find: B, in: C, take: D, where: E } } }', /unknown key "lookup\.where"/, { dataset: 'skills', column: 'name' }],
    ['unknown dataset', 'pattern: a\ndatasets:\n  people:\n    columns: { x: y }', /unknown dataset "people"/, { dataset: 'people' }],
    ['unknown canonical column', 'pattern: a\ndatasets:\n  skills:\n    columns: { skill_id: A, name: B, colour: C }', /"colour" is not a column of skills/, { dataset: 'skills', column: 'colour' }],
    ['missing required column', 'pattern: a\ndatasets:\n  skills:\n    columns: { skill_id: A }', /required column name is not mapped/, { dataset: 'skills', column: 'name' }],
    ['two sources', 'pattern: a\ndatasets:\n  skills:\n    columns: { skill_id: A, name: { column: B, const: x } }', /exactly one of column, expr, template, const, lookup \(found column, const\)/, { dataset: 'skills', column: 'name' }],
    ['no source', 'pattern: a\ndatasets:\n  skills:\n    columns: { skill_id: A, name: { trim: false } }', /found none/, { dataset: 'skills', column: 'name' }],
    ['bad date format', 'pattern: a\ndatasets:\n  skills:\n    columns: { skill_id: A, name: { column: B, date_format: "MM/DD" } }', /strptime format/, { dataset: 'skills', column: 'name' }],
    ['unknown column option', 'pattern: a\ndatasets:\n  skills:\n    columns: { skill_id: A, name: { column: B, lowercase: true } }', /unknown key "lowercase"/, { dataset: 'skills', column: 'name' }],
    ['missing pattern', 'datasets:\n  skills:\n    columns: { skill_id: A, name: B }', /`pattern` is required/, {}],
    ['unknown top-level key', 'pattern: a\nfiles: b\ndatasets: {}', /unknown key "files"/, {}],
    ['bad var name', 'pattern: a\nvars: { "1x": 2 }\ndatasets:\n  skills:\n    columns: { skill_id: A, name: B }', /var name "1x"/, {}],
  ];
  it.each(bad)('refuses a bad mapping: %s', (_label, text, message, where) => {
    let err: unknown;
    try { parseMapping(text, 'bad.yml'); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(MappingError);
    expect((err as MappingError).message).toMatch(/^bad\.yml/);
    expect((err as MappingError).message).toMatch(message);
    expect((err as MappingError).dataset).toBe(where.dataset);
    expect((err as MappingError).column).toBe(where.column);
  });

  it('reports YAML syntax errors with their line', () => {
    expect(() => parseMapping('pattern: a\ndatasets:\n  roles: [unclosed\n', 'y.yml')).toThrow(/y\.yml: not valid YAML at line \d+/);
  });
});
