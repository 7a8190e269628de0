import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, effectiveAsOf, isIsoDate, loadConfig, mappingsDirFor } from './config.ts';

const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-config-'));

describe('loadConfig', () => {
  it('uses the defaults with no env and no file', () => {
    const c = loadConfig({ env: {}, cwd });
    expect(c).toMatchObject({
      db: path.join(cwd, 'data/trellis.duckdb'), inbox: path.join(cwd, 'data/inbox'), schedule: '0 2 * * *',
      port: 3000, asOf: null, adminPassword: null, configFile: null, mappingsDir: path.join(cwd, 'data/mappings'),
      allowedHosts: [], trustProxy: false, mappingMaxChars: 10_000, mappingTimeoutSeconds: 60, memoryLimitMb: null,
    });
  });

  it('puts the mappings folder beside the inbox unless TRELLIS_MAPPINGS says where', () => {
    expect(loadConfig({ env: { TRELLIS_INBOX: 'drops/in' }, cwd }).mappingsDir).toBe(path.join(cwd, 'drops/mappings'));
    expect(loadConfig({ env: { TRELLIS_INBOX: 'drops/in', TRELLIS_MAPPINGS: 'conf/maps' }, cwd }).mappingsDir).toBe(path.join(cwd, 'conf/maps'));
  });

  it('gives a run on another inbox the mappings folder beside that inbox, unless one was set', () => {
    const other = path.join(cwd, 'elsewhere', 'in');
    expect(mappingsDirFor(loadConfig({ env: {}, cwd }), other)).toBe(path.join(cwd, 'elsewhere', 'mappings'));
    // set to the default's own path, it is still set: it does not follow the inbox
    expect(mappingsDirFor(loadConfig({ env: { TRELLIS_MAPPINGS: 'data/mappings' }, cwd }), other)).toBe(path.join(cwd, 'data', 'mappings'));
  });

  it('reads env vars and resolves paths against cwd', () => {
    const c = loadConfig({ env: { TRELLIS_DB: 'x/y.duckdb', TRELLIS_PORT: '8080', TRELLIS_AS_OF: '2026-03-31', TRELLIS_MAX_REJECTS: '5' }, cwd });
    expect(c.db).toBe(path.join(cwd, 'x/y.duckdb'));
    expect(c.port).toBe(8080);
    expect(c.asOf).toBe('2026-03-31');
    expect(c.maxRejectsPerFile).toBe(5);
  });

  it('reads the memory limit as whole MiB', () => {
    expect(loadConfig({ env: { TRELLIS_MEMORY_LIMIT_MB: '4096' }, cwd }).memoryLimitMb).toBe(4096);
  });

  it.each([
    ['TRELLIS_PORT', '70000', /TRELLIS_PORT.*port number/],
    ['TRELLIS_PORT', 'abc', /TRELLIS_PORT/],
    ['TRELLIS_AS_OF', '2026-02-30', /TRELLIS_AS_OF.*YYYY-MM-DD/],
    ['TRELLIS_SCHEDULE', 'every day', /TRELLIS_SCHEDULE.*cron/],
    ['TRELLIS_MAX_REJECTS', '-1', /TRELLIS_MAX_REJECTS/],
    ['TRELLIS_MAPPING_TIMEOUT', '0', /TRELLIS_MAPPING_TIMEOUT.*> 0/],
    ['TRELLIS_UPLOAD_LIMIT_MB', '0', /TRELLIS_UPLOAD_LIMIT_MB.*> 0/],
    ['TRELLIS_MEMORY_LIMIT_MB', '8GB', /TRELLIS_MEMORY_LIMIT_MB.*whole number of MiB, at least 256/],
    ['TRELLIS_MEMORY_LIMIT_MB', '100', /TRELLIS_MEMORY_LIMIT_MB.*at least 256/],
  ])('rejects %s=%s', (name, value, message) => {
    expect(() => loadConfig({ env: { [name]: value }, cwd })).toThrow(message);
    expect(() => loadConfig({ env: { [name]: value }, cwd })).toThrow(ConfigError);
  });

  it('reads allowed host names: comma-separated in env, a list in the file, lower-cased, without port, IPv6 in brackets', () => {
    expect(loadConfig({ env: { TRELLIS_ALLOWED_HOSTS: 'Trellis.Example.com, 10.0.0.5:3000,::1' }, cwd }).allowedHosts)
      .toEqual(['trellis.example.com', '10.0.0.5', '[::1]']);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-config-'));
    const file = path.join(dir, 'trellis.config.json');
    fs.writeFileSync(file, JSON.stringify({ allowedHosts: ['hr.example.org', 'trellis.lan.'] }));
    expect(loadConfig({ env: {}, cwd: dir }).allowedHosts).toEqual(['hr.example.org', 'trellis.lan']);
    fs.writeFileSync(file, JSON.stringify({ allowedHosts: ['https://hr.example.org/'] }));
    expect(() => loadConfig({ env: {}, cwd: dir })).toThrow(/"allowedHosts": .* is not a list of host names .*"https:\/\/hr\.example\.org\/" is not a host name/);
    fs.writeFileSync(file, JSON.stringify({ allowedHosts: [1] }));
    expect(() => loadConfig({ env: {}, cwd: dir })).toThrow(/"allowedHosts": \[1\] is not a list of strings/);
    expect(() => loadConfig({ env: { TRELLIS_ALLOWED_HOSTS: 'ok.example,bad host' }, cwd }))
      .toThrow(/environment variable TRELLIS_ALLOWED_HOSTS: .*"bad host" is not a host name/);
  });

  it('reads trustProxy: off by default, true, or a list of addresses and CIDR ranges', () => {
    expect(loadConfig({ env: { TRELLIS_TRUST_PROXY: 'true' }, cwd }).trustProxy).toBe(true);
    expect(loadConfig({ env: { TRELLIS_TRUST_PROXY: 'false' }, cwd }).trustProxy).toBe(false);
    expect(loadConfig({ env: { TRELLIS_TRUST_PROXY: '127.0.0.1, 10.0.0.0/8,fd00::/8,loopback' }, cwd }).trustProxy)
      .toEqual(['127.0.0.1', '10.0.0.0/8', 'fd00::/8', 'loopback']);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-config-'));
    const file = path.join(dir, 'trellis.config.json');
    fs.writeFileSync(file, JSON.stringify({ trustProxy: ['192.168.1.10'] }));
    expect(loadConfig({ env: {}, cwd: dir }).trustProxy).toEqual(['192.168.1.10']);
    fs.writeFileSync(file, JSON.stringify({ trustProxy: true }));
    expect(loadConfig({ env: {}, cwd: dir }).trustProxy).toBe(true);
    expect(() => loadConfig({ env: { TRELLIS_TRUST_PROXY: 'yes' }, cwd }))
      .toThrow(/TRELLIS_TRUST_PROXY: "yes" is not true, false or a list of proxy addresses or CIDR ranges/);
    expect(() => loadConfig({ env: { TRELLIS_TRUST_PROXY: '10.0.0.0/33' }, cwd })).toThrow(/"10\.0\.0\.0\/33" is not one/);
  });

  it('reads trellis.config.json, env overriding it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-config-'));
    fs.writeFileSync(path.join(dir, 'trellis.config.json'), JSON.stringify({ port: 4000, schedule: '*/5 * * * *' }));
    const c = loadConfig({ env: { TRELLIS_PORT: '4001' }, cwd: dir });
    expect(c.port).toBe(4001);
    expect(c.schedule).toBe('*/5 * * * *');
    expect(c.configFile).toBe(path.join(dir, 'trellis.config.json'));
  });

  it('names unknown keys and bad values of the config file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-config-'));
    const file = path.join(dir, 'trellis.config.json');
    fs.writeFileSync(file, JSON.stringify({ prot: 1 }));
    expect(() => loadConfig({ env: {}, cwd: dir })).toThrow(/unknown setting "prot"/);
    fs.writeFileSync(file, JSON.stringify({ asOf: 'yesterday' }));
    expect(() => loadConfig({ env: {}, cwd: dir })).toThrow(/"asOf": "yesterday" is not an existing date/);
    fs.writeFileSync(file, '{ nope');
    expect(() => loadConfig({ env: {}, cwd: dir })).toThrow(/not valid JSON/);
  });
});

