import { createProgram } from './program.js';

// The ws02-conformance bin: every command is in program.ts; exit codes 0 (no FAILED),
// 1 (some FAILED), 2 (usage or tool error).
createProgram()
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    process.stderr.write(`ws02-conformance: ${(error as Error).message}\n`);
    process.exitCode = 2;
  });
