import { styleText } from 'node:util';

type Style = Parameters<typeof styleText>[0];

/** What the CLI prints where: messages on stdout, everything else (status, trace) on stderr. */
export interface OutputOptions {
  /** `--no-color` sets it false; colour also needs a TTY and no NO_COLOR. */
  readonly color: boolean;
  readonly timestamps: boolean;
}

export interface Output {
  /** A received (or, for `listen`, relayed) message line, to stdout. */
  message(text: string): void;
  /** Status lines (connected, pong, closed…), to stderr. */
  status(text: string): void;
  /** Errors, to stderr. */
  error(text: string): void;
  /** Frame trace lines, to stderr. */
  trace(text: string): void;
  /** Runs before each write (the interactive prompt clears its line) and after (redraw). */
  around?: { before(): void; after(): void };
}

function colorEnabled(stream: NodeJS.WriteStream, wanted: boolean): boolean {
  if (!wanted) return false;
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  if (process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true;
}

function stamp(): string {
  return `[${new Date().toISOString().slice(11, 23)}] `;
}

export function createOutput(options: OutputOptions): Output {
  const outColor = colorEnabled(process.stdout, options.color);
  const errColor = colorEnabled(process.stderr, options.color);
  // The decision is ours (TTY, --no-color, NO_COLOR, FORCE_COLOR): styleText must not check the
  // stream again — it would drop colour whenever a CI variable is set, even on a real terminal.
  const paint = (on: boolean, style: Style, text: string) =>
    on ? styleText(style, text, { validateStream: false }) : text;
  const output: Output = {
    message(text) {
      write(process.stdout, paint(outColor, 'green', text));
    },
    status(text) {
      write(process.stderr, paint(errColor, 'gray', text));
    },
    error(text) {
      write(process.stderr, paint(errColor, 'red', text));
    },
    trace(text) {
      write(process.stderr, paint(errColor, 'magenta', text));
    },
  };
  function write(stream: NodeJS.WriteStream, text: string): void {
    output.around?.before();
    stream.write(`${options.timestamps ? stamp() : ''}${text}\n`);
    output.around?.after();
  }
  return output;
}
