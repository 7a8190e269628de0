// Dashboard accounts: the `users`, `sessions` and `audit_log` tables (app-owned; their schema is in
// migrations/), password hashing (scrypt with a per-user salt), and the `trellis user …` CLI. Passwords
// are never logged or echoed.
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { DuckDBConnection } from '@duckdb/node-api';
import { all, exec, one, tableExists } from './db.ts';
import { isRole, missingEmployeeId, ROLES, type Role } from './roles.ts';
import { findServer, openDbExplained, type ServerLink } from './server-link.ts';

export { ROLES, type Role } from './roles.ts';

export interface UserRecord {
  username: string;
  role: Role;
  employee_id: string | null;
  created_at: string;
  disabled: boolean;
}

/** A user-facing error (bad argument, unknown user): its message is safe to print or return as a 400. */
export class UserError extends Error {
  constructor(message: string, readonly code: 'invalid' | 'exists' | 'not_found' | 'last_admin' = 'invalid') {
    super(message);
    this.name = 'UserError';
  }
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
  if (!isRole(user.role)) {
    throw new UserError(`invalid role "${String(user.role).slice(0, 40)}": use one of ${ROLES.join(', ')}`);
  }
  const role = user.role;
  const employeeId = user.employeeId?.trim() || null;
  const missing = missingEmployeeId(role, employeeId, 'an employee id (--employee-id)');
  if (missing) throw new UserError(missing);
  checkPassword(user.password);
  if (employeeId) await checkEmployee(conn, employeeId);
  if (await findUser(conn, user.username)) throw new UserError(`user "${user.username}" already exists`, 'exists');
  const hash = await hashPassword(user.password);
  await exec(conn,
    `insert into users (username, role, employee_id, password_hash, created_at, disabled)
     values ($username, $role, $employee_id, $hash, $now::timestamp, false)`,
    { username: user.username, role, employee_id: employeeId, hash, now: now.toISOString() });
  return (await findUser(conn, user.username))!;
}

/** The employee an account stands for, as the data serving knows them. */
export interface LinkedEmployee { employeeId: string; fullName: string | null; terminationDate: string | null; active: boolean }

/**
 * Whom a manager's or employee's account stands for: name, the day they left, and whether they are active
 * as of the serving run (in career_path_state; not active, their pages show no one). Null before any run.
 * /api/meta answers it, and `trellis user add` turns it into a note (inactiveEmployeeNote).
 */
export async function linkedEmployee(conn: DuckDBConnection, employeeId: string): Promise<LinkedEmployee | null> {
  if (!(await tableExists(conn, 'career_path_state')) || !(await tableExists(conn, 'stg_employees'))) return null;
  return (await one<LinkedEmployee & Record<string, unknown>>(conn,
    `select id.employee_id as "employeeId", e.full_name as "fullName", strftime(e.termination_date, '%Y-%m-%d') as "terminationDate",
       exists (select 1 from career_path_state c where c.employee_id = id.employee_id) as active
     from (select $id as employee_id) as id left join stg_employees e on e.employee_id = id.employee_id`, { id: employeeId })) ?? null;
}

/** Why an account standing for this employee would see no one (linkedEmployee not active), or null. */
export async function inactiveEmployeeNote(conn: DuckDBConnection, employeeId: string): Promise<string | null> {
  const linked = await linkedEmployee(conn, employeeId);
  if (!linked || linked.active) return null;
  return `${employeeId}${linked.fullName ? ` (${linked.fullName})` : ''} ${linked.terminationDate ? `left on ${linked.terminationDate}` : 'is not active'} in the data loaded: `
    + 'the account sees no one until it stands for an active employee';
}

export async function findUser(conn: DuckDBConnection, username: string): Promise<UserRecord | undefined> {
  return one<UserRecord & Record<string, unknown>>(conn,
    `select username, role, employee_id, strftime(created_at, '%Y-%m-%dT%H:%M:%SZ') as created_at, disabled
     from users where username = $username`, { username });
}

