import { styleText } from 'node:util';
import type { Verdict } from './verdict.js';

type Style = Parameters<typeof styleText>[0];

const VERDICT_STYLE: Readonly<Record<Verdict, Style>> = {
  OK: 'green',
  'NON-STRICT': 'yellow',
  INFORMATIONAL: 'cyan',
  UNIMPLEMENTED: 'gray',
  FAILED: 'red',
};

/** Console output with colour only when wanted (NO_COLOR, --no-color, non-TTY turn it off). */
export class Output {
  readonly color: boolean;
  readonly #out: NodeJS.WritableStream;
  readonly #err: NodeJS.WritableStream;

  constructor(
    options: { color?: boolean; out?: NodeJS.WritableStream; err?: NodeJS.WritableStream } = {},
  ) {
    this.#out = options.out ?? process.stdout;
    this.#err = options.err ?? process.stderr;
    const tty = (this.#out as { isTTY?: boolean }).isTTY === true;
    this.color = options.color !== false && tty && process.env.NO_COLOR === undefined;
  }

  line(text = ''): void {
    this.#out.write(`${text}\n`);
  }

  error(text: string): void {
    this.#err.write(`${this.color ? styleText('red', text) : text}\n`);
  }

  verdict(verdict: Verdict): string {
    const padded = verdict.padEnd(13);
    return this.color ? styleText(VERDICT_STYLE[verdict], padded) : padded;
  }

  dim(text: string): string {
    return this.color ? styleText('dim', text) : text;
  }
}
