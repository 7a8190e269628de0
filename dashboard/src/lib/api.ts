// Typed fetch helpers for the Trellis API (same origin, /api). A 401 sends the browser to the sign-in
// page with `next` set to where the user was; any other failure becomes an ApiError whose message says
// what failed and what the server said, so pages can show it as is.

export interface List<T> {
  rows: T[];
  total: number;
  limit: number;
  offset: number;
  asOf: string | null;
  runId: number | null;
}

/** A run as /api/meta describes it (`RunBrief` in routes/api/system). */
export interface RunBrief {
  runId: number;
  status: string;
  asOf: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  trigger: string | null;
  error: string | null;
}

// Roles have one home, shared with the server and the CLI (a type only: nothing of it is bundled).
export type { Role } from '../../../pipeline/src/roles.ts';
import type { Role } from '../../../pipeline/src/roles.ts';

/** GET /api/meta. */
export interface Meta {
  asOf: string | null;
  runId: number | null;
  lastRun: RunBrief | null;
  lastGoodRun: RunBrief | null;
  user: { username: string; role: Role; employeeId: string | null } | null;
  /** A manager's or employee's own employee in the data (null before data or for admin/leader); not active: their pages are empty. */
  linkedEmployee: { employeeId: string; fullName: string | null; terminationDate: string | null; active: boolean } | null;
  /** Risk factors off because a source was never loaded; `text` says which and why (null when none is). */
  factorsOff: { factors: { factor: string; reason: string }[]; text: string | null };
}

export type Query = Record<string, string | number | boolean | null | undefined>;
type Fetch = typeof globalThis.fetch;

export class ApiError extends Error {
  /** `body`: the server's JSON answer when it sent one (e.g. a 409's `current` plan). */
  constructor(readonly status: number, readonly path: string, message: string, readonly body: unknown = null) {
    super(message);
    this.name = 'ApiError';
  }
}

/** `path?a=1&b=2`, leaving out empty values. */
export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, String(value));
  }
  const qs = params.toString();
  return qs ? `${path}${path.includes('?') ? '&' : '?'}${qs}` : path;
}

/** Where a 401 sends the browser: the sign-in page, coming back to the current page afterwards. */
export function loginHref(current: string): string {
  return `/login?next=${encodeURIComponent(current)}`;
}

async function errorText(res: Response): Promise<{ text: string; body: unknown }> {
  const text = await res.text().catch((e: unknown) => `(could not read the answer: ${String(e)})`);
  try {
    const body = JSON.parse(text) as { message?: string; error?: string };
    return { text: body.message ?? body.error ?? text, body };
  } catch {
    return { text: text || res.statusText, body: null };
  }
}

/** Set once the browser is on its way to the sign-in page (the page's other calls get 401s too). */
let redirecting = false;

function redirectToLogin(): void {
  if (typeof window === 'undefined' || redirecting) return;
  const here = window.location.pathname + window.location.search;
  if (window.location.pathname === '/login') return;
  // once: a second assign would abort the first navigation and start it again
  redirecting = true;
  window.location.assign(loginHref(here));
}

async function send(method: string, path: string, init: { fetch?: Fetch; body?: BodyInit; json?: unknown; accept?: string } = {}): Promise<Response> {
  const doFetch = init.fetch ?? globalThis.fetch;
  const headers: Record<string, string> = { accept: init.accept ?? 'application/json' };
  // The server refuses cross-site writes; this header marks the request as the dashboard's own.
  if (method !== 'GET') headers['x-trellis-csrf'] = '1';
  let body = init.body;
  if (init.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(init.json);
  }
  let res: Response;
  try {
    res = await doFetch(path, { method, headers, body, credentials: 'same-origin' });
  } catch (e) {
    throw new ApiError(0, path, `Could not reach the Trellis server for ${path}: ${String(e)}. Is it running?`);
  }
  if (res.status === 401) {
    redirectToLogin();
    throw new ApiError(401, path, 'Please sign in to see this page.');
  }
  if (!res.ok) {
    const { text, body } = await errorText(res);
    throw new ApiError(res.status, path, `${method} ${path} failed (${res.status}): ${text}`, body);
  }
  return res;
}

async function request<T>(method: string, path: string, init: { fetch?: Fetch; body?: BodyInit; json?: unknown } = {}): Promise<T> {
  const res = await send(method, path, init);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

export const ARROW_STREAM = 'application/vnd.apache.arrow.stream';

/** GET a list route as an Arrow IPC stream (the bytes; `lib/arrow-rows.ts` turns them into rows). */
export async function getArrowBytes(path: string, query?: Query, fetch?: Fetch): Promise<{ bytes: Uint8Array; total: number | null }> {
  const res = await send('GET', withQuery(path, query), { fetch, accept: ARROW_STREAM });
  const total = res.headers.get('x-total-count');
  return { bytes: new Uint8Array(await res.arrayBuffer()), total: total === null ? null : Number(total) };
}

export function getJson<T>(path: string, query?: Query, fetch?: Fetch): Promise<T> {
  return request<T>('GET', withQuery(path, query), { fetch });
}

export function getList<T = Record<string, unknown>>(path: string, query?: Query, fetch?: Fetch): Promise<List<T>> {
  return getJson<List<T>>(path, query, fetch);
}

export function postJson<T>(path: string, json: unknown = {}, fetch?: Fetch): Promise<T> {
  return request<T>('POST', path, { fetch, json });
}

/** POST JSON for a file answer (e.g. a CSV): its text and the name the server gives it (Content-Disposition). */
export async function postForFile(path: string, json: unknown, fetch?: Fetch): Promise<{ text: string; filename: string | null }> {
  const res = await send('POST', path, { fetch, json, accept: 'text/csv, application/json' });
  const filename = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? null;
  return { text: await res.text(), filename };
}

export function putJson<T>(path: string, json: unknown = {}, fetch?: Fetch): Promise<T> {
  return request<T>('PUT', path, { fetch, json });
}

export function postForm<T>(path: string, form: FormData, fetch?: Fetch): Promise<T> {
  return request<T>('POST', path, { fetch, body: form });
}

/** The result of a load step: either the data or the error message to show in its place. */
export type Loaded<T> = { ok: true; data: T } | { ok: false; error: string; status: number };

/** Run one API call for a page; a failure becomes a message shown on the page rather than a crash. */
export async function settle<T>(promise: Promise<T>): Promise<Loaded<T>> {
  try {
    return { ok: true, data: await promise };
  } catch (e) {
    if (e instanceof ApiError) return { ok: false, error: e.message, status: e.status };
    return { ok: false, error: String(e), status: 0 };
  }
}

export const getMeta = (fetch?: Fetch) => getJson<Meta>('/api/meta', undefined, fetch);