export async function listUsers(conn: DuckDBConnection): Promise<UserRecord[]> {
  return all<UserRecord & Record<string, unknown>>(conn,
    `select username, role, employee_id, strftime(created_at, '%Y-%m-%dT%H:%M:%SZ') as created_at, disabled
     from users order by username`);
}

/**
 * Refuse a change that would leave no enabled admin account (removing or demoting the last one): nobody
 * could manage accounts from the dashboard any more.
 */
async function keepAnAdmin(conn: DuckDBConnection, user: UserRecord): Promise<void> {
  if (user.role !== 'admin' || user.disabled) return;
  const others = await one<{ n: number }>(conn,
    `select count(*)::int as n from users where role = 'admin' and not disabled and username <> $username`,
    { username: user.username });
  if (!others?.n) throw new UserError(`${user.username} is the last admin; add another admin first`, 'last_admin');
}

/** Delete a user and end their sessions; refused for the last admin. */
export async function removeUser(conn: DuckDBConnection, username: string): Promise<void> {
  const user = await findUser(conn, username);
  if (!user) throw new UserError(`no user "${username.slice(0, 80)}"`, 'not_found');
  await keepAnAdmin(conn, user);
  await exec(conn, 'delete from sessions where username = $username', { username });
  await exec(conn, 'delete from users where username = $username', { username });
}

/** Set a new password and end the user's sessions (they sign in again). */
export async function setPassword(conn: DuckDBConnection, username: string, password: string): Promise<void> {
  checkPassword(password);
  if (!(await findUser(conn, username))) throw new UserError(`no user "${username.slice(0, 80)}"`, 'not_found');
  if (await tableExists(conn, 'sso_identities')
    && await one(conn, 'select 1 as x from sso_identities where username = $username', { username })) {
    throw new UserError(`${username.slice(0, 80)} signs in through single sign-on and has no password (docs/access.md)`);
  }
  const hash = await hashPassword(password);
  await exec(conn, 'update users set password_hash = $hash where username = $username', { username, hash });
  await exec(conn, 'delete from sessions where username = $username', { username });
}

/**
 * Check a username and password. Returns the user when they match and the account is enabled, else
 * undefined; an unknown user costs the same scrypt work as a known one.
 */
export async function checkCredentials(conn: DuckDBConnection, username: string, password: string): Promise<UserRecord | undefined> {
  const row = await one<{ password_hash: string; disabled: boolean }>(conn,
    'select password_hash, disabled from users where username = $username', { username });
  const ok = await verifyPassword(password, row?.password_hash);
  if (!ok || !row || row.disabled) return undefined;
  return findUser(conn, username);
}

// ---- demo accounts ---------------------------------------------------------------------------------

/** The documented demo-only password of the demo leader and manager accounts (docs/access.md). */
export const DEMO_PASSWORD = 'trellis-demo';

export interface DemoAccounts {
  /** The admin account; `password` is set only when it was generated now (print it once). */
  admin: { username: string; password: string | null; created: boolean };
  accounts: { username: string; role: Role; employeeId: string | null; password: string; created: boolean }[];
}

/** Managers with the largest teams below the top of the org, from org_closure when it exists. */
async function pickDemoManagers(conn: DuckDBConnection, n: number): Promise<string[]> {
  if (!(await tableExists(conn, 'org_closure'))) return [];
  const rows = await all<{ ancestor_id: string }>(conn,
    `with sizes as (
       select ancestor_id, count(*)::int as n_team from org_closure group by ancestor_id having count(*) > 1
     ), tops as (
       select employee_id from org_closure group by employee_id having count(*) = 1  -- roots: own ancestor only
     )
     select ancestor_id from sizes where ancestor_id not in (select employee_id from tops)
     order by n_team desc, ancestor_id limit $n`, { n });
  return rows.map((r) => r.ancestor_id);
}

/**
 * The demo employee: someone whose own page ("My path") has something in every part, chosen from the
 * marts when they exist — on a path first, then with a career talk at a check-in, with suggested moves,
 * without reports (an individual contributor), then the lowest id. Null before the first run.
 */
