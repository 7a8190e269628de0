// The `oidc` block of the configuration: single sign-on through an OpenID Connect provider
// (docs/access.md). From `trellis.config.json` ("oidc": { … }) and TRELLIS_OIDC_* (env wins, field by
// field). Off (null) unless an issuer is given.
import { ConfigError } from './config.ts';

export interface OidcConfig {
  /** The provider's issuer URL (its discovery document is `<issuer>/.well-known/openid-configuration`). */
  issuer: string;
  clientId: string;
  /** Null: a public client (PKCE only, no client authentication). */
  clientSecret: string | null;
  /** The callback registered at the provider; null = `<this server>/api/auth/oidc/callback` from the request. */
  redirectUrl: string | null;
  /** Shown on the sign-in button: "Sign in with <name>". */
  name: string;
  /** Scopes asked for. */
  scopes: string;
  /** The claim holding the email address matched against employees.email. */
  emailClaim: string;
  /** The claim holding the user's groups (a list of strings, or one string). */
  groupsClaim: string;
  /** Groups whose members become admin / leader (raises only: never lowers a role from the org). */
  groupRoles: { admin: string[]; leader: string[] };
}

const KEYS = ['issuer', 'clientId', 'clientSecret', 'redirectUrl', 'name', 'scopes', 'emailClaim', 'groupsClaim', 'groupRoles'] as const;
const ENV: Partial<Record<(typeof KEYS)[number], string>> = {
  issuer: 'TRELLIS_OIDC_ISSUER',
  clientId: 'TRELLIS_OIDC_CLIENT_ID',
  clientSecret: 'TRELLIS_OIDC_CLIENT_SECRET',
  redirectUrl: 'TRELLIS_OIDC_REDIRECT_URL',
  name: 'TRELLIS_OIDC_NAME',
  scopes: 'TRELLIS_OIDC_SCOPES',
  emailClaim: 'TRELLIS_OIDC_EMAIL_CLAIM',
  groupsClaim: 'TRELLIS_OIDC_GROUPS_CLAIM',
};

/** The environment variables of the `oidc` block (`trellis --help` lists them). */
export const OIDC_ENV_NAMES: readonly string[] = Object.values(ENV);

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** An http(s) URL; plain http only on loopback (a provider run locally for tests or a trial). */
function checkUrl(value: string, where: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${where}: ${JSON.stringify(value)} is not a URL (e.g. "https://login.example.com/realms/staff")`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) {
    throw new ConfigError(`${where}: ${JSON.stringify(value)} must be an https:// URL (plain http only on localhost)`);
  }
  return value; // as written: the issuer must equal the provider's own, trailing slash and all
}

function groupList(raw: unknown, where: string): string[] {
  if (raw === undefined || raw === null) return [];
  if (typeof raw === 'string') return [raw];
  if (Array.isArray(raw) && raw.every((g) => typeof g === 'string' && g !== '')) return raw as string[];
  throw new ConfigError(`${where}: ${JSON.stringify(raw)} is not a group name or a list of group names`);
}

/**
 * Parse the `oidc` block (`raw`, from the config file, may be undefined) with the environment.
 * `file` names the config file in messages.
 */
export function parseOidc(raw: unknown, env: Record<string, string | undefined>, file: string): OidcConfig | null {
  if (raw !== undefined && raw !== null && (typeof raw !== 'object' || Array.isArray(raw))) {
    throw new ConfigError(`${file}: "oidc" must be an object ({ "issuer": …, "clientId": …, … })`);
  }
  const block = (raw ?? {}) as Record<string, unknown>;
  const unknown = Object.keys(block).filter((k) => !(KEYS as readonly string[]).includes(k));
  if (unknown.length) {
    throw new ConfigError(`${file}: unknown setting ${unknown.map((k) => `"oidc.${k}"`).join(', ')}; known: ${KEYS.map((k) => `oidc.${k}`).join(', ')}`);
  }
  const where: Record<string, string> = {};
  const text = (key: (typeof KEYS)[number]): string | null => {
    const envName = ENV[key];
    const fromEnv = envName ? env[envName]?.trim() : undefined;
    if (fromEnv) { where[key] = `environment variable ${envName}`; return fromEnv; }
    const value = block[key];
    where[key] = `${file}: "oidc.${key}"`;
    if (value === undefined || value === null) return null;
    if (typeof value !== 'string' || value.trim() === '') throw new ConfigError(`${where[key]}: ${JSON.stringify(value)} is not a non-empty string`);
    return value.trim();
  };
  const issuer = text('issuer');
  if (!issuer) {
    const set = KEYS.filter((k) => block[k] !== undefined || (ENV[k] && env[ENV[k]!]?.trim()));
    if (set.length) throw new ConfigError(`oidc: ${set.map((k) => `oidc.${k}`).join(', ')} set but no issuer (oidc.issuer or TRELLIS_OIDC_ISSUER)`);
    return null;
  }
  const clientId = text('clientId');
  if (!clientId) throw new ConfigError('oidc: an issuer is set but no client id (oidc.clientId or TRELLIS_OIDC_CLIENT_ID)');
  const redirectUrl = text('redirectUrl');
  const groupsRaw = block.groupRoles;
  if (groupsRaw !== undefined && (typeof groupsRaw !== 'object' || groupsRaw === null || Array.isArray(groupsRaw))) {
    throw new ConfigError(`${file}: "oidc.groupRoles" must be an object like { "admin": ["trellis-admins"], "leader": ["hr-leads"] }`);
  }
  const roles = (groupsRaw ?? {}) as Record<string, unknown>;
  const badRole = Object.keys(roles).find((r) => r !== 'admin' && r !== 'leader');
  if (badRole) {
    throw new ConfigError(`${file}: "oidc.groupRoles.${badRole}": groups may raise a role to admin or leader only (manager and employee come from the org)`);
  }
  return {
    issuer: checkUrl(issuer, where.issuer),
    clientId,
    clientSecret: text('clientSecret'),
    redirectUrl: redirectUrl ? checkUrl(redirectUrl, where.redirectUrl) : null,
    name: text('name') ?? 'single sign-on',
    scopes: text('scopes') ?? 'openid email profile',
    emailClaim: text('emailClaim') ?? 'email',
    groupsClaim: text('groupsClaim') ?? 'groups',
    groupRoles: {
      admin: groupList(roles.admin, `${file}: "oidc.groupRoles.admin"`),
      leader: groupList(roles.leader, `${file}: "oidc.groupRoles.leader"`),
    },
  };
}
