// The one configuration of a Trellis process, parsed once at start from an optional
// `trellis.config.json` and the TRELLIS_* environment variables (env wins). Every value is checked
// here, so the rest of the code can trust it; a bad value stops the start with a message that names
// where it came from and what is expected.
import fs from 'node:fs';
import path from 'node:path';
import { validate as validateCron } from 'node-cron';
import { hostName, isProxyAddress } from './host-names.ts';
import { OIDC_ENV_NAMES, parseOidc, type OidcConfig } from './config-oidc.ts';

export type { OidcConfig } from './config-oidc.ts';
import { DEFAULT_BACKTEST_HORIZON_MONTHS, DEFAULT_RISK_WEIGHTS, parseRiskWeights, type RiskWeights } from './model-settings.ts';

export interface Config {
  /** DuckDB file. */
  db: string;
  /** Folder the pipeline reads new CSV/Parquet drops from. */
  inbox: string;
  /** Column mappings (YAML, docs/mappings.md) applied to inbox files whose name matches; default `<inbox>/../mappings`. */
  mappingsDir: string;
  /** True when TRELLIS_MAPPINGS or `mappingsDir` set the folder; else it follows the inbox (`mappingsDirFor`). */
  mappingsDirSet: boolean;
  /** Cron expression of the scheduled run (node-cron syntax, 5 or 6 fields). */
  schedule: string;
  port: number;
  host: string;
  /** Pinned as-of date (YYYY-MM-DD); null = the day the run starts. */
  asOf: string | null;
  /** Rejected rows a file may have before it is refused whole. */
  maxRejectsPerFile: number;
  /** Month-ends before as_of the history tables hold (docs/marts.md "History"); 0 = as_of only. */
  historyMonths: number;
  /** The longest text a mapping expression's repeat, lpad, rpad, replace or regexp_replace may build. */
  mappingMaxChars: number;
  /** Seconds the mapping expressions of one file may take. */
  mappingTimeoutSeconds: number;
  uploadLimitMb: number;
  /** DuckDB's memory limit in MiB; null = half the machine's memory, at most 8 GiB (db.ts defaultMemoryLimitMb). */
  memoryLimitMb: number | null;
  /** Seconds a client has to send a whole request; uploads get more (dashboard/server/plugins/timeouts.ts). */
  requestTimeoutS: number;
  /** Password of the first admin user, created on start when no user exists; null = none. */
  adminPassword: string | null;
  /** Host names the server answers to besides localhost, 127.0.0.1, [::1] and `host` (normal form of host-names.ts). */
  allowedHosts: string[];
  /** Whose X-Forwarded-For to believe: nobody (false), every peer (true), or these addresses/CIDRs. */
  trustProxy: boolean | string[];
  /** Single sign-on through OpenID Connect (`oidc` block, TRELLIS_OIDC_*; config-oidc.ts); null = off. */
  oidc: OidcConfig | null;
  /** Whether username/password sign-in is offered (false needs `oidc`). */
  localLogin: boolean;
  /** Points of each retention-risk factor (model-settings.ts); factors not given keep the spec's points. */
  riskWeights: RiskWeights;
  /** Months after a history date in which an exit counts for the risk backtest (history.md; default 6). */
  backtestHorizonMonths: number;
  /** The config file that was read, if any. */
  configFile: string | null;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Kind = 'path' | 'cron' | 'port' | 'text' | 'date' | 'count' | 'positive' | 'hosts' | 'proxies' | 'bool' | 'weights' | 'months' | 'memory';
type Value = string | number | boolean | string[] | null | RiskWeights;

/** Each setting: its config-file key, its env var, its kind and its default. */
const FIELDS: { key: Exclude<keyof Config, 'configFile' | 'mappingsDirSet' | 'oidc'>; env: string; kind: Kind; default: Value }[] = [
  { key: 'db', env: 'TRELLIS_DB', kind: 'path', default: 'data/trellis.duckdb' },
  { key: 'inbox', env: 'TRELLIS_INBOX', kind: 'path', default: 'data/inbox' },
  // null: `mappings` beside the inbox (resolved after the inbox is known)
  { key: 'mappingsDir', env: 'TRELLIS_MAPPINGS', kind: 'path', default: null },
  { key: 'schedule', env: 'TRELLIS_SCHEDULE', kind: 'cron', default: '0 2 * * *' },
  { key: 'port', env: 'TRELLIS_PORT', kind: 'port', default: 3000 },
  { key: 'host', env: 'TRELLIS_HOST', kind: 'text', default: '127.0.0.1' },
  { key: 'asOf', env: 'TRELLIS_AS_OF', kind: 'date', default: null },
  { key: 'maxRejectsPerFile', env: 'TRELLIS_MAX_REJECTS', kind: 'count', default: 10_000 },
  { key: 'historyMonths', env: 'TRELLIS_HISTORY_MONTHS', kind: 'count', default: 24 },
  { key: 'mappingMaxChars', env: 'TRELLIS_MAPPING_MAX_CHARS', kind: 'count', default: 10_000 },
  { key: 'mappingTimeoutSeconds', env: 'TRELLIS_MAPPING_TIMEOUT', kind: 'positive', default: 60 },
  { key: 'uploadLimitMb', env: 'TRELLIS_UPLOAD_LIMIT_MB', kind: 'positive', default: 50 },
  { key: 'memoryLimitMb', env: 'TRELLIS_MEMORY_LIMIT_MB', kind: 'memory', default: null },
  { key: 'requestTimeoutS', env: 'TRELLIS_REQUEST_TIMEOUT_S', kind: 'positive', default: 30 },
  { key: 'adminPassword', env: 'TRELLIS_ADMIN_PASSWORD', kind: 'text', default: null },
  { key: 'allowedHosts', env: 'TRELLIS_ALLOWED_HOSTS', kind: 'hosts', default: [] },
  { key: 'trustProxy', env: 'TRELLIS_TRUST_PROXY', kind: 'proxies', default: false },
  { key: 'localLogin', env: 'TRELLIS_LOCAL_LOGIN', kind: 'bool', default: true },
  { key: 'riskWeights', env: 'TRELLIS_RISK_WEIGHTS', kind: 'weights', default: DEFAULT_RISK_WEIGHTS },
  { key: 'backtestHorizonMonths', env: 'TRELLIS_BACKTEST_HORIZON_MONTHS', kind: 'months', default: DEFAULT_BACKTEST_HORIZON_MONTHS },
];

export const CONFIG_FILE = 'trellis.config.json';

/** Every environment variable a Trellis process reads its configuration from (`trellis --help` lists them). */
export const CONFIG_ENV_NAMES: readonly string[] = ['TRELLIS_CONFIG', ...FIELDS.map((f) => f.env), ...OIDC_ENV_NAMES];

/** True for an existing calendar date written YYYY-MM-DD. */
export function isIsoDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

/** A list: comma-separated in the environment, a JSON array of strings in the config file. */
function list(raw: unknown, fail: (expected: string) => never): string[] {
  if (typeof raw === 'string') return raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (Array.isArray(raw) && raw.every((s) => typeof s === 'string')) return raw.map((s) => s.trim());
  return fail('a list of strings');
}

function check(kind: Kind, raw: unknown, where: string): Value {
  const fail = (expected: string): never => {
    throw new ConfigError(`${where}: ${JSON.stringify(raw)} is not ${expected}`);
  };
  if (kind === 'hosts') {
    return list(raw, fail).map((h) => hostName(h)
      ?? fail(`a list of host names (e.g. "trellis.example.com,10.0.0.5"; "${h}" is not a host name)`));
  }
  if (kind === 'weights') {
    try {
      return parseRiskWeights(raw);
    } catch (err) {
      return fail(`retention-risk points (${(err as Error).message}; e.g. {"no_path": 30} or "no_path=30,stalled=25")`);
    }
  }
  if (kind === 'proxies') {
    if (raw === true || raw === 'true') return true;
    if (raw === false || raw === 'false') return false;
    const proxies = list(raw, fail);
    const bad = proxies.find((p) => !isProxyAddress(p));
    return bad === undefined ? proxies
      : fail(`true, false or a list of proxy addresses or CIDR ranges (e.g. "127.0.0.1,10.0.0.0/8"; "${bad}" is not one)`);
  }
  if (kind === 'bool') {
    if (raw === true || raw === 'true') return true;
    if (raw === false || raw === 'false') return false;
    return fail('true or false');
  }
  const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : fail('a string or number');
  switch (kind) {
    case 'path':
    case 'text':
      return text === '' ? fail('a non-empty value') : text;
    case 'cron':
      return validateCron(text) ? text : fail('a valid cron expression (e.g. "0 2 * * *" = every day at 02:00)');
    case 'date':
      return isIsoDate(text) ? text : fail('an existing date written YYYY-MM-DD');
    case 'port': {
      const n = /^\d+$/.test(text) ? Number(text) : NaN;
      return n >= 1 && n <= 65535 ? n : fail('a port number between 1 and 65535');
    }
    case 'count': {
      const n = /^\d+$/.test(text) ? Number(text) : NaN;
      return Number.isSafeInteger(n) ? n : fail('a whole number ≥ 0');
    }
    case 'months': {
      const n = /^\d+$/.test(text) ? Number(text) : NaN;
      return n >= 1 && n <= 60 ? n : fail('a whole number of months from 1 to 60');
    }
    case 'memory': {
      const n = /^\d+$/.test(text) ? Number(text) : NaN;
      return n >= 256 && Number.isSafeInteger(n) ? n : fail('a whole number of MiB, at least 256 (e.g. 8192 for 8 GiB)');
    }
    case 'positive': {
      const n = /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
      return n > 0 ? n : fail('a number > 0');
    }
  }
}

export interface LoadConfigOptions {
  env?: Record<string, string | undefined>;
  /** Folder that relative paths and the config file are resolved against. */
  cwd?: string;
  /** Explicit config file (else `TRELLIS_CONFIG`, else `trellis.config.json` in cwd when present). */
  file?: string;
}

/** Parse the configuration. Pure: reads only the given env, cwd and config file. */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const explicit = options.file ?? env.TRELLIS_CONFIG;
  const file = explicit ? path.resolve(cwd, explicit) : path.join(cwd, CONFIG_FILE);
  let fromFile: Record<string, unknown> = {};
  let configFile: string | null = null;
  if (fs.existsSync(file)) {
    configFile = file;
    let parsed: unknown;
    try {
      parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (err) {
      throw new ConfigError(`${file}: not valid JSON (${(err as Error).message})`);
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new ConfigError(`${file}: expected a JSON object of settings`);
    }
    fromFile = parsed as Record<string, unknown>;
    const known = new Set([...FIELDS.map((f) => f.key as string), 'oidc']);
    const unknown = Object.keys(fromFile).filter((k) => !known.has(k));
    if (unknown.length) {
      throw new ConfigError(`${file}: unknown setting ${unknown.map((k) => `"${k}"`).join(', ')}; known: ${[...known].join(', ')}`);
    }
  } else if (explicit) {
    throw new ConfigError(`config file ${file} does not exist`);
  }

  const out: Record<string, unknown> = { configFile };
  for (const f of FIELDS) {
    const envValue = env[f.env];
    let value: Value = f.default;
    if (envValue !== undefined && envValue.trim() !== '') value = check(f.kind, envValue, `environment variable ${f.env}`);
    else if (fromFile[f.key] !== undefined && fromFile[f.key] !== null) value = check(f.kind, fromFile[f.key], `${file}: "${f.key}"`);
    if (f.kind === 'path' && typeof value === 'string') value = path.resolve(cwd, value);
    out[f.key] = value;
  }
  out.oidc = parseOidc(fromFile.oidc, env, file);
  if (out.localLogin === false && !out.oidc) {
    throw new ConfigError('localLogin is false but single sign-on is not configured (oidc.issuer): nobody could sign in');
  }
  out.mappingsDirSet = out.mappingsDir !== null;
  out.mappingsDir ??= defaultMappingsDir(out.inbox as string);
  return out as unknown as Config;
}

/** The default mappings folder of an inbox: `mappings` beside it. */
export function defaultMappingsDir(inbox: string): string {
  return path.join(path.dirname(path.resolve(inbox)), 'mappings');
}

/**
 * The mappings folder of a run on `inbox`: the configured one when TRELLIS_MAPPINGS / `mappingsDir` set it,
 * else `mappings` beside that inbox (so `trellis run --inbox DIR` reads DIR/../mappings).
 */
export function mappingsDirFor(config: Pick<Config, 'mappingsDir' | 'mappingsDirSet'>, inbox: string): string {
  return config.mappingsDirSet ? config.mappingsDir : defaultMappingsDir(inbox);
}

/** The as-of date of a run started now: the pinned one, else today's date (UTC) from the given clock. */
export function effectiveAsOf(config: Pick<Config, 'asOf'>, now: Date = new Date()): string {
  return config.asOf ?? now.toISOString().slice(0, 10);
}
