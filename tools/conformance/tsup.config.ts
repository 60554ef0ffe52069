import { defineConfig } from 'tsup';

// Loaded at run time only when used (client --drive ws02, robustness): never bundled.
const external = ['@ws02/client', '@ws02/server'];

export default defineConfig([
  {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'node20',
    external,
  },
  {
    // The `ws02-conformance` bin (package.json "bin": dist/cli.js) and the robustness server the
    // bin spawns in its own process (dist/robustness-server.js, found next to the bundle).
    entry: { cli: 'src/cli.ts', 'robustness-server': 'src/robustness/echo-server-main.ts' },
    format: ['esm'],
    sourcemap: true,
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
    external,
  },
]);
