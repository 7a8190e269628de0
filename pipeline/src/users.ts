// Dashboard accounts: the `users`, `sessions` and `audit_log` tables, password hashing (scrypt with a
// per-user salt), and the `trellis user …` CLI. Passwords are never logged or echoed.
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import fs from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import type { DuckDBConnection } from '@duckdb/node-api';
import { all, exec, one, openDb, tableExists } from './db.ts';

export type Role = 'admin' | 'leader' | 'manager';
export const ROLES: readonly Role[] = ['admin', 'leader', 'manager'];

export interface UserRecord {
  username: string;
  role: Role;
  employee_id: string | null;
  created_at: string;
  disabled: boolean;
}

/** A user-facing error (bad argument, unknown user): its message is safe to print or return as a 400. */
export class UserError extends Error {
  constructor(message: string, readonly code: 'invalid' | 'exists' | 'not_found' = 'invalid') {
    super(message);
    this.name = 'UserError';
  }
}

/** Create the account tables if absent. Outside model runs: the runner never touches them. */
export async function ensureAuthTables(conn: DuckDBConnection): Promise<void> {
  await exec(conn, `create table if not exists users (
    username varchar primary key, role varchar not null, employee_id varchar,
    password_hash varchar not null, created_at timestamp not null, disabled boolean not null default false)`);
  await exec(conn, `create table if not exists sessions (
    id varchar primary key, username varchar not null, created_at timestamp not null,
    last_seen_at timestamp not null, expires_at timestamp not null)`);
  await exec(conn, `create table if not exists audit_log (
    "at" timestamp not null, username varchar, action varchar not null, target varchar, detail varchar, ip varchar)`);
}

// ---- passwords -------------------------------------------------------------------------------------

const SCRYPT = { N: 16384, r: 8, p: 1, keylen: 64 };
export const MIN_PASSWORD_LENGTH = 8;

function scrypt(password: string, salt: Buffer, keylen: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCb(password, salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key))));
}

/** `scrypt$N$r$p$<salt hex>$<hash hex>` with a fresh 16-byte salt. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, SCRYPT.keylen, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p, maxmem: 64 * 1024 * 1024 });
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('hex'), key.toString('hex')].join('$');
}

const DUMMY_HASH = 'scrypt$16384$8$1$00000000000000000000000000000000$' + '00'.repeat(64);

/** Constant-time check of a password against a stored hash. A malformed hash never matches. */
export async function verifyPassword(password: string, stored: string | null | undefined): Promise<boolean> {
  const parts = (stored ?? DUMMY_HASH).split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  const salt = Buffer.from(parts[4], 'hex');
  const expected = Buffer.from(parts[5], 'hex');
  if (!N || !r || !p || expected.length === 0) return false;
  const key = await scrypt(password, salt, expected.length, { N, r, p, maxmem: 64 * 1024 * 1024 });
  return timingSafeEqual(key, expected) && stored != null;
}

/** A random password for generated accounts (base64url, 18 bytes ≈ 24 characters). */
export function randomPassword(): string {
  return randomBytes(18).toString('base64url');
}

// ---- the user store --------------------------------------------------------------------------------

const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

export interface NewUser {
  username: string;
  role: string;
  employeeId?: string | null;
  password: string;
}

function checkUsername(username: string): void {
  if (!USERNAME.test(username)) {
    throw new UserError(`invalid username "${username.slice(0, 80)}": use 1–64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit`);
  }
}

function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new UserError(`password too short: use at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  if (password.length > 1024) throw new UserError('password too long: use at most 1024 characters');
}

async function checkEmployee(conn: DuckDBConnection, employeeId: string): Promise<void> {
  // Only when data is loaded: accounts may be created before the first run.
  if (!(await tableExists(conn, 'src_employees'))) return;
  const row = await one(conn, 'select 1 as ok from src_employees where employee_id = $id', { id: employeeId });
  if (!row) throw new UserError(`no employee with id "${employeeId}" in the loaded data: check --employee-id`);
}

export async function addUser(conn: DuckDBConnection, user: NewUser, now = new Date()): Promise<UserRecord> {
  checkUsername(user.username);
  if (!ROLES.includes(user.role as Role)) {
    throw new UserError(`invalid role "${String(user.role).slice(0, 40)}": use one of ${ROLES.join(', ')}`);
  }
  const role = user.role as Role;
  const employeeId = user.employeeId?.trim() || null;
  if (role === 'manager' && !employeeId) {
    throw new UserError('a manager needs an employee id (--employee-id): it is the root of the team they may see');
  }
  checkPassword(user.password);
  if (employeeId) await checkEmployee(conn, employeeId);
  await ensureAuthTables(conn);
  if (await findUser(conn, user.username)) throw new UserError(`user "${user.username}" already exists`, 'exists');
  const hash = await hashPassword(user.password);
  await exec(conn,
    `insert into users (username, role, employee_id, password_hash, created_at, disabled)
     values ($username, $role, $employee_id, $hash, $now::timestamp, false)`,
    { username: user.username, role, employee_id: employeeId, hash, now: now.toISOString() });
  return (await findUser(conn, user.username))!;
}

export async function findUser(conn: DuckDBConnection, username: string): Promise<UserRecord | undefined> {
  if (!(await tableExists(conn, 'users'))) return undefined;
  return one<UserRecord & Record<string, unknown>>(conn,
    `select username, role, employee_id, strftime(created_at, '%Y-%m-%dT%H:%M:%SZ') as created_at, disabled
     from users where username = $username`, { username });
}

export async function listUsers(conn: DuckDBConnection): Promise<UserRecord[]> {
  if (!(await tableExists(conn, 'users'))) return [];
  return all<UserRecord & Record<string, unknown>>(conn,
    `select username, role, employee_id, strftime(created_at, '%Y-%m-%dT%H:%M:%SZ') as created_at, disabled
     from users order by username`);
}

/** Delete a user and end their sessions. */
export async function removeUser(conn: DuckDBConnection, username: string): Promise<void> {
  if (!(await findUser(conn, username))) throw new UserError(`no user "${username.slice(0, 80)}"`, 'not_found');
  await exec(conn, 'delete from sessions where username = $username', { username });
  await exec(conn, 'delete from users where username = $username', { username });
}

/** Set a new password and end the user's sessions (they sign in again). */
export async function setPassword(conn: DuckDBConnection, username: string, password: string): Promise<void> {
  checkPassword(password);
  if (!(await findUser(conn, username))) throw new UserError(`no user "${username.slice(0, 80)}"`, 'not_found');
  const hash = await hashPassword(password);
  await exec(conn, 'update users set password_hash = $hash where username = $username', { username, hash });
  await exec(conn, 'delete from sessions where username = $username', { username });
}

/**
 * Check a username and password. Returns the user when they match and the account is enabled, else
 * undefined; an unknown user costs the same scrypt work as a known one.
 */
export async function checkCredentials(conn: DuckDBConnection, username: string, password: string): Promise<UserRecord | undefined> {
  const row = (await tableExists(conn, 'users'))
    ? await one<{ password_hash: string; disabled: boolean }>(conn,
      'select password_hash, disabled from users where username = $username', { username })
    : undefined;
  const ok = await verifyPassword(password, row?.password_hash);
  if (!ok || !row || row.disabled) return undefined;
  return findUser(conn, username);
}