export async function pickDemoEmployee(conn: DuckDBConnection): Promise<string | null> {
  if (!(await tableExists(conn, 'career_path_state'))) return null;
  const flag = async (table: string, sql: string) => ((await tableExists(conn, table)) ? sql : 'false');
  const talked = await flag('stg_check_ins', 'exists (select 1 from stg_check_ins k where k.employee_id = c.employee_id and k.career_discussed)');
  const moves = await flag('mobility_matches', 'exists (select 1 from mobility_matches m where m.employee_id = c.employee_id)');
  const manages = await flag('org_closure', 'exists (select 1 from org_closure o where o.ancestor_id = c.employee_id and o.depth > 0)');
  const row = await one<{ employee_id: string }>(conn, `
    select c.employee_id from career_path_state c
    order by c.path_state = 'on_path' desc, ${talked} desc, ${moves} desc, ${manages} asc, c.n_linked_goals desc, c.employee_id
    limit 1`);
  return row?.employee_id ?? null;
}

/**
 * Demo accounts for `npm start` on the demo org: an `admin` (password from `adminPassword`, else
 * TRELLIS_ADMIN_PASSWORD, else random and printed once), a `leader`, and `manager1..n` for the given
 * employee ids (default: the two largest teams below the top) and an `employee` (pickDemoEmployee,
 * or `employeeId`), all with DEMO_PASSWORD. Existing accounts are left as they are, so a restart prints
 * nothing new.
 */
export async function ensureDemoAccounts(conn: DuckDBConnection, opts: {
  employeeIds?: readonly string[];
  /** The demo employee's employee id (default: pickDemoEmployee; none when nothing is loaded). */
  employeeId?: string | null;
  adminPassword?: string | null;
  print?: (line: string) => void;
  now?: Date;
} = {}): Promise<DemoAccounts> {
  const print = opts.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const now = opts.now ?? new Date();
  const result: DemoAccounts = { admin: { username: 'admin', password: null, created: false }, accounts: [] };

  if (!(await findUser(conn, 'admin'))) {
    const given = opts.adminPassword ?? process.env.TRELLIS_ADMIN_PASSWORD ?? null;
    const password = given || randomPassword();
    await addUser(conn, { username: 'admin', role: 'admin', password }, now);
    result.admin = { username: 'admin', password: given ? null : password, created: true };
    if (given) print('Admin account: admin (password from TRELLIS_ADMIN_PASSWORD)');
    else print(`Admin account: admin / ${password}  (shown once; change it with: trellis user passwd --username admin --password-stdin)`);
  }

  const wanted: { username: string; role: Role; employeeId: string | null }[] = [{ username: 'leader', role: 'leader', employeeId: null }];
  const ids = opts.employeeIds?.length ? opts.employeeIds : await pickDemoManagers(conn, 2);
  ids.forEach((employeeId, i) => wanted.push({ username: `manager${i + 1}`, role: 'manager', employeeId }));
  const self = opts.employeeId !== undefined ? opts.employeeId : await pickDemoEmployee(conn);
  if (self) wanted.push({ username: 'employee', role: 'employee', employeeId: self });
  for (const account of wanted) {
    const existing = await findUser(conn, account.username);
    if (!existing) await addUser(conn, { ...account, password: DEMO_PASSWORD }, now);
    result.accounts.push({ ...account, employeeId: existing?.employee_id ?? account.employeeId, password: DEMO_PASSWORD, created: !existing });
  }
  const created = result.accounts.filter((a) => a.created);
  if (created.length) {
    print(`Demo accounts (demo only, password "${DEMO_PASSWORD}"): ${created
      .map((a) => `${a.username} (${a.role}${a.employeeId ? ` ${a.role === 'employee' ? '' : 'of '}${a.employeeId}` : ''})`).join(', ')}`);
  }
  return result;
}

// ---- CLI: trellis user add|list|remove|passwd --------------------------------------------------------

export interface UsersCommandContext {
  /** The DuckDB file (else ctx.config.db, else TRELLIS_DB, else data/trellis.duckdb); --db wins. */
  db?: string;
  /** The folder a relative --db is taken from (default the process's). */
  cwd?: string;
  config?: { db: string };
  stdin?: Readable;
  stdout?: Writable;
  stderr?: Writable;
}

