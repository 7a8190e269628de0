// The shape of a column mapping once parsed: what a YAML file in fixtures/mappings/ (or a site's mappings
// folder) says, checked and normalised. See docs/mappings.md for the file format.
import type { DatasetName } from '../datasets.ts';

/** A value of the source row. */
export type ValueSource =
  | { kind: 'column'; column: string }
  | { kind: 'expr'; expr: string }
  | { kind: 'template'; template: string };

/** Where a canonical column's value comes from: exactly one of these per column. */
export type ColumnSource =
  | ValueSource
  | { kind: 'const'; value: string | null }
  /** The `take` value of the row of the same file whose `in` value matches this row's `find` value (lookup.ts). */
  | { kind: 'lookup'; find: ValueSource; in: ValueSource; take: ValueSource; anyOrder: boolean };

export interface ColumnMapping {
  /** Canonical column name. */
  name: string;
  source: ColumnSource;
  /** Trim surrounding whitespace (default true) and turn an empty result into null. */
  trim: boolean;
  case?: 'lower' | 'upper';
  /** Value map, matched on the trimmed value in any case (keys stored lower-case); null blanks the value. */
  map?: Map<string, string | null>;
  /** Value for an unmapped, non-empty value; absent keeps the value as it is (so validation reports it). */
  mapDefault?: string | null;
  /** strptime formats tried in order; the first that parses gives the ISO date. */
  dateFormats?: string[];
  /** Value when the result is empty. */
  default?: string;
}

export interface DatasetMapping {
  dataset: DatasetName;
  /** Keep the first row (by line) per key of the dataset: e.g. `roles` as the distinct titles of an employee report. */
  distinct: boolean;
  /** A boolean expression over the source columns; rows where it is not true are not part of this dataset. */
  where?: string;
  columns: ColumnMapping[];
}

export interface SourceOptions {
  delimiter: string;
  quote: string;
  encoding?: string;
}

export interface Mapping {
  /** The file it came from (used in every message). */
  file: string;
  name: string;
  description?: string;
  /** Globs on the file name (not the path), matched in any case. */
  patterns: string[];
  source: SourceOptions;
  /** Named values usable as `$name` in expressions and `{$name}` in templates (bound as VARCHAR). */
  vars: Record<string, string>;
  datasets: DatasetMapping[];
}
