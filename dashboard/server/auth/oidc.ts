// Single sign-on through OpenID Connect (openid-client): the authorization-code flow with PKCE, state
// and nonce. The provider's metadata is discovered on first use (not at start, so Trellis starts when
// the provider is down). A started sign-in is kept in memory for 10 minutes under a random id that
// only the browser's `trellis_oidc` cookie names, and is used at most once. Every way the callback can
// fail is turned into a SignInRefused with a message for the person and a detail for the audit log.
import { randomBytes } from 'node:crypto';
import * as client from 'openid-client';
import type { OidcConfig } from '../../../pipeline/src/config-oidc.ts';

export const OIDC_COOKIE = 'trellis_oidc';
const PENDING_MS = 10 * 60_000;
const MAX_PENDING = 10_000;

/** What the provider said about the person, once the callback checked out. */
export interface OidcIdentity {
  issuer: string;
  subject: string;
  email: string | null;
  emailVerified: boolean | null;
  groups: string[];
}

interface Pending {
  state: string;
  nonce: string;
  verifier: string;
  redirectUri: string;
  next: string | null;
  at: number;
}

/** A refused sign-in: `code` names the reason (audit detail, tests), `message` is for the person. */
export class SignInRefused extends Error {
  constructor(readonly code: string, message: string, readonly detail: string | null = null, readonly email: string | null = null) {
    super(message);
    this.name = 'SignInRefused';
  }
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Every `cause` down the chain, first the error itself. */
function causes(err: unknown): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  let e: unknown = err;
  for (let i = 0; i < 6 && e && typeof e === 'object'; i++) {
    out.push(e as Record<string, unknown>);
    e = (e as { cause?: unknown }).cause;
  }
  return out;
}

/** The refusal for an error of openid-client (or of fetch) during the callback. */
export function describeFailure(err: unknown): SignInRefused {
  const chain = causes(err);
  const text = chain.map((c) => c.message).filter((m) => typeof m === 'string').join(': ');
  if (err instanceof client.AuthorizationResponseError) {
    return new SignInRefused('provider_refused', `The identity provider refused the sign-in: ${err.error_description ?? err.error}.`, text);
  }
  if (err instanceof client.ResponseBodyError) {
    if (err.error === 'invalid_grant') {
      return new SignInRefused('code_refused', 'The identity provider did not accept the sign-in code: it was already used, has expired, '
        + 'or belongs to another sign-in. Start again from the sign-in page.', `${err.error}: ${err.error_description ?? ''}`);
    }
    return new SignInRefused('token_refused', `The identity provider refused to complete the sign-in (${err.error}). Start again; if it persists, tell your Trellis admin.`,
      `${err.error}: ${err.error_description ?? ''}`);
  }
  const code = chain.map((c) => c.code).find((c) => typeof c === 'string') as string | undefined;
  const claim = chain.map((c) => c.claim).find((c) => typeof c === 'string') as string | undefined;
  if (code === 'OAUTH_INVALID_RESPONSE' && /"state"/.test(text)) {
    return new SignInRefused('state_mismatch', 'This sign-in answer does not belong to the sign-in this browser started (its state does not match). '
      + 'Start again from the sign-in page.', text);
  }
  if (code === 'OAUTH_JWT_CLAIM_COMPARISON_FAILED' && (claim === 'aud' || claim === 'azp')) {
    return new SignInRefused('wrong_audience', 'The identity provider\'s ID token was issued for another application (its audience is not Trellis), '
      + 'so Trellis cannot trust it. Tell your Trellis admin (check oidc.clientId).', text);
  }
  if (code === 'OAUTH_JWT_CLAIM_COMPARISON_FAILED' && claim === 'nonce') {
    return new SignInRefused('nonce_mismatch', 'The identity provider\'s ID token does not belong to this sign-in (nonce). Start again from the sign-in page.', text);
  }
  if (code === 'OAUTH_JWT_CLAIM_COMPARISON_FAILED' && claim === 'iss') {
    return new SignInRefused('wrong_issuer', 'The ID token comes from another identity provider than the one Trellis is set up for. Tell your Trellis admin (check oidc.issuer).', text);
  }
  if (code === 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED') {
    return new SignInRefused('token_expired', `The identity provider's ID token has expired or is not valid yet (${claim ?? 'time'}). `
      + 'Start again; if it persists, the clocks of Trellis and the provider disagree.', text);
  }
  if (err instanceof TypeError || code === 'OAUTH_TIMEOUT' || code === 'OAUTH_RESPONSE_IS_NOT_CONFORM' || code === 'OAUTH_RESPONSE_IS_NOT_JSON') {
    return new SignInRefused('provider_unreachable', 'Trellis could not reach the identity provider. Try again in a moment; if it persists, tell your Trellis admin.', text);
  }
  return new SignInRefused('token_invalid', 'The identity provider\'s answer could not be verified, so you are not signed in. Start again; '
    + 'if it persists, tell your Trellis admin.', text);
}