const USAGE = `Usage:
  trellis user add --username U --role ${ROLES.join('|')} [--employee-id E] --password-stdin [--db FILE]
  trellis user list [--db FILE]
  trellis user remove --username U [--db FILE]
  trellis user passwd --username U --password-stdin [--db FILE]
The password is read from standard input (one line), e.g.  printf '%s' "$PW" | trellis user add ...
The accounts are in the database: --db FILE, else TRELLIS_DB, else data/trellis.duckdb (while a server
runs on it, the server makes the change).`;

function parseFlags(args: string[]): Record<string, string | true> {
  const flags: Record<string, string | true> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith('--')) throw new UserError(`unexpected argument "${arg}"\n${USAGE}`);
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2);
    if (name === 'password-stdin') { flags[name] = true; continue; }
    if (name === 'password') throw new UserError('passwords are not taken on the command line (they end up in shell history): use --password-stdin');
    if (!['username', 'role', 'employee-id', 'db'].includes(name)) throw new UserError(`unknown option --${name}\n${USAGE}`);
    const value = inline ?? args[++i];
    if (value === undefined || value.startsWith('--')) throw new UserError(`--${name} needs a value`);
    flags[name] = value;
  }
  return flags;
}

async function readPassword(stdin: Readable | undefined): Promise<string> {
  if (!stdin) throw new UserError('no standard input to read the password from');
  if ((stdin as Readable & { isTTY?: boolean }).isTTY) {
    throw new UserError("--password-stdin reads a piped password: printf '%s' \"$PW\" | trellis user ...");
  }
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  const text = Buffer.concat(chunks).toString('utf8');
  const password = text.replace(/\r?\n$/, '');
  if (password.includes('\n')) throw new UserError('the password on standard input must be a single line');
  return password;
}

type Action =
  | { kind: 'add'; username: string; role: string; employeeId: string | null; password: string }
  | { kind: 'list' }
  | { kind: 'remove'; username: string }
  | { kind: 'passwd'; username: string; password: string };

/** What an action answers: the accounts (list), a note about the account added. */
interface Outcome { listed?: UserRecord[]; note?: string | null }

