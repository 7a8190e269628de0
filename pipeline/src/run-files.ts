// The inbox side of a run (run.ts): list and hash the files, tell fresh ones from those already loaded,
// count what became of each, and once the run has committed move them to archive/<run_id>/ or refused/.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { datasetForFile, type DatasetName } from './datasets.ts';
import type { FileResult, InboxFile } from './ingest-link.ts';

export interface RunCounts {
  files: number;
  loaded: number;
  skipped: number;
  refused: number;
  superseded: number;
  rowsRead: number;
  rowsLoaded: number;
  rowsRejected: number;
  rowsWarned: number;
}

/**
 * What is wrong with the inbox folder, in words (it does not exist, or is not a folder), or null. A run on
 * such an inbox finds no files: `trellis run` refuses it, a server's run says so in its notes.
 */
export function inboxProblem(inbox: string): string | null {
  if (!fs.existsSync(inbox)) return `the inbox ${inbox} does not exist`;
  if (!fs.statSync(inbox).isDirectory()) return `the inbox ${inbox} is not a folder`;
  return null;
}

/**
 * The files directly in the inbox (not subfolders, not dotfiles such as uploads in progress), in byte
 * order of name. Every one is considered: a file that is neither CSV nor Parquet (an `.xlsx` dropped by
 * mistake) is refused with a reason rather than silently left lying there, except one still being written
 * (BEING_WRITTEN, hashInbox).
 */
export function listInbox(inbox: string): string[] {
  if (inboxProblem(inbox)) return [];
  return fs.readdirSync(inbox, { withFileTypes: true })
    .filter((e) => e.isFile() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

export async function sha256File(file: string): Promise<string> {
  // plain reads into one 4 MB buffer: about half the time of a read stream piped into the hash
  const hash = createHash('sha256');
  const fh = await fs.promises.open(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(4 << 20);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      hash.update(buf.subarray(0, bytesRead));
    }
  } finally {
    await fh.close();
  }
  return hash.digest('hex');
}

/**
 * Names a file has while a tool is still writing it (WinSCP's `.filepart`, a browser's `.crdownload` or
 * `.part`, …; rsync's temporary files start with a dot and are not listed at all). Such a file is left in
 * the inbox for a later run, never refused: refusing would move it away under the tool's feet.
 */
const BEING_WRITTEN = /\.(part|partial|filepart|crdownload|download|tmp)$/i;

/** A file's size and modification time (of its stat): two looks that differ mean something is writing it. */
function stampOf(s: fs.Stats): string {
  return `${s.size}:${s.mtimeMs}`;
}

/**
 * The inbox's files (listInbox) with their hashes and sizes, and those left for a later run because they
 * are still being written: a name of BEING_WRITTEN, or a size or time that changed while the file was hashed.
 */
export async function hashInbox(inbox: string, onFile: (i: number, total: number, name: string) => void): Promise<{ files: InboxFile[]; writing: string[] }> {
  const names = listInbox(inbox);
  const files: InboxFile[] = [];
  const writing: string[] = [];
  for (const [i, name] of names.entries()) {
    const full = path.join(inbox, name);
    if (BEING_WRITTEN.test(name)) {
      writing.push(name);
      continue;
    }
    const before = stampOf(fs.statSync(full));
    onFile(i, names.length, name);
    const sha256 = await sha256File(full);
    const after = fs.statSync(full);
    const stamp = stampOf(after);
    if (stamp !== before) writing.push(name);
    else files.push({ path: full, name, sha256, bytes: after.size, stamp, dataset: datasetForFile(name) as DatasetName | null });
  }
  return { files, writing };
}

/** The fresh files, and those skipped: identical to a file already loaded (`known` hashes) or to an earlier one of this drop. */
export function freshFiles(files: InboxFile[], known: Set<string>): { fresh: InboxFile[]; skipped: FileResult[] } {
  const fresh: InboxFile[] = [];
  const skipped: FileResult[] = [];
  const seen = new Set<string>();
  for (const f of files) {
    // identical to a file already loaded, or to an earlier file of this same drop
    if (known.has(f.sha256) || seen.has(f.sha256)) skipped.push(skippedResult(f));
    else fresh.push(f);
    seen.add(f.sha256);
  }
  return { fresh, skipped };
}

function emptyCounts(): RunCounts {
  return { files: 0, loaded: 0, skipped: 0, refused: 0, superseded: 0, rowsRead: 0, rowsLoaded: 0, rowsRejected: 0, rowsWarned: 0 };
}

/**
 * What became of each file: a mapped file has one result per dataset it feeds; it counts as loaded
 * when any of them loaded, refused when all were refused.
 */
export function fileOutcomes(results: FileResult[]): Map<string, { status: FileResult['status']; reasons: string[] }> {
  const out = new Map<string, { status: FileResult['status']; reasons: string[] }>();
  const rank: Record<FileResult['status'], number> = { loaded: 0, superseded: 1, skipped: 2, refused: 3 };
  for (const r of results) {
    const seen = out.get(r.file);
    const reasons = [...(seen?.reasons ?? []), ...(r.reason ? [r.reason] : [])];
    out.set(r.file, { status: seen && rank[seen.status] < rank[r.status] ? seen.status : r.status, reasons });
  }
  return out;
}

export function countResults(files: FileResult[]): RunCounts {
  const c = emptyCounts();
  for (const { status } of fileOutcomes(files).values()) {
    c.files++;
    c[status]++;
  }
  for (const f of files) {
    c.rowsRead += f.rowsRead;
    c.rowsLoaded += f.rowsLoaded;
    c.rowsRejected += f.rowsRejected;
    c.rowsWarned += f.rowsWarned;
  }
  return c;
}

function skippedResult(f: InboxFile): FileResult {
  return {
    file: f.name, dataset: f.dataset, sha256: f.sha256, status: 'skipped',
    rowsRead: 0, rowsLoaded: 0, rowsRejected: 0, rowsWarned: 0, reason: 'identical content already loaded',
  };
}

function moveFile(from: string, toDir: string, name: string): void {
  fs.mkdirSync(toDir, { recursive: true });
  const to = path.join(toDir, name);
  try {
    fs.renameSync(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    fs.copyFileSync(from, to);
    fs.unlinkSync(from);
  }
}

/**
 * Move the files of a committed run: accepted ones to archive/<run_id>/, refused ones to refused/ with a
 * reason. A file whose size or time differs from when the run hashed it (`stamps`, by name) is being written
 * again: it stays in the inbox, and the next run reads it whole (its content is new).
 */
export function settleFiles(inbox: string, runId: number, files: FileResult[], stamps: ReadonlyMap<string, string>): string[] {
  const problems: string[] = [];
  for (const [file, f] of fileOutcomes(files)) {
    const from = path.join(inbox, file);
    if (!fs.existsSync(from)) continue;
    try {
      const stamp = stamps.get(file);
      if (stamp !== undefined && stampOf(fs.statSync(from)) !== stamp) {
        problems.push(`${file} changed after the run read it (still being written?): left in the inbox, the next run reads it again`);
        continue;
      }
      if (f.status === 'refused') {
        const dir = path.join(inbox, 'refused');
        moveFile(from, dir, file);
        fs.writeFileSync(path.join(dir, `${file}.reason.txt`), `run ${runId}: ${f.reasons.join('\n') || 'refused'}\n`);
      } else {
        moveFile(from, path.join(inbox, 'archive', String(runId)), file);
      }
    } catch (err) {
      problems.push(`could not move ${file}: ${(err as Error).message}`);
    }
  }
  return problems;
}
