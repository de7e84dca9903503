// Lossless JSON: integer literals beyond 2^53 become (and are written from) bigints.
//
// Formance amounts are arbitrary-precision integers written as bare JSON numbers. JSON.parse rounds
// them to float64 and the Go servers reject amounts sent as strings or in exponent form. So:
// - parseJSON: an unsafe integer literal has at least 16 digits. Text without a run of 16 digits
//   (one native regex scan) goes to JSON.parse, which is exact for it. Other text goes through a
//   small exact parser that yields bigints for integer literals outside the safe range. It keeps its
//   own stack, so nesting depth is bounded by memory, as with JSON.parse.
// - stringifyJSON: JSON.stringify, and only when it meets a bigint, a second pass with a replacer.
//   Where the runtime has JSON.rawJSON (Node 22+, current browsers, Bun, Deno), the replacer returns
//   each bigint as a raw JSON literal. Elsewhere it writes a unique placeholder string, swapped for
//   the bare digits afterwards. Which of the two is decided once, when this module loads.
// No dependencies and no node: imports: it runs in browsers and edge runtimes too.

/** Spelled out: V8 scans this far faster than `\d{16}`. */
const LONG_DIGITS = /\d\d\d\d\d\d\d\d\d\d\d\d\d\d\d\d/;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
/** A number literal with neither fraction nor exponent. */
const INTEGER = /^-?\d+$/;
const WHITESPACE = /[ \t\n\r]*/y;
/** A string with no escape and no control character: the common case, taken in one native step. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: JSON strings may not hold raw control characters.
const PLAIN_STRING = /"[^"\\\u0000-\u001f]*"/y;
const ESCAPES: Record<string, string> = {
  '"': '"',
  "\\": "\\",
  "/": "/",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
};

type RawJSON = (text: string) => object;
const NativeJSON = JSON as typeof JSON & { rawJSON?: RawJSON };

/** True when JSON.stringify writes what JSON.rawJSON holds as a bare literal. */
function hasRawJSON(): boolean {
  try {
    return JSON.stringify([NativeJSON.rawJSON?.("9007199254740993")]) === "[9007199254740993]";
  } catch {
    return false;
  }
}

/** @internal How this runtime writes bigints: decided once, here. */
export const jsonImplementation: "native" | "fallback" = hasRawJSON() ? "native" : "fallback";

/**
 * Parses JSON text. Integer literals (no fraction, no exponent) outside the safe range become
 * `bigint`; every other value is what JSON.parse gives. Throws a SyntaxError with the position.
 * Nesting is only limited by memory, as with JSON.parse.
 *
 * The same on every runtime: a JSON.parse reviver reading `context.source` would be exact too, but
 * V8 calls a reviver for every value, which makes it about twice as slow as the parser below
 * (docs/BENCHMARKS.md, section 4).
 */
export function parseJSON(text: string): unknown {
  if (!LONG_DIGITS.test(text)) {
    try {
      return JSON.parse(text);
    } catch {
      // Fall through: the exact parser reports where the text is wrong.
    }
  }
  return new Parser(text).document();
}

type Container = unknown[] | Record<string, unknown>;

/**
 * The exact parser. It keeps open arrays and objects on its own stack rather than recursing, so that
 * depth is bounded by memory, not by the call stack.
 */
class Parser {
  i = 0;
  constructor(readonly text: string) {}

  document(): unknown {
    const value = this.value();
    this.space();
    if (this.i < this.text.length) this.fail();
    return value;
  }

  space(): void {
    const c = this.text.charCodeAt(this.i);
    if (c !== 32 && c !== 10 && c !== 13 && c !== 9) return;
    WHITESPACE.lastIndex = this.i;
    WHITESPACE.test(this.text);
    this.i = WHITESPACE.lastIndex;
  }

  fail(what?: string): never {
    const { text, i } = this;
    const before = text.slice(0, i).split("\n");
    const found = i < text.length ? `token ${JSON.stringify(text[i])}` : "end of JSON input";
    throw new SyntaxError(
      `${what ?? `Unexpected ${found}`} in JSON at position ${i} (line ${before.length} column ${before.at(-1)!.length + 1})`,
    );
  }

  expect(char: string): void {
    this.space();
    if (this.text[this.i] !== char) this.fail();
    this.i++;
  }

  /** Reads `"key" :` (after the `{` or `,` of an object). */
  key(): string {
    this.space();
    if (this.text[this.i] !== '"') this.fail();
    const key = this.string();
    this.expect(":");
    return key;
  }

  value(): unknown {
    const { text } = this;
    // The innermost open array or object and the key being read in it (null in an array); the
    // outer ones wait on `outer` as container/key pairs.
    let container: Container | undefined;
    let key: string | null = null;
    const outer: (Container | string | null)[] = [];
    for (;;) {
      // Read one value; an array or object that is not empty is opened and its first member read next.
      this.space();
      const c = text.charCodeAt(this.i);
      let value: unknown;
      if (c === 123 /* { */ || c === 91 /* [ */) {
        this.i++;
        this.space();
        if (text.charCodeAt(this.i) === c + 2 /* } or ] */) {
          this.i++;
          value = c === 123 ? {} : [];
        } else {
          if (container !== undefined) outer.push(container, key);
          container = c === 123 ? {} : [];
          key = c === 123 ? this.key() : null;
          continue;
        }
      } else value = this.scalar();
      // Add the value to the innermost open container; close those that end here.
      for (;;) {
        if (container === undefined) return value;
        if (key === null) (container as unknown[]).push(value);
        else if (key === "__proto__")
          Object.defineProperty(container, key, {
            value,
            enumerable: true,
            writable: true,
            configurable: true,
          });
        else (container as Record<string, unknown>)[key] = value;
        this.space();
        if (text.charCodeAt(this.i) === 44 /* , */) {
          this.i++;
          if (key !== null) key = this.key();
          break;
        }
        this.expect(key === null ? "]" : "}");
        value = container;
        key = outer.length ? (outer.pop() as string | null) : null;
        container = outer.pop() as Container | undefined;
      }
    }
  }

