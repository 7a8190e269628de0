// How a run ended, in one place: its status, whether its results serve, the words the CLI, the
// scheduler's log and the dashboard use for it, and the CLI's exit code.
//   succeeded              committed, every file loaded whole (warnings allowed)
//   succeeded_with_issues  committed, but a file (or a mapped file's dataset) was refused or rows were rejected
//   no_change              nothing new: the previous results stay
//   failed                 rolled back: the previous results stay
export type RunStatus = 'running' | 'succeeded' | 'succeeded_with_issues' | 'failed' | 'no_change';

/** SQL condition on `runs.status`: the runs whose results serve (a no_change run serves its predecessor's). */
export const SERVING_STATUS_SQL = "status in ('succeeded', 'succeeded_with_issues', 'no_change')";

/** `trellis run`'s exit code for a run status: 0 all loaded (or nothing new), 3 committed with issues, 1 failed. */
export function exitCodeOf(status: string): 0 | 1 | 3 {
  if (status === 'failed') return 1;
  return status === 'succeeded_with_issues' ? 3 : 0;
}

/** A file's result as far as issues go (a run's FileResult, or a run_files row from the API). */
export interface FileIssue {
  file: string;
  status: string;
  rowsRejected: number;
}

/** Files with a refused result (a mapped file counts when any of its datasets was refused) and rejected rows. */
export function runIssues(files: FileIssue[]): { refusedFiles: number; rejectedRows: number } {
  return {
    refusedFiles: new Set(files.filter((f) => f.status === 'refused').map((f) => f.file)).size,
    rejectedRows: files.reduce((n, f) => n + f.rowsRejected, 0),
  };
}

/** The status a committed run gets. */
export function committedStatus(files: FileIssue[]): 'succeeded' | 'succeeded_with_issues' {
  const { refusedFiles, rejectedRows } = runIssues(files);
  return refusedFiles || rejectedRows ? 'succeeded_with_issues' : 'succeeded';
}

const count = (n: number, one: string, many: string) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

/** "run 7 succeeded with issues: 1 file refused, 12 rows rejected", "run 7 failed: …", "run 7 succeeded". */
export function describeOutcome(run: { runId: number | null; status: string; error?: string | null; files: FileIssue[] }): string {
  const head = `run ${run.runId ?? '?'} ${run.status.replaceAll('_', ' ')}`;
  if (run.status === 'failed') return `${head}: ${(run.error ?? 'unknown error').split('\n')[0]}`;
  if (run.status !== 'succeeded_with_issues') return head;
  const { refusedFiles, rejectedRows } = runIssues(run.files);
  const parts = [
    ...(refusedFiles ? [count(refusedFiles, 'file refused', 'files refused')] : []),
    ...(rejectedRows ? [count(rejectedRows, 'row rejected', 'rows rejected')] : []),
  ];
  return `${head}: ${parts.join(', ')}`;
}

/** A run's text followed by its notes, one indented `note:` line each (as `trellis run` prints them). */
export function withNotes(text: string, notes: readonly string[]): string {
  return [text, ...notes.map((x) => `  note: ${x}`)].join('\n');
}
