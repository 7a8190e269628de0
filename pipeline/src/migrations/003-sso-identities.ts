// Version 3: who signed in through single sign-on (OpenID Connect, docs/access.md). One row per account
// made by a sign-in: the provider's issuer and subject, the email it gave (matched against
// employees.email), and the groups it sent at the last sign-in, kept so that the role can be worked
// out again after every run without the person signing in.
import type { Migration } from './index.ts';

export const ssoIdentities: Migration = {
  version: 3,
  name: 'sso_identities',
  async up(conn) {
    await conn.run(`create table if not exists sso_identities (
      username varchar primary key, issuer varchar not null, subject varchar not null, email varchar not null,
      groups varchar not null default '[]', first_login_at timestamp not null, last_login_at timestamp not null)`);
  },
};
