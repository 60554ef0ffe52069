import { defineConfig } from 'tsup';

export default defineConfig({
  // `offload-worker` is the module apps load into their pool (`offloadWorkerUrl`); it is built
  // next to the index bundles so the URL resolves from both the ESM and the CJS build.
  entry: ['src/index.ts', 'src/offload-worker.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  // `import.meta.url` (offloadWorkerUrl) in the CJS build.
  shims: true,
});
