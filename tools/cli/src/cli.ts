import { createProgram } from './program.js';

// The `ws02` bin. stdout/stderr writes to pipes and files are synchronous on Linux, so exiting
// right after the last line loses nothing; the explicit exit ends a prompt still reading stdin.
const { run } = createProgram();
const code = await run(process.argv);
process.exitCode = code;
process.stdout.write('', () => process.exit(code));
