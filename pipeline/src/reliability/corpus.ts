// The bad-input corpus (fixtures/bad/): a good base org, the malformed inputs and what each must do,
// from fixtures/bad/expectations.json. Cases are folders of files under fixtures/bad/cases/; a few are
// generated here instead (a 10 MB field is not committed; a file name with path characters is not
// portable to every checkout).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const BAD_DIR = path.join(REPO_ROOT, 'fixtures', 'bad');
export const BASE_DIR = path.join(BAD_DIR, 'base');

/** [line, column (null for a row that cannot be read), severity, text the reason contains]. */
export type ExpectedReject = [number, string | null, 'reject' | 'warning', string];

export interface BadCase {
  id: string;
  /** What is wrong with the input. */
  what: string;
  /** Files under fixtures/bad/cases/<id>/ (all of them), or the name of a generator below. */
  generate?: keyof typeof GENERATORS;
  expect: {
    /** Per file of the case: loaded (with rejects/warnings) or refused whole. */
    status: 'loaded' | 'refused';
    /** Refused: text the reason contains (the reason always starts with the file name). */
    reason?: string;
    rowsRead?: number;
    rowsLoaded?: number;
    /** Loaded: every reject and warning of the file, exactly. */
    rejects?: ExpectedReject[];
  };
}

export interface Expectations {
  asOf: string;
  /** Active employees the base org serves (the dashboard headcount). */
  baseHeadcount: number;
  cases: BadCase[];
}

export function loadExpectations(): Expectations {
  return JSON.parse(fs.readFileSync(path.join(BAD_DIR, 'expectations.json'), 'utf8')) as Expectations;
}

const SKILLS = 'skill_id,name,category\nS1,TypeScript,Engineering\nS2,SQL,Data\n';

/** Generated inputs: file name → content. */
export const GENERATORS = {
  /** One cell of 10 MB (no line break) between two good rows. */
  'ten-mb-field': (): Record<string, string> => ({
    'skills.csv': `${SKILLS}S3,"${'x'.repeat(10 * 1024 * 1024)}",Data\nS4,Go,Engineering\n`,
  }),
  /** A name made of path-traversal characters (legal on Linux: backslashes are plain characters). */
  'path-traversal-name': (): Record<string, string> => ({ 'employees_..\\..\\..\\etc\\passwd.csv': 'x\n1\n' }),
};

/** Write the files of a case into `dir` (which must exist); returns their names. */
export function writeCase(c: BadCase, dir: string): string[] {
  if (c.generate) {
    const files = GENERATORS[c.generate]();
    for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), content);
    return Object.keys(files);
  }
  const src = path.join(BAD_DIR, 'cases', c.id);
  const names = fs.readdirSync(src).sort();
  for (const name of names) fs.copyFileSync(path.join(src, name), path.join(dir, name));
  return names;
}
