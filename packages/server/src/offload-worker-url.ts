/**
 * File URL of the offload worker module (`dist/offload-worker.js`, ESM), for the application's
 * pool: `new Piscina({ filename: offloadWorkerUrl })`. It sits next to the bundle that defines
 * this constant, for the ESM and the CJS build alike (tsup shims `import.meta.url` in CJS). Run
 * from the TypeScript sources (tests, tsx), it points at the built worker in `dist/`.
 */
export const offloadWorkerUrl: string = new URL(
  import.meta.url.endsWith('.ts') ? '../dist/offload-worker.js' : './offload-worker.js',
  import.meta.url,
).href;
