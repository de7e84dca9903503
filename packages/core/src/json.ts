// Lossless JSON.
//
// Formance amounts are arbitrary-precision integers written as bare JSON number literals
// (e.g. 115792089237316195423570985008687907853269984665640564039457584007913129639935). JSON.parse
// rounds them to float64, revivers cannot see the source text on Node 20 and JSON.rawJSON does not
// exist there, and the Go servers reject amounts sent as strings or in exponent form. So:
//
// parseJSON
//   1. Fast path: an integer literal outside the safe range has at least 16 digits, so when the text
//      has no run of 16 digits (one native regex scan, ~0.15 ms per MB) plain JSON.parse is exact.
//   2. Otherwise a scan that tracks strings (a sticky regex that skips plain text, whole string
//      literals and short digit runs natively) finds the integer literals that are really unsafe:
//      16+ digits, not a fraction or exponent, outside strings, exactly compared with 2^53-1 when 16
//      digits long. None (e.g. the long digits were inside strings, or the number was safe) →
//      plain JSON.parse.
//   3. Else each such literal is wrapped into a string `"<M>digits"`, where the marker character M is
//      a private-use character verified absent from the text (neither raw nor as a \u escape), so
//      no parsed string can start with it except ours; JSON.parse; then an iterative walk turns the
//      marked strings back into bigints (stopping once all were found). The rewrite keeps token
//      boundaries and never touches object keys, so the text parses after wrapping iff it parsed
//      before.
//   4. If no marker is available (adversarial text), or to report an error, a small exact
//      recursive-descent parser is used. Every SyntaxError comes from it, so it always carries the
//      position (V8's own messages do not always).
//
// stringifyJSON
//   Plain JSON.stringify first (native speed). It throws a TypeError when it meets a bigint; then the
//   value is serialised again with a replacer that writes each bigint as a placeholder string
//   `"<P>digits"`, where P is a random token whose occurrence count in the output is checked to
//   equal the number of placeholders (so no user string can be mistaken for one), and the
//   placeholders are replaced by the bare digits. Consequence: when the value holds a bigint, getters
//   and toJSON methods run twice.
//
// No dependencies and no node: imports, so it runs in browsers and edge runtimes too.

// ---------------------------------------------------------------------------------------------
// parseJSON

/** Number.MAX_SAFE_INTEGER's digits: a 16-digit literal is unsafe iff it is greater (same length). */
const MAX_SAFE_DIGITS = "9007199254740991";
/** Any integer literal outside the safe range has at least 16 digits. Spelled out: V8 scans this
 * about 15x faster than the equivalent `\d{16}`. */
const LONG_DIGITS = /\d\d\d\d\d\d\d\d\d\d\d\d\d\d\d\d/;
/**
 * Skips, from `lastIndex`, what cannot hold an unsafe integer literal: text other than quotes and
 * digits, complete string literals, and digit runs shorter than 16. Stops at a long digit run, an
 * unterminated string or the end. Bounded repetition keeps the regex backtrack stack small on
 * huge inputs (the caller loops).
 */
const SKIP = /(?:[^"\d]+|"[^"\\]*(?:\\[\s\S][^"\\]*)*"|\d{1,15}(?!\d)){0,2048}/y;
const STRING_LITERAL = /"[^"\\]*(?:\\[\s\S][^"\\]*)*"/y;
const DIGIT_RUN = /\d+/y;

/**
 * Parses JSON text. Integer literals (no fraction, no exponent) outside
 * Number.MIN_SAFE_INTEGER..Number.MAX_SAFE_INTEGER become `bigint`; every other value is exactly
 * what JSON.parse gives. Throws SyntaxError (with the position) on invalid JSON.
 */
export function parseJSON(text: string): unknown {
  if (typeof text !== "string") text = String(text);
  if (!LONG_DIGITS.test(text)) return nativeParse(text);
  return losslessParse(text);
}

function nativeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    return reparseForError(text, error);
  }
}

