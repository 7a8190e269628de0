import { defineConfig } from 'vitest/config';

// One test command for the whole repo (`npm test`). Tests sit beside the code they test.
export default defineConfig({
  test: {
    include: ['pipeline/**/*.test.ts', 'sql/**/*.test.ts', 'fixtures/**/*.test.ts', 'dashboard/**/*.test.ts', 'bench/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'dashboard/build/**', 'dashboard/.svelte-kit/**'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
    maxWorkers: 2,
    // expect.poll waits for the UI; 1 s (the default) is short on a loaded 2-core machine
    expect: { poll: { timeout: 15_000 } },
  },
});
