/**
 * The one branded base error of every @ws02 package.
 *
 * Errors are data: each carries a stable string `code` (a literal union per package), the
 * specification and `section` (and step, where the specification numbers its steps) whose rule
 * was broken, a structured `detail` (facts such as sizes and limits, never a payload), and, for
 * a refused opening handshake, the `httpStatus` a server answers with. `reason` is the message
 * without its `[CODE; …]` suffix, for people: nothing needs to parse `message` back.
 *
 * `instanceof` works across duplicate installs of the packages (two copies of @ws02/errors in
 * one dependency tree): the brand is a registered symbol (`Symbol.for`) carrying the list of
 * error kinds in the class chain, and `Symbol.hasInstance` checks that brand instead of the
 * prototype.
 */
const BRAND: unique symbol = Symbol.for('@ws02/error') as never;

interface ErrorClassLike {
  readonly kind?: string;
}

/** Structured facts about a failure: numbers, names, codes. Never payload bytes or secrets. */
export type ErrorDetail = Readonly<Record<string, string | number | boolean | undefined>>;

export interface Ws02ErrorOptions {
  /** Step number within the section, where the specification numbers them (draft-02 5.1, 5.2). */
  readonly step?: number;
  readonly cause?: unknown;
  /** Structured facts (see {@link ErrorDetail}). */
  readonly detail?: ErrorDetail;
  /** For a refused opening handshake: the HTTP status a server answers with. */
  readonly httpStatus?: number;
  /** The specification `section` refers to; default `draft-02`. */
  readonly spec?: Spec;
}

/** The specifications ws02 implements. */
export type Spec = 'draft-02' | 'RFC 6455';

const NO_DETAIL: ErrorDetail = Object.freeze({});

export class Ws02Error<Code extends string = string> extends Error {
  /** Name used for `name` and for the brand; every subclass declares its own. */
  static readonly kind: string = 'Ws02Error';

  /** Stable, documented, machine-readable reason. */
  readonly code: Code;
  /** The section the rule comes from, e.g. `"3.3"` or `"5.1"`, in `spec`. */
  readonly section: string;
  /** Step number within the section, when the specification numbers its steps. */
  readonly step: number | undefined;
  /** Which specification `section` refers to. */
  readonly spec: Spec;
  /** The human explanation alone: `message` without the `[CODE; spec section]` suffix. */
  readonly reason: string;
  /** Structured facts about the failure. */
  readonly detail: ErrorDetail;
  /** For a refused opening handshake: the HTTP status a server answers with; else undefined. */
  readonly httpStatus: number | undefined;
  declare readonly [BRAND]: readonly string[];

  constructor(code: Code, section: string, reason: string, options: Ws02ErrorOptions = {}) {
    const spec = options.spec ?? 'draft-02';
    const where =
      options.step === undefined ? `section ${section}` : `section ${section} step ${options.step}`;
    super(
      `${reason} [${code}; ${spec} ${where}]`,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.code = code;
    this.section = section;
    this.step = options.step;
    this.spec = spec;
    this.reason = reason;
    this.detail = options.detail ?? NO_DETAIL;
    this.httpStatus = options.httpStatus;
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
