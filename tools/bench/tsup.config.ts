import { defineConfig } from 'tsup';

export default defineConfig([
  {
    // The library: ESM + CJS (import.meta.url shimmed in CJS to find the worker).
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    clean: false,
    sourcemap: true,
    shims: true,
    target: 'node20',
  },
  {
    // The bin and the child-process entry, ESM.
    entry: ['src/cli.ts', 'src/worker.ts'],
    format: ['esm'],
    sourcemap: true,
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
  },
]);
