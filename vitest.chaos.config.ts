import { defineConfig } from 'vitest/config';

// `npm run test:chaos`: the slow reliability tests (crash, concurrency under load, memory, the bad-input
// corpus through whole runs). Separate from `npm test`; CI runs both. One file at a time: they start
// child processes and measure memory.
export default defineConfig({
  test: {
    include: ['pipeline/src/reliability/**/*.chaos.ts'],
    exclude: ['**/node_modules/**'],
    testTimeout: 240_000,
    hookTimeout: 240_000,
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
  },
});
