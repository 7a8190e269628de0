// Matching a file's header (or Parquet column names) to the canonical columns of a dataset.
import { isRequired, type ColumnDef, type DatasetDef } from '../datasets.ts';

/** A file refused whole; the message is the reason shown to the HR admin. */
export class RefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RefusedError';
  }
}

/** Required as a header: key columns and `required` ones, unless a default fills a blank (employee_skills.source). */
export function mustBePresent(def: DatasetDef, col: ColumnDef): boolean {
  return isRequired(def, col) && col.default === undefined;
}

/**
 * Canonical column name → index of the source column carrying it. Names match case-insensitively after
 * trimming; unknown extra columns are ignored. Refuses when a required column is missing or a canonical
 * column appears twice.
 */
export function matchColumns(def: DatasetDef, file: string, names: readonly string[]): Map<string, number> {
  const byName = new Map<string, number>();
  names.forEach((raw, i) => {
    const name = raw.trim().toLowerCase();
    if (!def.columns.some((c) => c.name === name)) return;
    const prev = byName.get(name);
    if (prev !== undefined) {
      throw new RefusedError(`${file}: column "${name}" appears twice (columns ${prev + 1} and ${i + 1}); keep only one`);
    }
    byName.set(name, i);
  });
  const missing = def.columns.filter((c) => mustBePresent(def, c) && !byName.has(c.name)).map((c) => c.name);
  if (missing.length > 0) {
    const found = names.map((n) => n.trim()).filter((n) => n !== '').join(', ') || '(none)';
    throw new RefusedError(
      `${file}: missing required column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} ` +
      `for dataset ${def.name} (the file has: ${found})`);
  }
  return byName;
}