/** JSON.parse failed: rethrow as a SyntaxError with the position (from the exact parser). */
function reparseForError(text: string, error: unknown): unknown {
  if (!(error instanceof SyntaxError)) throw error;
  // The exact parser agrees with JSON.parse on validity, so this throws; if it ever did not, its
  // result is still the exact answer.
  try {
    return exactParse(text);
  } catch (exact) {
    throw exact instanceof SyntaxError ? exact : error; // RangeError: nesting too deep for recursion
  }
}

function losslessParse(text: string): unknown {
  const found = findUnsafeIntegers(text);
  if (found.length === 0) return nativeParse(text);
  const marker = pickMarker(text);
  if (marker === "") return exactParse(text);

  // String concatenation (a rope, flattened once by JSON.parse) is much faster than Array#join here.
  let wrapped = "";
  let last = 0;
  for (let i = 0; i < found.length; i += 2) {
    const start = found[i]!;
    const end = found[i + 1]!;
    wrapped += `${text.slice(last, start)}"${marker}${text.slice(start, end)}"`;
    last = end;
  }
  wrapped += text.slice(last);
  let value: unknown;
  try {
    value = JSON.parse(wrapped);
  } catch (error) {
    return reparseForError(text, error);
  }
  return reviveMarked(value, marker.charCodeAt(0), found.length / 2);
}

/**
 * Returns [start, end, start, end, ...] of the integer literals outside strings whose value is
 * outside the safe range and that can be rewritten as a string without changing whether the text is
 * valid JSON (delimited by structural characters or whitespace, not an object key).
 */
function findUnsafeIntegers(text: string): number[] {
  const found: number[] = [];
  const length = text.length;
  let pos = 0;
  while (pos < length) {
    SKIP.lastIndex = pos;
    SKIP.test(text);
    pos = SKIP.lastIndex;
    if (pos >= length) break;
    const c = text.charCodeAt(pos);
    if (c === 34 /* " */) {
      STRING_LITERAL.lastIndex = pos;
      if (!STRING_LITERAL.test(text)) break; // unterminated string: invalid JSON, JSON.parse reports it
      pos = STRING_LITERAL.lastIndex;
      continue;
    }
    if (c < 48 || c > 57) continue; // the bounded SKIP stopped on plain text
    DIGIT_RUN.lastIndex = pos;
    DIGIT_RUN.test(text);
    const end = DIGIT_RUN.lastIndex;
    const digits = end - pos;
    let start = pos;
    pos = end;
    if (digits < 16 || text.charCodeAt(start) === 48 /* leading 0: invalid */) continue;
    if (digits === 16 && text.slice(start, end) <= MAX_SAFE_DIGITS) continue;
    if (text.charCodeAt(start - 1) === 45 /* - */) start--;
    if (start > 0 && !isValueStart(text.charCodeAt(start - 1))) continue; // fraction, exponent, junk
    if (end < length && !isValueEnd(text, end)) continue;
    found.push(start, end);
  }
  return found;
}

/** Characters that may precede a value token: whitespace, `[`, `,`, `:`. */
function isValueStart(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9 || c === 44 || c === 58 || c === 91;
}

/** After a value token: `,` `]` `}` or whitespace not followed by `:` (which would make it a key). */
function isValueEnd(text: string, end: number): boolean {
  let c = text.charCodeAt(end);
  if (c === 44 || c === 93 || c === 125) return true;
  if (!(c === 32 || c === 10 || c === 13 || c === 9)) return false; // `.`, `e`, `:`, junk
  do c = text.charCodeAt(++end);
  while (c === 32 || c === 10 || c === 13 || c === 9);
  return c !== 58;
}

/**
 * A private-use character that no string of the text can contain: absent raw and as a \u escape
 * (the escape check is conservative: `\\uE000` also disqualifies). "" when all candidates occur.
 */
function pickMarker(text: string): string {
  for (let code = 0xe000; code < 0xe010; code++) {
    const marker = String.fromCharCode(code);
    if (text.includes(marker)) continue;
    const hex = code.toString(16);
    if (text.includes("\\u") && new RegExp(`\\\\u${hex}`, "i").test(text)) continue;
    return marker;
  }
  return "";
}

