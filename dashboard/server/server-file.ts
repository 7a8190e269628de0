// `<db>.server.json` ({pid, port, token}, mode 600): tells CLI commands that a server owns the
// database and how to reach it (see docs/architecture.md "Process model").
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';

export interface ServerFile { pid: number; port: number; token: string }

export function serverFilePath(dbPath: string): string {
  return `${dbPath}.server.json`;
}

/** A fresh random token for the local admin bearer. */
export function createLocalToken(): string {
  return randomBytes(32).toString('hex');
}

/** Write the server file atomically, readable by the owner only. */
export function writeServerFile(dbPath: string, info: ServerFile): string {
  const file = serverFilePath(dbPath);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(info), { mode: 0o600 });
  fs.chmodSync(tmp, 0o600);
  fs.renameSync(tmp, file);
  return file;
}

/** Remove the server file if it is ours (same pid); never another live server's. */
export function removeServerFile(dbPath: string, pid = process.pid): void {
  const file = serverFilePath(dbPath);
  try {
    const info = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<ServerFile>;
    if (info.pid !== pid) return;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    // An unreadable file is stale by definition: remove it below.
  }
  fs.rmSync(file, { force: true });
}

export function readServerFile(dbPath: string): ServerFile | null {
  try {
    const info = JSON.parse(fs.readFileSync(serverFilePath(dbPath), 'utf8')) as ServerFile;
    return typeof info.pid === 'number' && typeof info.port === 'number' && typeof info.token === 'string' ? info : null;
  } catch {
    return null;
  }
}
