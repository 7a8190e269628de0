// Host names and proxy addresses as the server compares them: one normal form for a `Host` header and
// for the names an admin configures (`allowedHosts`), and the check of a `trustProxy` entry.
import { isIP } from 'node:net';

const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const NAME = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`);

/**
 * The host name of `value` ("Host" header or configured name) lower-cased, without port or trailing
 * dot, IPv6 in brackets (`[::1]`); null when it is not a host name. `localhost:3000` → `localhost`,
 * `[::1]:3000` and `::1` → `[::1]`.
 */
export function hostName(value: string): string | null {
  const v = value.trim().toLowerCase();
  const bracketed = /^\[([0-9a-f:.]+)\](?::\d{1,5})?$/.exec(v);
  if (bracketed) return isIP(bracketed[1]) === 6 ? `[${bracketed[1]}]` : null;
  if (isIP(v) === 6) return `[${v}]`;
  const plain = /^([^:]+?)\.?(?::\d{1,5})?$/.exec(v);
  return plain && plain[1].length <= 253 && NAME.test(plain[1]) ? plain[1] : null;
}

/** Named address ranges proxy-addr (Fastify's trustProxy) understands. */
const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** True for an address, a CIDR range (`10.0.0.0/8`, `fd00::/8`) or one of loopback, linklocal, uniquelocal. */
export function isProxyAddress(value: string): boolean {
  if (PROXY_NAMES.has(value)) return true;
  const [address, bits, extra] = value.split('/');
  const family = isIP(address);
  if (!family || extra !== undefined) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}
