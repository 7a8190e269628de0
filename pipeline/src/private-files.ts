// The database, its WAL, DuckDB's spill folder, backups and the server file hold HR data, password
// hashes or the local admin token: only the user running Trellis may read them. Files Trellis creates
// are private through the process umask (set when the CLI starts); files made before (by an older
// version, or under another umask) are tightened when the database is opened.
import fs from 'node:fs';

export const PRIVATE_FILE = 0o600;
export const PRIVATE_DIR = 0o700;

/** Every file and folder this process creates from now on is readable by its user only (umask 077). */
export function keepNewFilesPrivate(): void {
  process.umask(0o077);
}

/**
 * chmod `file` to 0600 (a folder to 0700) when group or others have any access. Returns the mode it had
 * when it changed it, else null (already private, or absent).
 */
export function makePrivate(file: string): number | null {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    return null;
  }
  if ((stat.mode & 0o077) === 0) return null;
  fs.chmodSync(file, stat.isDirectory() ? PRIVATE_DIR : PRIVATE_FILE);
  return stat.mode & 0o777;
}

/** The database file and what DuckDB and the server keep beside it. */
export function databaseFiles(dbPath: string): string[] {
  return [dbPath, `${dbPath}.wal`, `${dbPath}.tmp`, `${dbPath}.server.json`];
}
