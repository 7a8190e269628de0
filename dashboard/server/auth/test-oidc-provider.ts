// A real OpenID provider for tests (oidc-provider, in process, on a random loopback port), with accounts
// whose emails the test chooses, and a client that signs in through its own login form over HTTP.
// `tamper` re-signs the next ID token the token endpoint hands out with changed claims (a wrong audience,
// an expiry in the past), as a misbehaving or malicious provider would, with the provider's own key.
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export interface TestAccount {
  /** What is typed into the provider's login form (also the `sub`). */
  login: string;
  email: string;
  groups?: string[];
  name?: string;
  emailVerified?: boolean;
}

export interface TestProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Change the claims of the next ID token issued (once). */
  tamper(fn: (claims: Record<string, unknown>) => Record<string, unknown>): void;
  close(): Promise<void>;
}

export const TEST_CLIENT_ID = 'trellis-test';
export const TEST_CLIENT_SECRET = 'trellis-test-secret-0123456789abcdef';

/**
 * Start the provider. `redirectUris` are the client's registered callbacks; a function is read at the
 * provider's first request, so Trellis may start (and learn its port) after the provider's issuer is known.
 */
export async function startTestProvider(accounts: TestAccount[], redirectUris: string[] | (() => string[])): Promise<TestProvider> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'test-key', alg: 'RS256', use: 'sig' };

  const make = () => new Provider(issuer, {
    clients: [{
      client_id: TEST_CLIENT_ID, client_secret: TEST_CLIENT_SECRET, redirect_uris: typeof redirectUris === 'function' ? redirectUris() : redirectUris,
      response_types: ['code'], grant_types: ['authorization_code'], token_endpoint_auth_method: 'client_secret_basic',
    }],
    jwks: { keys: [jwk] },
    cookies: { keys: ['test-cookie-key-0123456789'] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'groups'] },
    pkce: { required: () => true },
    features: { devInteractions: { enabled: true } },
    async findAccount(_ctx: unknown, id: string) {
      const account = accounts.find((a) => a.login === id); // read at sign-in: a test may add accounts later
      if (!account) return undefined;
      return {
        accountId: id,
        async claims() {
          return { sub: id, email: account.email, email_verified: account.emailVerified ?? true, name: account.name ?? id, groups: account.groups ?? [] };
        },
      };
    },
  });

  let pending: ((claims: Record<string, unknown>) => Record<string, unknown>) | null = null;
  const tamperer = async (ctx: { path: string; status: number; body: unknown }, next: () => Promise<void>) => {
    await next();
    if (!pending || ctx.path !== '/token' || ctx.status !== 200) return;
    const body = ctx.body as Record<string, unknown>;
    if (typeof body?.id_token !== 'string') return;
    const change = pending;
    pending = null;
    const claims = change(JSON.parse(Buffer.from(body.id_token.split('.')[1], 'base64url').toString('utf8')));
    ctx.body = { ...body, id_token: signJwt(claims, privateKey) };
  };

  let handler: ((req: http.IncomingMessage, res: http.ServerResponse) => void) | null = null;
  server.on('request', (req, res) => {
    if (!handler) {
      const provider = make();
      provider.use(tamperer);
      handler = provider.callback();
    }
    handler!(req, res);
  });
  return {
    issuer, clientId: TEST_CLIENT_ID, clientSecret: TEST_CLIENT_SECRET,
    tamper(fn) { pending = fn; },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** An RS256 JWT signed with the provider's key (kid test-key). */
function signJwt(claims: Record<string, unknown>, key: KeyObject): string {
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const input = `${part({ alg: 'RS256', typ: 'JWT', kid: 'test-key' })}.${part(claims)}`;
  return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
}

/** A tiny cookie jar for fetch with manual redirects. */
export class CookieJar {
  private cookies = new Map<string, Map<string, string>>();
  store(url: string, res: Response): void {
    const host = new URL(url).host;
    const jar = this.cookies.get(host) ?? new Map<string, string>();
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (/max-age=0|expires=Thu, 01 Jan 1970/i.test(line) || value === '') jar.delete(name);
      else jar.set(name, value);
    }
    this.cookies.set(host, jar);
  }
  header(url: string): string {
    const jar = this.cookies.get(new URL(url).host);
    return jar ? [...jar].map(([k, v]) => `${k}=${v}`).join('; ') : '';
  }
  get(url: string, name: string): string | undefined {
    return this.cookies.get(new URL(url).host)?.get(name);
  }
}

/**
 * Follow redirects (sending and keeping cookies) from `url` until a response is not a redirect, or the
 * next location starts with `stopAt` (returned unfollowed).
 */
export async function follow(jar: CookieJar, url: string, opts: { stopAt?: string; method?: string; body?: URLSearchParams } = {}):
  Promise<{ url: string; res: Response | null }> {
  let current = url;
  let method = opts.method ?? 'GET';
  let body: URLSearchParams | undefined = opts.body;
  for (let hops = 0; hops < 20; hops++) {
    if (opts.stopAt && current.startsWith(opts.stopAt) && hops > 0) return { url: current, res: null };
    const res = await fetch(current, { method, body, redirect: 'manual', headers: { cookie: jar.header(current) } });
    jar.store(current, res);
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      current = new URL(location, current).href;
      method = 'GET';
      body = undefined;
      continue;
    }
    return { url: current, res };
  }
  throw new Error(`too many redirects from ${url}`);
}

/**
 * Sign in at the provider from an authorization URL: its login form (any password), then its consent
 * form; returns the callback URL the provider redirects to (not followed).
 */
export async function signInAtProvider(jar: CookieJar, authorizationUrl: string, login: string, callbackPrefix: string): Promise<string> {
  let step = await follow(jar, authorizationUrl, { stopAt: callbackPrefix });
  for (let i = 0; i < 4 && step.res; i++) {
    const html = await step.res.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    const prompt = /name="prompt" value="([^"]+)"/.exec(html)?.[1];
    if (!action || !prompt) throw new Error(`the provider answered ${step.res.status} without a form: ${html.slice(0, 300)}`);
    const form = new URLSearchParams({ prompt });
    if (prompt === 'login') { form.set('login', login); form.set('password', 'any-password'); }
    step = await follow(jar, new URL(action.replace(/&amp;/g, '&'), step.url).href, { method: 'POST', body: form, stopAt: callbackPrefix });
  }
  if (step.res) throw new Error(`the provider did not redirect back: ${step.res.status}`);
  return step.url;
}