/** Replaces, in place, the strings starting with the marker by bigints. Iterative: no depth limit. */
function reviveMarked(root: unknown, marker: number, count: number): unknown {
  if (typeof root === "string") return root.charCodeAt(0) === marker ? BigInt(root.slice(1)) : root;
  if (typeof root !== "object" || root === null) return root;
  const stack: object[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        const v: unknown = node[i];
        if (typeof v === "string") {
          if (v.charCodeAt(0) === marker) {
            node[i] = BigInt(v.slice(1));
            if (--count === 0) return root;
          }
        } else if (typeof v === "object" && v !== null) stack.push(v);
      }
    } else {
      const record = node as Record<string, unknown>;
      for (const key of Object.keys(record)) {
        const v = record[key];
        if (typeof v === "string") {
          if (v.charCodeAt(0) === marker) {
            record[key] = BigInt(v.slice(1));
            if (--count === 0) return root;
          }
        } else if (typeof v === "object" && v !== null) stack.push(v);
      }
    }
  }
  return root;
}

// ---------------------------------------------------------------------------------------------
// Exact recursive-descent parser: the reference for errors and the fallback when no marker is free.
// Same grammar as JSON.parse (ECMA-404): whitespace is space, tab, LF, CR only; no trailing commas,
// no leading zeros, no raw control characters in strings; lone surrogates allowed.

let src = "";
let at = 0;

function exactParse(text: string): unknown {
  src = text;
  at = 0;
  try {
    skipWhitespace();
    const value = parseValue();
    skipWhitespace();
    if (at < src.length) fail("Unexpected non-whitespace character after JSON");
    return value;
  } finally {
    src = "";
  }
}

function fail(message: string): never {
  let line = 1;
  let lineStart = 0;
  for (let i = src.indexOf("\n"); i !== -1 && i < at; i = src.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  throw new SyntaxError(`${message} in JSON at position ${at} (line ${line} column ${at - lineStart + 1})`);
}

function unexpected(): never {
  if (at >= src.length) fail("Unexpected end of JSON input");
  const c = src.codePointAt(at)!;
  fail(`Unexpected token '${c < 32 ? `\\u${c.toString(16).padStart(4, "0")}` : String.fromCodePoint(c)}'`);
}

function skipWhitespace(): void {
  let c = src.charCodeAt(at);
  while (c === 32 || c === 10 || c === 13 || c === 9) c = src.charCodeAt(++at);
}

function parseValue(): unknown {
  switch (src.charCodeAt(at)) {
    case 123 /* { */:
      return parseObject();
    case 91 /* [ */:
      return parseArray();
    case 34 /* " */:
      return parseString();
    case 116 /* t */:
      return parseLiteral("true", true);
    case 102 /* f */:
      return parseLiteral("false", false);
    case 110 /* n */:
      return parseLiteral("null", null);
    default:
      return parseNumber();
  }
}

function parseLiteral(word: string, value: boolean | null): boolean | null {
  for (let i = 0; i < word.length; i++, at++) if (src.charCodeAt(at) !== word.charCodeAt(i)) unexpected();
  return value;
}

function parseObject(): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  at++;
  skipWhitespace();
  if (src.charCodeAt(at) === 125 /* } */) {
    at++;
    return object;
  }
  for (;;) {
    if (src.charCodeAt(at) !== 34) unexpected();
    const key = parseString();
    skipWhitespace();
    if (src.charCodeAt(at) !== 58 /* : */) unexpected();
    at++;
    skipWhitespace();
    const value = parseValue();
    if (key === "__proto__") {
      // JSON.parse creates an own property, assignment would set the prototype.
      Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
    } else object[key] = value;
    skipWhitespace();
    const c = src.charCodeAt(at);
    at++;
    if (c === 125 /* } */) return object;
    if (c !== 44 /* , */) {
      at--;
      unexpected();
    }
    skipWhitespace();
  }
}

function parseArray(): unknown[] {
  const array: unknown[] = [];
  at++;
  skipWhitespace();
  if (src.charCodeAt(at) === 93 /* ] */) {
    at++;
    return array;
  }
  for (;;) {
    array.push(parseValue());
    skipWhitespace();
    const c = src.charCodeAt(at);
    at++;
    if (c === 93 /* ] */) return array;
    if (c !== 44 /* , */) {
      at--;
      unexpected();
    }
    skipWhitespace();
  }
}

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

