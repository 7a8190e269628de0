// The dependency tree must be honest for the Node versions package.json declares (issue 16, item 12):
// every installed package's `engines.node` must accept the lowest Node we claim to support, so
// `npm ci` on Node 20 prints no EBADENGINE warning.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import semver from 'semver';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
const lock = JSON.parse(readFileSync(new URL('../../package-lock.json', import.meta.url), 'utf8'));

describe('package engines', () => {
  const declared: string = pkg.engines.node;
  const lowest = semver.minVersion(declared)!.version;

  it('declares a Node range that includes the Node the tests run on', () => {
    expect(semver.satisfies(process.versions.node, declared)).toBe(true);
  });

  it.each([lowest, process.versions.node])('every locked package accepts Node %s', (node) => {
    const refusing = Object.entries<any>(lock.packages)
      .filter(([path, entry]) => path !== '' && !entry.optional && entry.engines?.node)
      .filter(([, entry]) => !semver.satisfies(node, entry.engines.node))
      .map(([path, entry]) => `${path}@${entry.version} wants node ${entry.engines.node}`);
    expect(refusing).toEqual([]);
  });
});
