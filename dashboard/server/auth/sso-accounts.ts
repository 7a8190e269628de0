// The account behind a single sign-on: named by the lower-case email, made at the first sign-in, its
// role worked out from the org (org-roles.ts) at every sign-in. The account has no usable password
// (`password_hash` is not a scrypt hash, so a password never matches); sso_identities keeps the
// provider's issuer and subject and the groups of the last sign-in.
import type { DuckDBConnection } from '@duckdb/node-api';
import { exec, one } from '../../../pipeline/src/db.ts';
import type { OidcConfig } from '../../../pipeline/src/config-oidc.ts';
import type { Role } from './user.ts';
import type { OidcIdentity } from './oidc.ts';
import { SignInRefused } from './oidc.ts';
import { matchEmail, roleFor } from './org-roles.ts';

export const NO_PASSWORD = 'sso-only (no password)';

export interface SsoAccount {
  username: string;
  role: Role;
  employeeId: string;
}

/**
 * The account for a verified identity, made or brought up to date; refused (SignInRefused) when the
 * provider gave no usable email, the email is not in the HR data, or its person is no longer active.
 * A refusal also takes away the access of an existing account for that email (its sessions end).
 */
export async function ssoAccount(conn: DuckDBConnection, identity: OidcIdentity, settings: OidcConfig, now: Date): Promise<SsoAccount> {
  const email = identity.email?.toLowerCase() ?? null;
  if (!email) {
    throw new SignInRefused('email_missing', `The identity provider did not send your email address (claim "${settings.emailClaim}"), `
      + 'so Trellis cannot tell who you are in the HR data. Tell your Trellis admin (check oidc.emailClaim and oidc.scopes).', null);
  }
  if (identity.emailVerified === false) {
    throw new SignInRefused('email_unverified', `The identity provider says your email address (${email}) is not verified. `
      + 'Verify it with your identity provider, then sign in again.', null, email);
  }
  const match = await matchEmail(conn, email);
  if (match.kind !== 'active') {
    await revoke(conn, email);
    if (match.kind === 'unknown') {
      throw new SignInRefused('unknown_email', `Your email (${email}) is not in the HR data Trellis has, so Trellis cannot tell what you may see. `
        + 'If it should be, ask HR to add it to your employee record; it takes effect after the next data load.', null, email);
    }
    throw new SignInRefused('inactive_employee', `Your email (${email}) belongs to someone who is not active in the HR data Trellis has `
      + '(they have left, or not started yet), so you cannot sign in. If this is wrong, ask HR to correct your employee record.',
    `employee ${match.employeeId}`, email);
  }
  const existing = await one<{ username: string; sso: boolean }>(conn,
    `select u.username, s.username is not null as sso from users u left join sso_identities s using (username) where u.username = $u`, { u: email });
  if (existing && !existing.sso) {
    throw new SignInRefused('local_account_exists', `There is already a Trellis account named ${email} with a password. `
      + 'Sign in with it, or ask your Trellis admin to remove it so that single sign-on can take its place.', null, email);
  }
  const role = roleFor(match, identity.groups, settings.groupRoles);
  const at = now.toISOString();
  const groups = JSON.stringify(identity.groups);
  if (existing) {
    await exec(conn, 'update users set role = $role, employee_id = $id, disabled = false where username = $u', { role, id: match.employeeId, u: email });
    await exec(conn, `update sso_identities set issuer = $issuer, subject = $subject, groups = $groups, last_login_at = $at::timestamp
      where username = $u`, { issuer: identity.issuer, subject: identity.subject, groups, at, u: email });
  } else {
    // an identity left over from an account an admin removed: start afresh
    await exec(conn, 'delete from sso_identities where username = $u', { u: email });
    await exec(conn, `insert into users (username, role, employee_id, password_hash, created_at, disabled)
      values ($u, $role, $id, $hash, $at::timestamp, false)`, { u: email, role, id: match.employeeId, hash: NO_PASSWORD, at });
    await exec(conn, `insert into sso_identities (username, issuer, subject, email, groups, first_login_at, last_login_at)
      values ($u, $issuer, $subject, $u, $groups, $at::timestamp, $at::timestamp)`, { u: email, issuer: identity.issuer, subject: identity.subject, groups, at });
  }
  return { username: email, role, employeeId: match.employeeId };
}

/** An SSO account for this email loses access (disabled, sessions ended); a password account is left alone. */
async function revoke(conn: DuckDBConnection, email: string): Promise<void> {
  const sso = await one(conn, 'select 1 as x from sso_identities where username = $u', { u: email });
  if (!sso) return;
  await exec(conn, 'update users set disabled = true where username = $u', { u: email });
  await exec(conn, 'delete from sessions where username = $u', { u: email });
}
