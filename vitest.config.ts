import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // *.test.ts: unit and integration; *.spec.ts: real-browser tests (test/e2e).
    include: ['test/**/*.test.ts', 'test/**/*.spec.ts'],
    testTimeout: 60_000,
    pool: 'forks',
    // In CI also write a JSON summary, which .ci/run turns into one plain "N passed, N failed" line.
    reporters: process.env.CI ? ['default', ['json', { outputFile: '.ci-results.json' }]] : ['default'],
  },
});