async function viaServer(server: ServerLink, action: Action): Promise<Outcome> {
  const base = `${server.base}/api/users`;
  const call = async (method: string, url: string, body?: unknown) => {
    // no content-type without a body: Fastify refuses an empty JSON body (DELETE)
    const headers = { authorization: `Bearer ${server.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) };
    const res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const json = await res.json().catch(() => ({})) as { message?: string; rows?: unknown[]; note?: string | null };
    if (!res.ok) throw new UserError(json.message ?? `the server answered ${res.status}`);
    return json;
  };
  const name = (u: string) => encodeURIComponent(u);
  switch (action.kind) {
    case 'add':
      return { note: (await call('POST', base, { username: action.username, role: action.role, employeeId: action.employeeId, password: action.password })).note };
    case 'list': {
      const json = await call('GET', base) as { rows: { username: string; role: Role; employeeId: string | null; createdAt: string; disabled: boolean }[] };
      return { listed: json.rows.map((r) => ({ username: r.username, role: r.role, employee_id: r.employeeId, created_at: r.createdAt, disabled: r.disabled })) };
    }
    case 'remove':
      await call('DELETE', `${base}/${name(action.username)}`);
      return {};
    case 'passwd':
      await call('PUT', `${base}/${name(action.username)}/password`, { password: action.password });
      return {};
  }
}

async function direct(dbFile: string, action: Action): Promise<Outcome> {
  const db = await openDbExplained(dbFile);
  const conn = await db.connect();
  try {
    const audit = (act: string, target: string) => exec(conn,
      `insert into audit_log ("at", username, action, target, detail, ip) values (now()::timestamp, 'cli', $act, $target, null, null)`,
      { act, target });
    switch (action.kind) {
      case 'add':
        await addUser(conn, action);
        await audit('user_add', action.username);
        return { note: action.employeeId ? await inactiveEmployeeNote(conn, action.employeeId) : null };
      case 'list':
        return { listed: await listUsers(conn) };
      case 'remove':
        await removeUser(conn, action.username);
        await audit('user_remove', action.username);
        return {};
      case 'passwd':
        await setPassword(conn, action.username, action.password);
        await audit('user_passwd', action.username);
        return {};
    }
  } finally {
    conn.closeSync();
  }
}

/** `trellis user …`: argv is what follows `user` (a leading `user` is skipped). Returns the exit code. */
export async function usersCommand(argv: readonly string[], ctx: UsersCommandContext = {}): Promise<number> {
  const out = ctx.stdout ?? process.stdout;
  const err = ctx.stderr ?? process.stderr;
  const args = argv[0] === 'user' ? argv.slice(1) : [...argv];
  const sub = args.shift();
  try {
    if (!sub || sub === 'help' || sub === '--help') {
      (sub ? out : err).write(`${USAGE}\n`);
      return sub ? 0 : 2;
    }
    const flags = parseFlags(args);
    const username = typeof flags.username === 'string' ? flags.username : undefined;
    const need = (u: string | undefined): string => {
      if (!u) throw new UserError(`trellis user ${sub} needs --username`);
      return u;
    };
    let action: Action;
    switch (sub) {
      case 'add': {
        if (typeof flags.role !== 'string') throw new UserError(`trellis user add needs --role ${ROLES.join('|')}`);
        if (!flags['password-stdin']) throw new UserError('trellis user add needs --password-stdin (the password is read from standard input)');
        const employeeId = typeof flags['employee-id'] === 'string' ? flags['employee-id'] : null;
        const missing = isRole(flags.role) ? missingEmployeeId(flags.role, employeeId) : null;
        if (missing) throw new UserError(missing);
        action = { kind: 'add', username: need(username), role: flags.role, employeeId, password: '' };
        checkUsername(action.username);
        action.password = await readPassword(ctx.stdin ?? process.stdin);
        break;
      }
      case 'list':
        action = { kind: 'list' };
        break;
      case 'remove':
        action = { kind: 'remove', username: need(username) };
        break;
      case 'passwd':
        if (!flags['password-stdin']) throw new UserError('trellis user passwd needs --password-stdin (the password is read from standard input)');
        action = { kind: 'passwd', username: need(username), password: await readPassword(ctx.stdin ?? process.stdin) };
        break;
      default:
        throw new UserError(`unknown command "user ${sub}"\n${USAGE}`);
    }
    const dbFile = typeof flags.db === 'string' ? path.resolve(ctx.cwd ?? process.cwd(), flags.db)
      : ctx.db ?? ctx.config?.db ?? process.env.TRELLIS_DB ?? 'data/trellis.duckdb';
    const server = await findServer(dbFile);
    const { listed, note } = server ? await viaServer(server, action) : await direct(dbFile, action);
    switch (action.kind) {
      case 'add':
        out.write(`Added ${action.role} "${action.username}"${action.employeeId ? ` (${action.role === 'employee' ? '' : 'team of '}${action.employeeId})` : ''}\n`);
        if (note) out.write(`note: ${note}\n`);
        break;
      case 'remove': out.write(`Removed "${action.username}" and ended their sessions\n`); break;
      case 'passwd': out.write(`Password of "${action.username}" changed; their sessions ended\n`); break;
      case 'list': {
        const rows = listed ?? [];
        if (!rows.length) out.write('No users yet. Add one: trellis user add --username U --role admin --password-stdin\n');
        for (const u of rows) {
          out.write(`${u.username.padEnd(24)} ${u.role.padEnd(8)} ${(u.employee_id ?? '-').padEnd(12)} ${u.created_at}${u.disabled ? ' (disabled)' : ''}\n`);
        }
      }
    }
    return 0;
  } catch (e) {
    if (e instanceof UserError) {
      err.write(`trellis user: ${e.message}\n`);
      return 2;
    }
    err.write(`trellis user: ${(e as Error).message}\n`);
    return 1;
  }
}
