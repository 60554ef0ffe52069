import { defineConfig } from 'tsup';

export default defineConfig([
  {
    // The library, ESM + CJS (import.meta.url shimmed in CJS to find the leader).
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    shims: true,
    target: 'node20',
  },
  {
    // The group leader program spawnInGroup starts (dist/group-leader.js).
    entry: ['src/group-leader.ts'],
    format: ['esm'],
    sourcemap: true,
    target: 'node20',
  },
]);
