import { defineConfig } from 'vitest/config';

// Workspace packages export a `source` condition pointing at their TypeScript sources, so tests
// never need a prior build.
// No `module` or `import` here: Vitest passes these to Node as --conditions, and Node ≥ 20.19
// (require of ES modules) would then make CommonJS packages (pg → pg-pool) require() an ES build.
const conditions = ['source', 'node', 'default'];
const externalConditions = conditions;

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions } },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: [
            'packages/{protocol,sdk,server}/src/**/*.test.ts',
            'tests/integration/**/*.test.ts',
          ],
          environment: 'node',
          testTimeout: 20_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 90_000,
          hookTimeout: 90_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
