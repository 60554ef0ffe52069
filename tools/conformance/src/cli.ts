import { CommanderError } from 'commander';
import { createProgram, EXIT } from './program.js';

// The ws02-conformance bin: every command is in program.ts. Exit codes: 0 no case FAILED,
// 1 some case FAILED, 2 usage or tool error (bad option, unreachable target).
createProgram()
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    if (error instanceof CommanderError) {
      // Commander printed the message (or the help/version text) already.
      process.exitCode = error.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
      return;
    }
    process.stderr.write(`ws02-conformance: ${(error as Error).message}\n`);
    process.exitCode = EXIT.USAGE;
  });
