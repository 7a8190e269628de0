import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MappingError } from './errors.ts';
import { globToRegExp, loadMappings, resolveMappedFiles } from './resolve.ts';
import { tmpDir, write } from './test-helpers.ts';

describe('globToRegExp', () => {
  const cases: [string, string, boolean][] = [
    ['bamboohr_*.csv', 'bamboohr_employees_2024-06-30.csv', true],
    ['bamboohr_*.csv', 'BambooHR_x.CSV', true],
    ['bamboohr_*.csv', 'bamboohr.csv', false],
    ['bamboohr_*.csv', 'old_bamboohr_x.csv', false],
    ['review_export?.csv', 'review_export1.csv', true],
    ['review_export?.csv', 'review_export12.csv', false],
    ['hr[0-9].csv', 'hr7.csv', true],
    ['hr[!0-9].csv', 'hr7.csv', false],
    ['a+b (1).csv', 'a+b (1).csv', true],
  ];
  it.each(cases)('%s against %s → %s', (glob, name, expected) => {
    expect(globToRegExp(glob).test(name)).toBe(expected);
  });
});

describe('resolveMappedFiles', () => {
  const mapping = (pattern: string) => `pattern: "${pattern}"\ndatasets:\n  skills:\n    columns: { skill_id: A, name: B }\n`;

  it('maps files by name, leaves others to the dataset-name rules, refuses files two mappings claim', () => {
    const dir = tmpDir();
    write(dir, 'a.yml', mapping('vendor_*.csv'));
    write(dir, 'b.yaml', mapping('*_skills.csv'));
    write(dir, 'notes.txt', 'not a mapping');
    const r = resolveMappedFiles(['vendor_1.csv', 'employees.csv', 'vendor_skills.csv', 'x/hr_skills.csv'], dir);
    expect(r.mapped.map((m) => [m.file, path.basename(m.mapping.file)])).toEqual([['vendor_1.csv', 'a.yml'], ['x/hr_skills.csv', 'b.yaml']]);
    expect(r.unmapped).toEqual(['employees.csv']);
    expect(r.ambiguous[0].file).toBe('vendor_skills.csv');
    expect(r.ambiguous[0].reason).toMatch(/matches several mappings \(a\.yml, b\.yaml\)/);
  });

  it('has no mappings when the folder does not exist, and fails loudly on a broken one', () => {
    expect(loadMappings(path.join(tmpDir(), 'none'))).toEqual([]);
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 'broken.yml'), 'pattern: x\ndatasets:\n  staff: { columns: { a: b } }\n');
    expect(() => resolveMappedFiles(['x'], dir)).toThrow(MappingError);
    expect(() => resolveMappedFiles(['x'], dir)).toThrow(/broken\.yml \(dataset staff\): unknown dataset "staff"/);
  });
});
