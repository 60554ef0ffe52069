// Shared vitest settings for every package. Each package's vitest.config.ts picks one.
import { defineConfig } from 'vitest/config';

// Per-package JSON report, summed by scripts/test-summary.mjs into "N passed, M failed".
const RESULTS = '.vitest/results.json';

/**
 * Protocol cores (url, handshake, frame): every test runs twice, under Node and under the
 * edge-runtime environment (a non-Node JS runtime), proving the cores need nothing from Node.
 * Tests that are Node-only by nature (packaging, CLI) end in `.node.test.ts`.
 */
export function coreConfig() {
  return defineConfig({
    test: {
      reporters: ['default', ['json', { outputFile: RESULTS }]],
      projects: [
        {
          test: {
            name: 'node',
            environment: 'node',
            include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
            testTimeout: 120_000,
          },
        },
        {
          test: {
            name: 'edge',
            environment: 'edge-runtime',
            include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
            exclude: ['**/*.node.test.ts', '**/node_modules/**'],
            testTimeout: 120_000,
          },
        },
      ],
    },
  });
}

/** Node shells, apps and tools: Node only, real sockets. */
export function nodeConfig(timeout = 120_000) {
  return defineConfig({
    test: {
      reporters: ['default', ['json', { outputFile: RESULTS }]],
      include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
      testTimeout: timeout,
      hookTimeout: timeout,
    },
  });
}