describe('dates', () => {
  it.each([['2026-02-28', true], ['2024-02-29', true], ['2026-02-29', false], ['2026-1-01', false]])('isIsoDate(%s) = %s', (v, ok) => {
    expect(isIsoDate(v)).toBe(ok);
  });
  it('effectiveAsOf prefers the pinned date, else the given clock', () => {
    expect(effectiveAsOf({ asOf: '2025-01-01' }, new Date('2026-05-05T10:00:00Z'))).toBe('2025-01-01');
    expect(effectiveAsOf({ asOf: null }, new Date('2026-05-05T10:00:00Z'))).toBe('2026-05-05');
  });
});

describe('single sign-on settings (oidc, localLogin)', () => {
  const withFile = (settings: unknown) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-config-'));
    fs.writeFileSync(path.join(dir, 'trellis.config.json'), JSON.stringify(settings));
    return dir;
  };

  it('is off by default, with local sign-in on', () => {
    const c = loadConfig({ env: {}, cwd });
    expect(c.oidc).toBeNull();
    expect(c.localLogin).toBe(true);
  });

  it('reads the oidc block with its defaults, and TRELLIS_OIDC_* wins field by field', () => {
    const dir = withFile({
      oidc: { issuer: 'https://login.example.com/realms/staff', clientId: 'trellis', name: 'Example SSO', groupRoles: { admin: 'trellis-admins', leader: ['hr-leads', 'execs'] } },
      localLogin: false,
    });
    const c = loadConfig({ env: { TRELLIS_OIDC_CLIENT_SECRET: 's3cret', TRELLIS_OIDC_CLIENT_ID: 'trellis-prod' }, cwd: dir });
    expect(c.localLogin).toBe(false);
    expect(c.oidc).toEqual({
      issuer: 'https://login.example.com/realms/staff', clientId: 'trellis-prod', clientSecret: 's3cret', redirectUrl: null,
      name: 'Example SSO', scopes: 'openid email profile', emailClaim: 'email', groupsClaim: 'groups',
      groupRoles: { admin: ['trellis-admins'], leader: ['hr-leads', 'execs'] },
    });
    expect(loadConfig({ env: { TRELLIS_OIDC_ISSUER: 'http://127.0.0.1:9999', TRELLIS_OIDC_CLIENT_ID: 'x' }, cwd }).oidc?.issuer)
      .toBe('http://127.0.0.1:9999');
  });

  it.each([
    [{ oidc: { clientId: 'x' } }, {}, /oidc.clientId set but no issuer/],
    [{ oidc: { issuer: 'https://idp.example.com' } }, {}, /no client id/],
    [{ oidc: { issuer: 'http://idp.example.com', clientId: 'x' } }, {}, /must be an https:\/\/ URL/],
    [{ oidc: { issuer: 'not a url', clientId: 'x' } }, {}, /"oidc.issuer": "not a url" is not a URL/],
    [{ oidc: { issuer: 'https://idp.example.com', clientId: 'x', groupRoles: { manager: ['m'] } } }, {}, /raise a role to admin or leader only/],
    [{ oidc: { issuer: 'https://idp.example.com', clientId: 'x', claims: {} } }, {}, /unknown setting "oidc.claims"/],
    [{ localLogin: false }, {}, /localLogin is false but single sign-on is not configured/],
    [{ localLogin: 'no' }, {}, /"localLogin": "no" is not true or false/],
    [{}, { TRELLIS_LOCAL_LOGIN: 'nope' }, /TRELLIS_LOCAL_LOGIN: "nope" is not true or false/],
  ])('refuses %j %j', (settings, env, message) => {
    expect(() => loadConfig({ env, cwd: withFile(settings) })).toThrow(message);
  });
});

