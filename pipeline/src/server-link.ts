// The CLI's side of the process model (docs/architecture.md): when a server owns the database
// (`<db>.server.json` names a live pid whose port answers), commands go through its HTTP API with
// the local bearer token; otherwise they open the file, and a lock held by another process is
// explained instead of surfacing DuckDB's raw error.
import fs from 'node:fs';
import { openDb, type Db, type OpenDbOptions } from './db.ts';

export interface ServerLink {
  pid: number;
  port: number;
  token: string;
  base: string;
}

export function serverFilePath(dbPath: string): string {
  return `${dbPath}.server.json`;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The server that owns `dbPath`, when its file names a live process whose port answers /api/health. */
export async function findServer(dbPath: string, timeoutMs = 2000): Promise<ServerLink | null> {
  let info: { pid?: unknown; port?: unknown; token?: unknown };
  try {
    info = JSON.parse(fs.readFileSync(serverFilePath(dbPath), 'utf8'));
  } catch {
    return null; // no server file (or a half-written one): no server to talk to
  }
  if (typeof info.pid !== 'number' || typeof info.port !== 'number' || typeof info.token !== 'string') return null;
  if (!pidAlive(info.pid)) return null;
  const base = `http://127.0.0.1:${info.port}`;
  try {
    const res = await fetch(`${base}/api/health`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return null;
  } catch {
    return null;
  }
  return { pid: info.pid, port: info.port, token: info.token, base };
}

/** The database file is held by another process. */
export class DatabaseInUseError extends Error {
  constructor(readonly file: string, readonly pid: number | null) {
    super(`the database ${file} is in use by ${pid ? `process ${pid}` : 'another process'}; `
      + 'stop that process (or start `trellis serve` so commands go through it), then try again');
    this.name = 'DatabaseInUseError';
  }
}

/** openDb, with DuckDB's lock conflict turned into DatabaseInUseError. */
export async function openDbExplained(file: string, options?: OpenDbOptions): Promise<Db> {
  try {
    return await openDb(file, options);
  } catch (err) {
    const message = (err as Error).message ?? '';
    if (/Could not set lock|Conflicting lock/i.test(message)) {
      const pid = /PID (\d+)/.exec(message);
      throw new DatabaseInUseError(file, pid ? Number(pid[1]) : null);
    }
    throw err;
  }
}

/** An answer from the server that is not a success. */
export class ServerError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = 'ServerError';
  }
}

async function call(link: ServerLink, method: string, urlPath: string, body?: unknown): Promise<Response> {
  const res = await fetch(`${link.base}${urlPath}`, {
    method,
    headers: { authorization: `Bearer ${link.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) {
    let message = `the server (pid ${link.pid}) answered ${res.status} to ${method} ${urlPath}`;
    try {
      const json = await res.json() as { message?: string };
      if (json.message) message = `${json.message} (server pid ${link.pid})`;
    } catch {
      // not JSON: keep the status line
    }
    throw new ServerError(res.status, message);
  }
  return res;
}

export interface RemoteRun {
  runId: number;
  status: string;
  error: string | null;
  files: {
    file: string; dataset: string | null; status: string; reason: string | null;
    rows_loaded: number | null; rows_rejected: number | null; rows_warned: number | null;
  }[];
}

/** Start a run on the server, follow its progress, and return how it ended. */
export async function runViaServer(
  link: ServerLink, opts: { asOf?: string; onProgress?: (message: string) => void; pollMs?: number },
): Promise<RemoteRun> {
  const started = await (await call(link, 'POST', '/api/pipeline/runs', opts.asOf ? { asOf: opts.asOf } : {})).json() as { runId: number | null };
  let lastMessage = '';
  for (;;) {
    const p = await (await call(link, 'GET', '/api/pipeline/progress')).json() as {
      running: boolean; runId: number | null; status: string | null; error: string | null; progress: { message?: string } | null;
    };
    const message = p.progress?.message ?? '';
    if (message && message !== lastMessage) opts.onProgress?.(message);
    lastMessage = message;
    const runId = started.runId ?? p.runId;
    if (!p.running && runId != null) {
      const detail = await (await call(link, 'GET', `/api/pipeline/runs/${runId}`)).json() as {
        run: { run_id: number; status: string; error: string | null }; files: RemoteRun['files'];
      };
      return { runId, status: detail.run.status, error: detail.run.error ?? p.error, files: detail.files };
    }
    if (!p.running && runId == null) throw new ServerError(500, p.error ?? 'the server did not start a run');
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 250));
  }
}

/** The tables the server exports (what `trellis export --list` shows while it runs). */
export async function exportListViaServer(link: ServerLink): Promise<string[]> {
  return ((await (await call(link, 'GET', '/api/export')).json()) as { tables: string[] }).tables;
}

/** Download a table export from the server into `out`. */
export async function exportViaServer(link: ServerLink, table: string, format: string, out: NodeJS.WritableStream): Promise<void> {
  const res = await call(link, 'GET', `/api/export/${encodeURIComponent(table)}?format=${encodeURIComponent(format)}`);
  const body = Buffer.from(await res.arrayBuffer());
  await new Promise<void>((resolve, reject) => out.write(body, (err) => (err ? reject(err) : resolve())));
}