function parseString(): string {
  at++;
  let out = "";
  let chunk = at;
  for (;;) {
    const c = src.charCodeAt(at);
    if (c === 34 /* " */) {
      const value = out + src.slice(chunk, at);
      at++;
      return value;
    }
    if (c === 92 /* \ */) {
      out += src.slice(chunk, at);
      const e = src.charAt(at + 1);
      if (e === "u") {
        const hex = src.slice(at + 2, at + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
          if (at + 6 > src.length && /^[0-9a-fA-F]*$/.test(hex)) {
            at = src.length;
            fail("Unterminated string");
          }
          fail("Bad Unicode escape");
        }
        out += String.fromCharCode(Number.parseInt(hex, 16));
        at += 6;
      } else {
        const replacement = ESCAPES[e];
        if (replacement === undefined) {
          at++;
          fail(at >= src.length ? "Unterminated string" : "Bad escaped character");
        }
        out += replacement;
        at += 2;
      }
      chunk = at;
      continue;
    }
    if (!(c >= 32)) {
      if (at >= src.length) fail("Unterminated string");
      fail("Bad control character in string literal");
    }
    at++;
  }
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function parseNumber(): number | bigint {
  const start = at;
  let c = src.charCodeAt(at);
  const negative = c === 45; /* - */
  if (negative) c = src.charCodeAt(++at);
  let value = 0; // the integer part, exact while it has at most 15 digits
  if (c === 48 /* 0 */) c = src.charCodeAt(++at);
  else if (c >= 49 && c <= 57) {
    do {
      value = value * 10 + (c - 48);
      c = src.charCodeAt(++at);
    } while (c >= 48 && c <= 57);
  } else if (negative) fail(at >= src.length ? "Unexpected end of JSON input" : "No number after minus sign");
  else unexpected();
  const digits = at - start - (negative ? 1 : 0);
  if (c === 46 /* . */ || c === 101 /* e */ || c === 69 /* E */) {
    if (c === 46) {
      c = src.charCodeAt(++at);
      if (!isDigit(c))
        fail(at >= src.length ? "Unexpected end of JSON input" : "Unterminated fractional number");
      do c = src.charCodeAt(++at);
      while (c >= 48 && c <= 57);
    }
    if (c === 101 || c === 69) {
      c = src.charCodeAt(++at);
      if (c === 43 /* + */ || c === 45 /* - */) c = src.charCodeAt(++at);
      if (!isDigit(c))
        fail(at >= src.length ? "Unexpected end of JSON input" : "Exponent part is missing a number");
      do c = src.charCodeAt(++at);
      while (c >= 48 && c <= 57);
    }
    return Number(src.slice(start, at));
  }
  if (digits < 16) return negative ? -value : value; // -0 stays -0, like JSON.parse
  const literal = src.slice(start, at);
  if (digits > 16 || literal.slice(negative ? 1 : 0) > MAX_SAFE_DIGITS) return BigInt(literal);
  return Number(literal);
}

// ---------------------------------------------------------------------------------------------
// stringifyJSON

/**
 * Like JSON.stringify(value) (toJSON honoured, Date → ISO string, undefined/functions dropped in
 * objects, null in arrays), but a `bigint` anywhere is written as a bare integer literal, never a
 * string, never exponent form. Returns undefined only when JSON.stringify would.
 *
 * When the value holds a bigint it is serialised twice, so getters and toJSON methods run twice.
 */
export function stringifyJSON(value: unknown): string {
  // Someone may have installed BigInt.prototype.toJSON (a common workaround): JSON.stringify would
  // then write what it returns (usually a string), so take the bigint-aware path directly.
  const patched = typeof (BigInt.prototype as { toJSON?: unknown }).toJSON === "function";
  if (!patched) {
    try {
      return JSON.stringify(value);
    } catch (error) {
      // A bigint ("Do not know how to serialize a BigInt"); any other TypeError (cycle, a throwing
      // toJSON) is thrown again by the second pass.
      if (!(error instanceof TypeError)) throw error;
    }
  }
  for (let attempt = 0; attempt < 8; attempt++) {
    const result = stringifyWithPlaceholders(value, patched);
    if (result !== null) return result;
  }
  throw new Error("stringifyJSON: could not find a placeholder absent from the output");
}

/** null when a user string collided with the placeholder token (then retry with another one). */
function stringifyWithPlaceholders(value: unknown, patched: boolean): string | null {
  const token = `__bigint${Math.random().toString(36).slice(2)}${Date.now().toString(36)}__`;
  let count = 0;
  const out: string | undefined = JSON.stringify(value, function (this: unknown, key: string, v: unknown) {
    if (typeof v === "bigint") {
      count++;
      return token + v.toString();
    }
    if (typeof v === "object" && v !== null && v instanceof BigInt) {
      count++; // boxed bigint, Object(1n)
      return token + v.valueOf().toString();
    }
    if (patched) {
      // The replacer sees BigInt.prototype.toJSON's result; look at the raw property.
      const raw = (this as Record<string, unknown>)[key];
      if (typeof raw === "bigint") {
        count++;
        return token + raw.toString();
      }
    }
    return v;
  });
  if (count === 0 || out === undefined) return out as string;
  let seen = 0;
  for (let i = out.indexOf(token); i !== -1; i = out.indexOf(token, i + token.length)) seen++;
  if (seen !== count) return null;
  return out.replace(new RegExp(`"${token}(-?\\d+)"`, "g"), "$1");
}

// ---------------------------------------------------------------------------------------------
// parseNDJSON

/**
 * Parses newline-delimited JSON (one JSON value per line, blank lines ignored) from a byte stream,
 * losslessly (see parseJSON), yielding each value as soon as its line is complete. Handles
 * multi-byte UTF-8 characters split across chunks, CRLF line endings and a last line without a
 * trailing newline. A SyntaxError names the line number. Stopping early cancels a ReadableStream.
 */
export async function* parseNDJSON(
  stream: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>,
): AsyncGenerator<unknown> {
  const decoder = new TextDecoder();
  let buffer = "";
  let line = 0;
  function* lines(final: boolean): Generator<unknown> {
    let start = 0;
    for (let nl = buffer.indexOf("\n"); nl !== -1; nl = buffer.indexOf("\n", start)) {
      const value = parseLine(buffer.slice(start, nl), ++line);
      start = nl + 1;
      if (value !== SKIPPED) yield value;
    }
    buffer = buffer.slice(start);
    if (final && buffer !== "") {
      const value = parseLine(buffer, ++line);
      buffer = "";
      if (value !== SKIPPED) yield value;
    }
  }
  for await (const chunk of chunks(stream)) {
    const text = decoder.decode(chunk, { stream: true });
    if (text === "") continue;
    const scanned = buffer.length;
    buffer += text;
    // Only look for a newline in the new text, so long lines split in many chunks stay linear.
    if (buffer.indexOf("\n", scanned) !== -1) yield* lines(false);
  }
  buffer += decoder.decode();
  yield* lines(true);
}

const SKIPPED = Symbol("blank line");
const BLANK = /^[ \t\r\n]*$/;

function parseLine(text: string, line: number): unknown {
  if (BLANK.test(text)) return SKIPPED;
  try {
    return parseJSON(text.endsWith("\r") ? text.slice(0, -1) : text);
  } catch (error) {
    if (error instanceof SyntaxError) throw new SyntaxError(`${error.message} (NDJSON line ${line})`);
    throw error;
  }
}

async function* chunks(
  stream: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>,
): AsyncGenerator<Uint8Array> {
  if (!("getReader" in stream)) {
    yield* stream;
    return;
  }
  // Not every runtime makes ReadableStream async-iterable (Safari), so read it by hand.
  const reader = stream.getReader();
  let done = false;
  try {
    for (;;) {
      const result = await reader.read();
      if (result.done) {
        done = true;
        return;
      }
      yield result.value;
    }
  } finally {
    if (!done) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}