describe('riskWeights and backtestHorizonMonths', () => {
  const spec = { no_path: 25, plan_only: 10, stalled: 20, low_pulse: 15, pulse_drop: 15, checkins_lapsed: 10, no_career_talk: 10, high_performer_off_path: 10 };
  it("default to the spec's points and 6 months", () => {
    const c = loadConfig({ env: {}, cwd });
    expect(c.riskWeights).toEqual(spec);
    expect(c.backtestHorizonMonths).toBe(6);
  });
  it('take a partial object in the file and factor=points (or JSON) in the environment; env wins', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-config-'));
    fs.writeFileSync(path.join(dir, 'trellis.config.json'), JSON.stringify({ riskWeights: { no_path: 30 }, backtestHorizonMonths: 12 }));
    expect(loadConfig({ env: {}, cwd: dir })).toMatchObject({ riskWeights: { ...spec, no_path: 30 }, backtestHorizonMonths: 12 });
    expect(loadConfig({ env: { TRELLIS_RISK_WEIGHTS: 'stalled=0, low_pulse=30' }, cwd: dir }).riskWeights)
      .toEqual({ ...spec, stalled: 0, low_pulse: 30 });
    expect(loadConfig({ env: { TRELLIS_RISK_WEIGHTS: '{"plan_only": 12}', TRELLIS_BACKTEST_HORIZON_MONTHS: '3' }, cwd }))
      .toMatchObject({ riskWeights: { ...spec, plan_only: 12 }, backtestHorizonMonths: 3 });
  });
  it.each([
    ['TRELLIS_RISK_WEIGHTS', 'tenure=5', /TRELLIS_RISK_WEIGHTS.*unknown factor "tenure"/],
    ['TRELLIS_RISK_WEIGHTS', 'no_path=2.5', /no_path.*whole number of points from 0 to 100/],
    ['TRELLIS_RISK_WEIGHTS', 'no_path=101', /whole number of points/],
    ['TRELLIS_RISK_WEIGHTS', 'no_path', /"no_path" is not factor=points/],
    ['TRELLIS_BACKTEST_HORIZON_MONTHS', '0', /TRELLIS_BACKTEST_HORIZON_MONTHS.*1 to 60/],
  ])('rejects %s=%s', (name, value, message) => {
    expect(() => loadConfig({ env: { [name]: value }, cwd })).toThrow(message);
  });
});
