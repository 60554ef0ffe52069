/**
 * The one branded base error of every @ws02 package.
 *
 * Errors are data: each carries a stable string `code` (a literal union per package) and the
 * draft-02 `section` (and step, where the draft numbers its steps) whose rule was broken; the
 * section is also part of the message.
 *
 * `instanceof` works across duplicate installs of the packages (two copies of @ws02/url in one
 * dependency tree): the brand is a registered symbol (`Symbol.for`) carrying the list of error
 * kinds in the class chain, and `Symbol.hasInstance` checks that brand instead of the prototype.
 */
const BRAND: unique symbol = Symbol.for('@ws02/error') as never;

interface ErrorClassLike {
  readonly kind?: string;
}

export interface Ws02ErrorOptions {
  /** Draft-02 step number within the section, where the draft numbers them (5.1, 5.2). */
  readonly step?: number;
  readonly cause?: unknown;
}

export class Ws02Error<Code extends string = string> extends Error {
  /** Name used for `name` and for the brand; every subclass declares its own. */
  static readonly kind: string = 'Ws02Error';

  /** Stable, documented, machine-readable reason. */
  readonly code: Code;
  /** Draft-02 section the rule comes from, e.g. `"3.3"` or `"5.1"`. */
  readonly section: string;
  /** Step number within the section, when the draft numbers its steps. */
  readonly step: number | undefined;
  declare readonly [BRAND]: readonly string[];

  constructor(code: Code, section: string, message: string, options: Ws02ErrorOptions = {}) {
    const where =
      options.step === undefined ? `section ${section}` : `section ${section} step ${options.step}`;
    super(
      `${message} [${code}; draft-02 ${where}]`,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.code = code;
    this.section = section;
    this.step = options.step;
    const kinds: string[] = [];
    for (
      let c: unknown = new.target;
      typeof c === 'function' && c !== Error;
      c = Object.getPrototypeOf(c)
    ) {
      if (Object.hasOwn(c, 'kind')) kinds.push((c as ErrorClassLike).kind as string);
    }
    Object.defineProperty(this, BRAND, { value: Object.freeze(kinds), enumerable: false });
    this.name = kinds[0] ?? 'Ws02Error';
  }
}

// Brand check instead of prototype identity, so `instanceof` holds across duplicate installs.
// Defined as a plain function (not a static method) so that `this` is whichever subclass is on
// the right of `instanceof`: compilers may rewrite `this` in static methods to the class name.
Object.defineProperty(Ws02Error, Symbol.hasInstance, {
  value: function hasInstance(this: ErrorClassLike, value: unknown): boolean {
    if (typeof value !== 'object' || value === null) return false;
    const kinds = (value as { [BRAND]?: unknown })[BRAND];
    return Array.isArray(kinds) && kinds.includes(this.kind);
  },
});

/** True for any @ws02 error (any package, any installed copy); optionally with a given code. */
export function isWs02Error(value: unknown, code?: string): value is Ws02Error {
  return value instanceof Ws02Error && (code === undefined || value.code === code);
}