function claimText(value: unknown): string | null {
  return typeof value === 'string' && value.trim() ? value.trim() : null;
}

function groupsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((g): g is string => typeof g === 'string') : [];
}

export class OidcClient {
  private config: Promise<client.Configuration> | null = null;
  private readonly pending = new Map<string, Pending>();

  constructor(readonly settings: OidcConfig, private readonly now: () => Date = () => new Date()) {}

  /** The provider's configuration, discovered once (again after a failure). */
  configuration(): Promise<client.Configuration> {
    if (!this.config) {
      const { issuer, clientId, clientSecret } = this.settings;
      const url = new URL(issuer);
      const insecure = url.protocol === 'http:' && LOOPBACK.has(url.hostname);
      this.config = client.discovery(url, clientId, clientSecret ?? undefined,
        clientSecret ? client.ClientSecretBasic(clientSecret) : client.None(),
        insecure ? { execute: [client.allowInsecureRequests], timeout: 10 } : { timeout: 10 });
      this.config.catch(() => { this.config = null; });
    }
    return this.config;
  }

  /** Start a sign-in: the provider URL to send the browser to and the cookie value naming this attempt. */
  async start(redirectUri: string, next: string | null): Promise<{ url: string; id: string }> {
    let config: client.Configuration;
    try {
      config = await this.configuration();
    } catch (err) {
      throw new SignInRefused('provider_unreachable', `Trellis could not reach the identity provider (${this.settings.issuer}). `
        + 'Try again in a moment; if it persists, tell your Trellis admin.', causes(err).map((c) => c.message).join(': '));
    }
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: this.settings.scopes,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    const id = randomBytes(24).toString('base64url');
    this.prune();
    this.pending.set(id, { state, nonce, verifier, redirectUri, next, at: this.now().getTime() });
    return { url: url.href, id };
  }

  /**
   * Finish a sign-in from the callback's query string and the cookie's id: the attempt is used up
   * whatever happens. Throws SignInRefused.
   */
  async finish(id: string | undefined, query: string): Promise<OidcIdentity & { next: string | null }> {
    const pending = id ? this.pending.get(id) : undefined;
    if (id) this.pending.delete(id);
    if (!pending || this.now().getTime() - pending.at > PENDING_MS) {
      throw new SignInRefused('no_sign_in_started', 'This sign-in has expired or was already used (or cookies are blocked for Trellis). '
        + 'Start again from the sign-in page.', id ? 'unknown or expired attempt' : 'no attempt cookie');
    }
    const config = await this.configuration().catch((err: unknown) => { throw describeFailure(err); });
    const currentUrl = new URL(pending.redirectUri);
    currentUrl.search = query;
    let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
    try {
      tokens = await client.authorizationCodeGrant(config, currentUrl,
        { pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce, idTokenExpected: true });
    } catch (err) {
      throw describeFailure(err);
    }
    const idClaims = tokens.claims();
    if (!idClaims) throw new SignInRefused('token_invalid', 'The identity provider sent no ID token. Tell your Trellis admin.', 'no id_token');
    const claims: Record<string, unknown> = { ...idClaims };
    const { emailClaim, groupsClaim } = this.settings;
    // Many providers put email and groups only in the userinfo answer (not in the ID token).
    if ((claims[emailClaim] === undefined || claims[groupsClaim] === undefined) && config.serverMetadata().userinfo_endpoint) {
      try {
        const info = await client.fetchUserInfo(config, tokens.access_token, idClaims.sub);
        for (const [k, v] of Object.entries(info)) if (claims[k] === undefined) claims[k] = v;
      } catch (err) {
        throw describeFailure(err);
      }
    }
    return {
      issuer: String(idClaims.iss),
      subject: idClaims.sub,
      email: claimText(claims[emailClaim]),
      emailVerified: typeof claims.email_verified === 'boolean' ? claims.email_verified : null,
      groups: groupsOf(claims[groupsClaim]),
      next: pending.next,
    };
  }

  private prune(): void {
    const cutoff = this.now().getTime() - PENDING_MS;
    for (const [key, p] of this.pending) if (p.at < cutoff) this.pending.delete(key);
    while (this.pending.size >= MAX_PENDING) this.pending.delete(this.pending.keys().next().value!);
  }
}
