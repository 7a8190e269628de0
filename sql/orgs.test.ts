// Hand-made orgs (fixtures/orgs/<name>/) against their hand-worked expected marts: every model is built
// and tested by the real runner, then each expected/<mart>.csv is compared row by row.
import { afterAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { ORGS_DIR, buildOrg, compareMart, type Built } from './tests/harness.ts';

const orgs = fs.readdirSync(ORGS_DIR, { withFileTypes: true })
  .filter((e) => e.isDirectory() && fs.existsSync(path.join(ORGS_DIR, e.name, 'expected')))
  .map((e) => e.name)
  .sort();

describe.each(orgs)('org %s', (org) => {
  const dir = path.join(ORGS_DIR, org);
  const asOf = fs.readFileSync(path.join(dir, 'as_of.txt'), 'utf8').trim();
  const marts = fs.readdirSync(path.join(dir, 'expected')).filter((f) => f.endsWith('.csv')).sort();
  let built: Built | undefined;
  const ready = () => (built ??= buildOrg(dir, asOf));

  afterAll(async () => { if (built) (await built).db.close(); });

  it('builds every model and passes every .yml test', async () => {
    const { tests, rejects } = await ready();
    expect(tests).toBeGreaterThan(0);
    expect(rejects).toEqual([]);
  });

  it.each(marts)('%s matches the hand-worked rows', async (file) => {
    const { conn } = await ready();
    const problems = await compareMart(conn, file.replace(/\.csv$/, ''), path.join(dir, 'expected', file));
    expect(problems).toEqual([]);
  });
});
