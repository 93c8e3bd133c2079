import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // System tests create network namespaces and daemons; running files in parallel on two
    // cores is fine, but each file owns its own namespaces (unique prefix per run).
    pool: 'forks',
    // The JSON report lets .ci/run print a plain 'N passed, N failed' line for the CI judge.
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
  },
});
