// Server-side sessions: the cookie carries a random 32-byte token; the table stores only its SHA-256,
// so a copy of the database does not hand out live sessions. Idle and absolute expiry.
import { createHash, randomBytes } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import { exec, one } from '../../../pipeline/src/db.ts';
import type { AuthUser, Role } from './user.ts';

export const SESSION_COOKIE = 'trellis_session';

export interface SessionPolicy {
  /** Sign out after this long without a request. */
  idleMs: number;
  /** Sign out this long after sign-in, whatever the activity. */
  absoluteMs: number;
}

export const DEFAULT_SESSION_POLICY: SessionPolicy = { idleMs: 30 * 60_000, absoluteMs: 12 * 3_600_000 };

const TOKEN = /^[0-9a-f]{64}$/;

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Start a session; returns the cookie token (never stored) and when it expires at the latest. */
export async function createSession(conn: DuckDBConnection, username: string, now: Date, policy: SessionPolicy):
  Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString('hex');
  const expiresAt = new Date(now.getTime() + policy.absoluteMs);
  await exec(conn,
    `insert into sessions (id, username, created_at, last_seen_at, expires_at)
     values ($id, $username, $now::timestamp, $now::timestamp, $expires::timestamp)`,
    { id: hashToken(token), username, now: now.toISOString(), expires: expiresAt.toISOString() });
  return { token, expiresAt };
}

/**
 * The user behind a cookie token, or null when the token is malformed, unknown, idle too long, past its
 * absolute expiry, or the account is disabled or gone. Refreshes last_seen_at (at most once a minute).
 */
export async function lookupSession(conn: DuckDBConnection, token: string | undefined, now: Date, policy: SessionPolicy):
  Promise<AuthUser | null> {
  if (!token || !TOKEN.test(token)) return null;
  const id = hashToken(token);
  const row = await one<{ username: string; role: Role; employee_id: string | null; idle_ms: number; expired: boolean }>(conn,
    `select s.username, u.role, u.employee_id,
            (epoch_ms($now::timestamp) - epoch_ms(s.last_seen_at))::double as idle_ms,
            s.expires_at <= $now::timestamp as expired
     from sessions s join users u on u.username = s.username
     where s.id = $id and not u.disabled`,
    { id, now: now.toISOString() });
  if (!row) return null;
  if (row.expired || row.idle_ms >= policy.idleMs || row.idle_ms < -60_000) {
    await endSession(conn, token);
    return null;
  }
  if (row.idle_ms > 60_000) {
    await exec(conn, 'update sessions set last_seen_at = $now::timestamp where id = $id', { id, now: now.toISOString() });
  }
  return { username: row.username, role: row.role, employeeId: row.employee_id ?? null };
}

export async function endSession(conn: DuckDBConnection, token: string | undefined): Promise<void> {
  if (!token || !TOKEN.test(token)) return;
  await exec(conn, 'delete from sessions where id = $id', { id: hashToken(token) });
}

/** Drop sessions past their absolute expiry (housekeeping at start-up and sign-in). */
export async function purgeSessions(conn: DuckDBConnection, now: Date): Promise<void> {
  await exec(conn, 'delete from sessions where expires_at <= $now::timestamp', { now: now.toISOString() });
}