  scalar(): unknown {
    const { text, i } = this;
    const c = text[i];
    if (c === '"') return this.string();
    if (c === "t" || c === "f" || c === "n") {
      const word = c === "t" ? "true" : c === "f" ? "false" : "null";
      if (!text.startsWith(word, i)) this.fail();
      this.i += word.length;
      return c === "t" ? true : c === "f" ? false : null;
    }
    NUMBER.lastIndex = i;
    if (!NUMBER.test(text)) {
      if (c === "-") this.i++;
      this.fail();
    }
    const end = NUMBER.lastIndex;
    this.i = end;
    const next = text[end];
    if (next === "." || next === "e" || next === "E") {
      this.i++;
      this.fail();
    }
    const literal = text.slice(i, end);
    const number = Number(literal);
    return end - i < 16 || Number.isSafeInteger(number) || !INTEGER.test(literal) ? number : BigInt(literal);
  }

  string(): string {
    const { text } = this;
    PLAIN_STRING.lastIndex = this.i;
    if (PLAIN_STRING.test(text)) {
      const value = text.slice(this.i + 1, PLAIN_STRING.lastIndex - 1);
      this.i = PLAIN_STRING.lastIndex;
      return value;
    }
    let out = "";
    for (this.i++; ; ) {
      const c = text[this.i];
      if (c === undefined || c < " ") this.fail(c === undefined ? "Unterminated string" : undefined);
      this.i++;
      if (c === '"') return out;
      if (c !== "\\") {
        out += c;
        continue;
      }
      const e = text[this.i++];
      if (e === "u" && /^[0-9a-fA-F]{4}$/.test(text.slice(this.i, this.i + 4))) {
        out += String.fromCharCode(Number.parseInt(text.slice(this.i, this.i + 4), 16));
        this.i += 4;
      } else if (e !== undefined && ESCAPES[e] !== undefined) out += ESCAPES[e];
      else {
        this.i--;
        this.fail("Bad escaped character");
      }
    }
  }
}

/** The placeholder bigints are written as before the digits go in: random, made once, replaced on collision. */
function newPlaceholder(): { token: string; pattern: RegExp } {
  const token = `\u0001${Math.random().toString(36).slice(2)}:`;
  return { token, pattern: new RegExp(`"\\\\u0001${token.slice(1)}(\\d+)"`, "g") };
}
let placeholder = newPlaceholder();

/** @internal For tests: the token in use now. */
export function _placeholderToken(): string {
  return placeholder.token;
}

/**
 * Like JSON.stringify(value), but a bigint anywhere is written as a bare integer literal, never a
 * string and never in exponent form. When the value holds a bigint, getters and toJSON run twice.
 */
export const stringifyJSON: (value: unknown) => string =
  jsonImplementation === "native" ? stringifyNative : stringifyFallback;

const NEEDS_BIGINTS = Symbol("needs bigints");

/** JSON.stringify when the value holds no bigint (and no global BigInt.prototype.toJSON is set). */
function stringifyPlain(value: unknown): string | typeof NEEDS_BIGINTS {
  if ("toJSON" in BigInt.prototype) return NEEDS_BIGINTS;
  try {
    return JSON.stringify(value);
  } catch (error) {
    if (!(error instanceof TypeError) || !/BigInt/i.test(error.message)) throw error;
    return NEEDS_BIGINTS;
  }
}
/** The bigint a replacer call is writing, if any. */
function bigintAt(holder: Record<string, unknown>, key: string, value: unknown): bigint | undefined {
  // The holder's raw value: a global BigInt.prototype.toJSON must not turn amounts into strings.
  const raw = holder[key];
  return typeof raw === "bigint"
    ? raw
    : raw instanceof BigInt
      ? raw.valueOf()
      : typeof value === "bigint"
        ? value
        : undefined;
}

function stringifyNative(value: unknown): string {
  const plain = stringifyPlain(value);
  if (plain !== NEEDS_BIGINTS) return plain;
  return JSON.stringify(value, function (this: Record<string, unknown>, key, v) {
    const big = bigintAt(this, key, v);
    return big === undefined ? v : NativeJSON.rawJSON!(big.toString());
  });
}

function stringifyFallback(value: unknown): string {
  const plain = stringifyPlain(value);
  if (plain !== NEEDS_BIGINTS) return plain;
  for (;;) {
    const digits: string[] = [];
    const { token, pattern } = placeholder;
    const text = JSON.stringify(value, function (this: Record<string, unknown>, key, v) {
      const big = bigintAt(this, key, v);
      if (big === undefined) return v;
      digits.push(big.toString());
      return token + (digits.length - 1);
    });
    if (text === undefined) return text as unknown as string;
    // A user string can only collide by containing the random token: then pick another one.
    if (text.split(token.slice(1)).length - 1 !== digits.length) {
      placeholder = newPlaceholder();
      continue;
    }
    pattern.lastIndex = 0;
    return text.replace(pattern, (_, index: string) => digits[Number(index)]!);
  }
}

/** @internal For tests: both ways of writing bigints, whichever this runtime uses. */
export const _implementations = {
  native: { stringifyJSON: stringifyNative },
  fallback: { stringifyJSON: stringifyFallback },
};
