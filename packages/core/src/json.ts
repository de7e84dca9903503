// Lossless JSON: integer literals beyond 2^53 become (and are written from) bigints.
//
// Formance amounts are arbitrary-precision integers written as bare JSON numbers. JSON.parse rounds
// them to float64, Node 20 revivers cannot see the source text and has no JSON.rawJSON, and the Go
// servers reject amounts sent as strings or in exponent form. So:
// - parseJSON: an unsafe integer literal has at least 16 digits. Text without a run of 16 digits
//   (one native regex scan) goes to JSON.parse, which is exact for it. Other text goes through a
//   small exact parser that yields bigints for integer literals outside the safe range.
// - stringifyJSON: JSON.stringify, and only when it meets a bigint, a second pass that writes each
//   bigint as a unique placeholder string and then swaps the placeholders for the bare digits.
// No dependencies and no node: imports: it runs in browsers and edge runtimes too.

/** Spelled out: V8 scans this far faster than `\d{16}`. */
const LONG_DIGITS = /\d\d\d\d\d\d\d\d\d\d\d\d\d\d\d\d/;
const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
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

/**
 * Parses JSON text. Integer literals (no fraction, no exponent) outside the safe range become
 * `bigint`; every other value is what JSON.parse gives. Throws a SyntaxError with the position.
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

  value(): unknown {
    this.space();
    const { text } = this;
    const c = text[this.i];
    if (c === "{") {
      this.i++;
      const object: Record<string, unknown> = {};
      this.space();
      if (text[this.i] === "}") {
        this.i++;
        return object;
      }
      do {
        this.space();
        if (text[this.i] !== '"') this.fail();
        const key = this.string();
        this.expect(":");
        const value = this.value();
        if (key === "__proto__")
          Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
        else object[key] = value;
        this.space();
      } while (text[this.i] === "," && ++this.i);
      this.expect("}");
      return object;
    }
    if (c === "[") {
      this.i++;
      const array: unknown[] = [];
      this.space();
      if (text[this.i] === "]") {
        this.i++;
        return array;
      }
      for (;;) {
        array.push(this.value());
        this.space();
        if (text[this.i] !== ",") break;
        this.i++;
      }
      this.expect("]");
      return array;
    }
    if (c === '"') return this.string();
    if (c === "t" || c === "f" || c === "n") {
      const word = c === "t" ? "true" : c === "f" ? "false" : "null";
      if (!text.startsWith(word, this.i)) this.fail();
      this.i += word.length;
      return c === "t" ? true : c === "f" ? false : null;
    }
    NUMBER.lastIndex = this.i;
    const match = NUMBER.exec(text);
    if (!match) {
      if (c === "-") this.i++;
      this.fail();
    }
    this.i = NUMBER.lastIndex;
    if (text[this.i] === "." || text[this.i] === "e" || text[this.i] === "E") {
      this.i++;
      this.fail();
    }
    const literal = match[0];
    const number = Number(literal);
    return literal.length < 16 || match[1] || match[2] || Number.isSafeInteger(number)
      ? number
      : BigInt(literal);
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
export function stringifyJSON(value: unknown): string {
  if (!("toJSON" in BigInt.prototype)) {
    try {
      return JSON.stringify(value);
    } catch (error) {
      if (!(error instanceof TypeError) || !/BigInt/i.test(error.message)) throw error;
    }
  }
  for (;;) {
    const digits: string[] = [];
    const { token, pattern } = placeholder;
    const text = JSON.stringify(value, function (this: Record<string, unknown>, key, v) {
      // The holder's raw value: a global BigInt.prototype.toJSON must not turn amounts into strings.
      const raw = this[key];
      const big =
        typeof raw === "bigint"
          ? raw
          : raw instanceof BigInt
            ? raw.valueOf()
            : typeof v === "bigint"
              ? v
              : undefined;
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

/**
 * Parses newline-delimited JSON from a byte stream, losslessly, yielding each value as soon as its
 * line is complete. Blank lines are skipped; CRLF is accepted.
 */
export async function* parseNDJSON(
  stream: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>,
): AsyncGenerator<unknown> {
  const decoder = new TextDecoder();
  const reader = "getReader" in stream ? stream.getReader() : undefined;
  const iterator = reader ? undefined : (stream as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
  let buffer = "";
  let line = 0;
  const parseLine = (text: string) => {
    line++;
    try {
      return parseJSON(text);
    } catch (error) {
      throw new SyntaxError(`${(error as Error).message} (NDJSON line ${line})`);
    }
  };
  try {
    for (;;) {
      const { value, done } = reader ? await reader.read() : await iterator!.next();
      buffer += done ? decoder.decode() : decoder.decode(value, { stream: true });
      let newline: number;
      while ((newline = buffer.indexOf("\n")) >= 0) {
        const text = buffer.slice(0, newline).trim();
        buffer = buffer.slice(newline + 1);
        if (text) yield parseLine(text);
        else line++;
      }
      if (done) break;
    }
    if (buffer.trim()) yield parseLine(buffer.trim());
  } finally {
    if (reader) await reader.cancel().catch(() => {});
    else await iterator!.return?.();
  }
}
