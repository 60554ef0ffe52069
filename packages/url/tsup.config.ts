import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'es2022',
  },
  {
    // The CLI is Node-only and ESM; it imports the library build, not the sources.
    entry: ['src/cli.ts'],
    format: ['esm'],
    target: 'node20',
    external: ['./index.js'],
    banner: { js: '#!/usr/bin/env node' },
  },
]);
