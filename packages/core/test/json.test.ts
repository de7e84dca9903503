import { afterEach, describe, expect, it, vi } from "vitest";
import * as json from "../src/json";
import { _implementations, _placeholderToken, jsonImplementation, parseJSON } from "../src/json";
import { parseNDJSON } from "../src/ndjson";

// Expectations are computed independently of the implementation: BigInt of literal digits, powers
// of two with bigint arithmetic, and JSON.parse / JSON.stringify for everything that is not an
// unsafe integer.

const TWO_53 = 2n ** 53n;
const TWO_64 = 2n ** 64n;
const TWO_256_MINUS_1 = 2n ** 256n - 1n;
const TWO_64_TEXT = "18446744073709551616";
const TWO_256_MINUS_1_TEXT = "115792089237316195423570985008687907853269984665640564039457584007913129639935";

describe("parseJSON: integers", () => {
  it("keeps safe integers as numbers, like JSON.parse", () => {
    for (const text of ["0", "7", "-7", "100", "123456789012345", "1000000000000000", "9007199254740991"]) {
      expect(parseJSON(text)).toBe(JSON.parse(text));
      expect(typeof parseJSON(text)).toBe("number");
    }
    expect(parseJSON("9007199254740991")).toBe(Number.MAX_SAFE_INTEGER);
    expect(parseJSON("-9007199254740991")).toBe(Number.MIN_SAFE_INTEGER);
  });

  it("keeps -0 exactly as JSON.parse does, on the fast and the slow path", () => {
    expect(Object.is(JSON.parse("-0"), -0)).toBe(true);
    expect(Object.is(parseJSON("-0"), -0)).toBe(true);
    const slow = parseJSON(`[-0, 0, ${TWO_64_TEXT}]`) as unknown[];
    expect(Object.is(slow[0], -0)).toBe(true);
    expect(Object.is(slow[1], 0)).toBe(true);
    expect(slow[2]).toBe(TWO_64);
  });

  it("turns integers just outside the safe range into bigints", () => {
    expect(parseJSON("9007199254740992")).toBe(TWO_53);
    expect(parseJSON("9007199254740993")).toBe(TWO_53 + 1n);
    expect(parseJSON("-9007199254740992")).toBe(-TWO_53);
    expect(parseJSON("-9007199254740993")).toBe(-(TWO_53 + 1n));
    expect(parseJSON("9999999999999999")).toBe(BigInt("9999999999999999"));
    expect(parseJSON("[9007199254740991,9007199254740992]")).toEqual([Number.MAX_SAFE_INTEGER, TWO_53]);
  });

  it("parses 2^64, 2^256-1 and negatives exactly", () => {
    expect(parseJSON(TWO_64_TEXT)).toBe(TWO_64);
    expect(parseJSON(`-${TWO_64_TEXT}`)).toBe(-TWO_64);
    expect(parseJSON(TWO_256_MINUS_1_TEXT)).toBe(TWO_256_MINUS_1);
    expect(parseJSON(`-${TWO_256_MINUS_1_TEXT}`)).toBe(-TWO_256_MINUS_1);
    expect(parseJSON("18446744073709551615")).toBe(TWO_64 - 1n);
  });

  it("finds big integers inside nested arrays, objects and map values", () => {
    const text = `{"a":[1,[2,[${TWO_64_TEXT},-${TWO_64_TEXT}]]],"volumes":{"world":{"USD/2":{"input":0,"output":${TWO_256_MINUS_1_TEXT},"balance":-${TWO_256_MINUS_1_TEXT}}},"users:1":{"COIN":{"input":9007199254740993,"output":5,"balance":9007199254740988}}},"n":null,"t":true,"f":false}`;
    expect(parseJSON(text)).toEqual({
      a: [1, [2, [TWO_64, -TWO_64]]],
      volumes: {
        world: { "USD/2": { input: 0, output: TWO_256_MINUS_1, balance: -TWO_256_MINUS_1 } },
        "users:1": { COIN: { input: TWO_53 + 1n, output: 5, balance: 9007199254740988 } },
      },
      n: null,
      t: true,
      f: false,
    });
  });

  it("handles a big integer as the top-level value and as first/last elements", () => {
    expect(parseJSON(`[${TWO_64_TEXT}]`)).toEqual([TWO_64]);
    expect(parseJSON(`[${TWO_64_TEXT},1,${TWO_64_TEXT}]`)).toEqual([TWO_64, 1, TWO_64]);
    expect(parseJSON(`{"a":${TWO_64_TEXT}}`)).toEqual({ a: TWO_64 });
    expect(parseJSON(` \n${TWO_64_TEXT}\n `)).toBe(TWO_64);
  });

  it("gives fractions and exponents exactly what JSON.parse gives, even with many digits", () => {
    const texts = [
      "1.5",
      "-1.5",
      "1e21",
      "1E21",
      "1E+400",
      "-1e+400",
      "1e-400",
      "0.1",
      "12345678901234567890.5",
      "12345678901234567890e0",
      "12345678901234567890E+2",
      "1.2345678901234567890123e5",
      "1e12345678901234567",
      "1e-12345678901234567",
      "-0.0",
      "0e0",
      "9007199254740993.0",
    ];
    for (const text of texts) {
      const expected = JSON.parse(text) as number;
      const got = parseJSON(text);
      expect(typeof got, text).toBe("number");
      expect(Object.is(got, expected), text).toBe(true);
      // Also next to a big integer, i.e. on the slow path.
      const slow = parseJSON(`[${text},${TWO_64_TEXT}]`) as unknown[];
      expect(Object.is(slow[0], expected), text).toBe(true);
      expect(slow[1]).toBe(TWO_64);
    }
    expect(parseJSON("1E+400")).toBe(Number.POSITIVE_INFINITY);
  });
});

describe("parseJSON: strings", () => {
  it("leaves digits inside strings untouched, including 30 digits", () => {
    const digits30 = "123456789012345678901234567890";
    expect(parseJSON(`"${digits30}"`)).toBe(digits30);
    expect(parseJSON(`{"id":"${digits30}","n":1}`)).toEqual({ id: digits30, n: 1 });
    // Same, with a real big integer next to it.
    expect(parseJSON(`{"id":"${digits30}","amount":${digits30}}`)).toEqual({
      id: digits30,
      amount: BigInt(digits30),
    });
    // Digits in keys.
    expect(parseJSON(`{"${digits30}":${digits30}}`)).toEqual({ [digits30]: BigInt(digits30) });
    // Number-looking strings with signs, fractions, exponents.
    const strings = [`-${digits30}`, `${digits30}.5`, `1e${digits30}`, ` ${digits30} `, `x${digits30}`];
    expect(parseJSON(JSON.stringify(strings))).toEqual(strings);
  });

  it("tracks string boundaries across escaped quotes and backslashes before a big number", () => {
    // JSON text: {"a":"x\"y\\","b":18446744073709551616,"c":"\\\"12345678901234567890\"","d":"\\"}
    const text = String.raw`{"a":"x\"y\\","b":18446744073709551616,"c":"\\\"12345678901234567890\"","d":"\\"}`;
    expect(parseJSON(text)).toEqual({ a: 'x"y\\', b: TWO_64, c: '\\"12345678901234567890"', d: "\\" });
    const text2 = String.raw`["\\", 18446744073709551616, "\"", 18446744073709551617, "say \"12345678901234567890\" \\", 1]`;
    expect(parseJSON(text2)).toEqual(["\\", TWO_64, '"', TWO_64 + 1n, 'say "12345678901234567890" \\', 1]);
  });

  it("decodes unicode: raw, escaped, surrogate pairs, lone surrogates", () => {
    const text = String.raw`{"€":"日本 😀 \u00e9\ud83d\ude00\ud800","n":18446744073709551616,"ü":["\u20ac",-18446744073709551616]}`;
    expect(parseJSON(text)).toEqual({
      "€": "日本 😀 é😀\ud800",
      n: TWO_64,
      ü: ["€", -TWO_64],
    });
    expect(parseJSON(text)).toEqual(
      JSON.parse(text.replace(TWO_64_TEXT, "1").replace(`-${TWO_64_TEXT}`, "-1"), (_k, v) =>
        v === 1 ? TWO_64 : v === -1 ? -TWO_64 : v,
      ),
    );
  });

  it("never confuses a user string with its internal marker", () => {
    // Strings that start with private-use characters (raw and escaped) followed by digits.
    const userStrings = Array.from(
      { length: 16 },
      (_, i) => `${String.fromCharCode(0xe000 + i)}${TWO_64_TEXT}`,
    );
    const raw = `[${userStrings.map((s) => `"${s}"`).join(",")},${TWO_64_TEXT}]`;
    expect(parseJSON(raw)).toEqual([...userStrings, TWO_64]);
    const escaped = String.raw`["\ue000${TWO_64_TEXT}","\uE001${TWO_64_TEXT}",${TWO_64_TEXT}]`;
    expect(parseJSON(escaped)).toEqual([userStrings[0], userStrings[1], TWO_64]);
    const one = `["\ue000${TWO_64_TEXT}",${TWO_64_TEXT},{"\ue000${TWO_64_TEXT}":"\ue000${TWO_64_TEXT}"}]`;
    expect(parseJSON(one)).toEqual([userStrings[0], TWO_64, { [userStrings[0]!]: userStrings[0] }]);
  });

  it("keeps __proto__ as an own property like JSON.parse", () => {
    for (const extra of ["", String.fromCharCode(...Array.from({ length: 16 }, (_, i) => 0xe000 + i))]) {
      const text = `{"__proto__":{"x":${TWO_64_TEXT}},"s":"${extra}"}`;
      const value = parseJSON(text) as Record<string, unknown>;
      expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
      expect(Object.hasOwn(value, "__proto__")).toBe(true);
      expect(Object.getOwnPropertyDescriptor(value, "__proto__")?.value).toEqual({ x: TWO_64 });
    }
  });
});

describe("parseJSON: whitespace, size and depth", () => {
  it("accepts JSON whitespace everywhere", () => {
    const text = ` \n\t{\r\n "a" \t:\n ${TWO_64_TEXT} \r\n , "b" : [ 1 , -${TWO_64_TEXT}\t,\n{ } , [ ] ] , "c"\n:\n"x" } \n`;
    expect(parseJSON(text)).toEqual({ a: TWO_64, b: [1, -TWO_64, {}, []], c: "x" });
  });

  it("handles long texts with many strings, numbers and big integers", () => {
    const items = Array.from({ length: 5000 }, (_, i) => ({
      id: i,
      s: `s${i} "q" \\ ${"9".repeat(20)}`,
      big: TWO_64 + BigInt(i),
      f: i / 7,
    }));
    const text = `[${items.map((x) => `{"id":${x.id},"s":${JSON.stringify(x.s)},"big":${x.big},"f":${x.f}}`).join(",")}]`;
    expect(parseJSON(text)).toEqual(items);
    // A big integer far behind lots of plain tokens.
    const tail = `[${"1,".repeat(20000)}"${"x".repeat(100000)}",${TWO_64_TEXT}]`;
    const value = parseJSON(tail) as unknown[];
    expect(value).toHaveLength(20002);
    expect(value[20001]).toBe(TWO_64);
  });

  it("handles deep nesting on the slow path", () => {
    const depth = 5000;
    const text = `${"[".repeat(depth)}${TWO_64_TEXT}${"]".repeat(depth)}`;
    let value = parseJSON(text);
    for (let i = 0; i < depth; i++) value = (value as unknown[])[0];
    expect(value).toBe(TWO_64);
  });

  // 100,000 levels: JSON.parse handles them; a recursive parser (or a reviver walk) runs out of stack.
  const DEEP = 100_000;
  /** Follows `path` (a key or index per level) DEEP times, without recursion. */
  const dig = (value: unknown, step: (v: unknown) => unknown) => {
    let v = value;
    for (let i = 0; i < DEEP; i++) v = step(v);
    return v;
  };

  it("parses 100,000 nested arrays holding a 16-digit number and a big integer", {
    timeout: 60_000,
  }, () => {
    const sixteen = "1234567890123456";
    const text = `${"[".repeat(DEEP)}${sixteen},${TWO_64_TEXT}${"]".repeat(DEEP)}`;
    const inner = dig(parseJSON(text), (v) => (v as unknown[])[0]);
    // The innermost array is [16-digit number, 2^64]; its first element is the number.
    expect(inner).toBe(Number(sixteen));
    const last = dig(parseJSON(text), (v) => (v as unknown[]).at(-1));
    expect(last).toBe(TWO_64);
  });

  it("parses 100,000 nested objects and mixed nesting with big integers", { timeout: 60_000 }, () => {
    const objects = `${'{"a":'.repeat(DEEP)}-${TWO_256_MINUS_1_TEXT}${"}".repeat(DEEP)}`;
    expect(dig(parseJSON(objects), (v) => (v as Record<string, unknown>).a)).toBe(-TWO_256_MINUS_1);
    const mixed = `${'[{"k":'.repeat(DEEP / 2)}${TWO_64_TEXT}${"}]".repeat(DEEP / 2)}`;
    let v = parseJSON(mixed);
    for (let i = 0; i < DEEP / 2; i++) v = ((v as unknown[])[0] as Record<string, unknown>).k;
    expect(v).toBe(TWO_64);
  });

  it("parses 100,000 levels without a big integer, as JSON.parse does", { timeout: 60_000 }, () => {
    const text = `${"[".repeat(DEEP)}1.5${"]".repeat(DEEP)}`;
    expect(dig(parseJSON(text), (v) => (v as unknown[])[0])).toBe(1.5);
  });

  it("reports a syntax error 100,000 levels down with its position", { timeout: 60_000 }, () => {
    const text = `${"[".repeat(DEEP)}${TWO_64_TEXT},]${"]".repeat(DEEP - 1)}`;
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
    expect(() => parseJSON(text)).toThrow(new RegExp(`at position ${DEEP + TWO_64_TEXT.length + 1} \\(`));
  });
});

describe("parseJSON: invalid JSON", () => {
  const invalid = [
    "",
    " ",
    "[1,]",
    `[${TWO_64_TEXT},]`,
    '{"a":1,}',
    `{"a":${TWO_64_TEXT},}`,
    '"abc',
    `["abc, ${TWO_64_TEXT}]`,
    `["abc ${TWO_64_TEXT}`,
    `"\\${TWO_64_TEXT}`,
    "01",
    "-01",
    "[01]",
    `[0${TWO_64_TEXT}]`,
    `0${TWO_64_TEXT}`,
    "-",
    "[-]",
    "[- 1]",
    `[- ${TWO_64_TEXT}]`,
    `[--${TWO_64_TEXT}]`,
    `{${TWO_64_TEXT}:1}`,
    `{"a":1,${TWO_64_TEXT}:2}`,
    `{"a":1, ${TWO_64_TEXT} : 2}`,
    `[1 ${TWO_64_TEXT}]`,
    `${TWO_64_TEXT} 1`,
    `${TWO_64_TEXT}x`,
    `x${TWO_64_TEXT}`,
    `[${TWO_64_TEXT}.]`,
    `[${TWO_64_TEXT}e]`,
    `[1.${TWO_64_TEXT}e]`,
    `[+${TWO_64_TEXT}]`,
    "1.",
    ".5",
    "1e",
    "1e+",
    "NaN",
    "Infinity",
    "[1 2]",
    "{'a':1}",
    '{"a" 1}',
    '{"a":1 "b":2}',
    "tru",
    "nul",
    "[true false]",
    '"\\x"',
    '"\\u12"',
    '"\\u12G4"',
    '"a\nb"',
    '"a\tb"',
    `["a\u0001", ${TWO_64_TEXT}]`,
    "\uFEFF1",
    "\u00a01",
    "[",
    "]",
    "{",
    '{"a":',
    `[${TWO_64_TEXT}`,
    `{"a":${TWO_64_TEXT}`,
  ];

  it.each(invalid.map((text) => [JSON.stringify(text), text]))("throws SyntaxError for %s", (_, text) => {
    expect(() => JSON.parse(text), "JSON.parse must reject it too").toThrow(SyntaxError);
    let error: unknown;
    try {
      parseJSON(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SyntaxError);
    expect((error as Error).message).toMatch(/at position \d+ \(line \d+ column \d+\)/);
  });

  it("reports the exact position", () => {
    const cases: [string, number][] = [
      ["[1,]", 3],
      [`[${TWO_64_TEXT},]`, 22],
      ["01", 1],
      ["-", 1],
      ['{"a":1,}', 7],
      [`{"a":1,${TWO_64_TEXT}:2}`, 7],
      ["[1,\n  x]", 6],
      ['"abc', 4],
    ];
    for (const [text, position] of cases) {
      expect(() => parseJSON(text), text).toThrow(new RegExp(`at position ${position} \\(`));
    }
    expect(() => parseJSON("[1,\n  x]")).toThrow(/line 2 column 3/);
  });
});

// Thousands of generated texts per case: seconds on an idle machine, much longer on a busy one.
describe("parseJSON: randomised comparison with JSON.parse", { timeout: 120_000 }, () => {
  // Deterministic PRNG so failures are reproducible.
  function rng(seed: number): () => number {
    let s = seed >>> 0;
    return () => {
      s = (s + 0x6d2b79f5) >>> 0;
      let t = s;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  /** Random JSON text plus the exact value it denotes, built side by side. */
  function generate(rand: () => number, depth: number): [string, unknown] {
    const pick = Math.floor(rand() * (depth > 3 ? 6 : 9));
    const ws = () => [" ", "", "", "\n", "\t", "\r\n "][Math.floor(rand() * 6)]!;
    switch (pick) {
      case 0: {
        const digits = 1 + Math.floor(rand() * 40);
        let s = String(1 + Math.floor(rand() * 9));
        for (let i = 1; i < digits; i++) s += String(Math.floor(rand() * 10));
        if (rand() < 0.3) {
          // Around the 16-digit boundary, where the safe-range check must be exact.
          const edges = ["9007199254740991", "9007199254740992", "9007199254740993", "1000000000000000"];
          s = edges.concat(["9999999999999999", "8999999999999999", "900719925474099", "90071992547409910"])[
            Math.floor(rand() * 8)
          ]!;
        }
        if (rand() < 0.3) s = `-${s}`;
        const big = BigInt(s);
        const safe = big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER);
        return [s, safe ? Number(s) : big];
      }
      case 1: {
        const s = ["0", "-0", "1.5", "1e21", "1E+400", `${"7".repeat(20)}.25`, `${"3".repeat(18)}e-3`][
          Math.floor(rand() * 7)
        ]!;
        return [s, JSON.parse(s)];
      }
      case 2: {
        const parts = [
          '\\"',
          "\\\\",
          "9".repeat(18),
          "-",
          ":",
          ",",
          "é",
          "😀",
          "\\u00e9",
          "\\n",
          "[",
          "}",
          "x",
        ];
        let s = "";
        const n = Math.floor(rand() * 6);
        for (let i = 0; i < n; i++) s += parts[Math.floor(rand() * parts.length)];
        return [`"${s}"`, JSON.parse(`"${s}"`)];
      }
      case 3: {
        const k = Math.floor(rand() * 3);
        return [["true", "false", "null"][k]!, [true, false, null][k]];
      }
      case 4:
      case 5: {
        const n = Math.floor(rand() * 5);
        const texts: string[] = [];
        const values: unknown[] = [];
        for (let i = 0; i < n; i++) {
          const [t, v] = generate(rand, depth + 1);
          texts.push(ws() + t + ws());
          values.push(v);
        }
        return [`[${texts.join(",")}]`, values];
      }
      default: {
        const n = Math.floor(rand() * 5);
        const texts: string[] = [];
        const value: Record<string, unknown> = {};
        for (let i = 0; i < n; i++) {
          const key = `k${i}${rand() < 0.3 ? "9".repeat(20) : ""}`;
          const [t, v] = generate(rand, depth + 1);
          texts.push(`${ws()}"${key}"${ws()}:${ws()}${t}${ws()}`);
          value[key] = v;
        }
        return [`{${texts.join(",")}}`, value];
      }
    }
  }

  // Private-use characters U+E000..U+E00F in a string: the text then leaves no free marker, so
  // parseJSON has to use its fallback parser. Running the same cases with and without it tests both.
  const ALL_MARKERS = String.fromCharCode(...Array.from({ length: 16 }, (_, i) => 0xe000 + i));
  const variants = [
    { name: "", wrap: (t: string) => t, unwrap: (v: unknown) => v },
    {
      name: " (fallback parser)",
      wrap: (t: string) => `[${t},"${ALL_MARKERS}"]`,
      unwrap: (v: unknown) => (v as unknown[])[0],
    },
  ];

  it.each(variants)("parses generated texts to the exact values$name", ({ wrap, unwrap }) => {
    const rand = rng(42);
    for (let i = 0; i < 2000; i++) {
      const [text, expected] = generate(rand, 0);
      const got = unwrap(parseJSON(wrap(text)));
      expect(got, text).toEqual(expected);
    }
  });

  it.each(variants)("accepts and rejects exactly what JSON.parse does on mutated texts$name", ({ wrap }) => {
    const rand = rng(7);
    const insertions = [
      "",
      ",",
      "]",
      "}",
      "[",
      "{",
      '"',
      "\\",
      ":",
      "-",
      "0",
      "9",
      ".",
      "e",
      " ",
      "x",
      "\u0001",
    ];
    const toNumbers = (v: unknown): unknown =>
      typeof v === "bigint"
        ? Number(v)
        : Array.isArray(v)
          ? v.map(toNumbers)
          : v !== null && typeof v === "object"
            ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toNumbers(x)]))
            : v;
    const bigintsAllUnsafe = (v: unknown): boolean =>
      typeof v === "bigint"
        ? v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)
        : v !== null && typeof v === "object"
          ? Object.values(v).every(bigintsAllUnsafe)
          : true;
    let valid = 0;
    for (let i = 0; i < 5000; i++) {
      let [text] = generate(rand, 0);
      const at = Math.floor(rand() * (text.length + 1));
      const cut = rand() < 0.5 ? 1 : 0;
      text = wrap(
        text.slice(0, at) + insertions[Math.floor(rand() * insertions.length)] + text.slice(at + cut),
      );
      let expected: unknown;
      let expectedError = false;
      try {
        expected = JSON.parse(text);
      } catch {
        expectedError = true;
      }
      if (expectedError) {
        expect(() => parseJSON(text), text).toThrow(SyntaxError);
      } else {
        valid++;
        const got = parseJSON(text);
        expect(toNumbers(got), text).toEqual(expected);
        expect(bigintsAllUnsafe(got), text).toBe(true);
      }
    }
    expect(valid).toBeGreaterThan(500);
  });
});

// Writing bigints has two implementations: JSON.rawJSON where the runtime has it, placeholders
// elsewhere. Both pass every stringify test; the native one only runs where the runtime has it.
const nativeAvailable = typeof (JSON as { rawJSON?: unknown }).rawJSON === "function";
const implementations = Object.entries(_implementations).map(([name, impl]) => ({ name, ...impl }));

describe("stringifyJSON: implementation choice", () => {
  it("uses JSON.rawJSON exactly where the runtime has it", () => {
    expect(jsonImplementation).toBe(nativeAvailable ? "native" : "fallback");
    expect(json.stringifyJSON).toBe(_implementations[jsonImplementation].stringifyJSON);
  });

  it.skipIf(!nativeAvailable)("the native one writes each bigint through JSON.rawJSON", () => {
    const raw = vi.spyOn(JSON as unknown as { rawJSON: (text: string) => unknown }, "rawJSON");
    try {
      expect(_implementations.native.stringifyJSON({ a: [TWO_64, 1.5, -1n] })).toBe(
        `{"a":[${TWO_64_TEXT},1.5,-1]}`,
      );
      expect(raw.mock.calls).toEqual([[TWO_64_TEXT], ["-1"]]);
    } finally {
      raw.mockRestore();
    }
  });
});

describe.each(implementations)("stringifyJSON ($name)", ({ name, stringifyJSON }) => {
  if (name === "native" && !nativeAvailable) {
    it.skip("needs JSON.rawJSON", () => {});
    return;
  }

  afterEach(() => {
    vi.restoreAllMocks();
    delete (BigInt.prototype as { toJSON?: unknown }).toJSON;
  });

  it("writes bigints as bare integer literals", () => {
    expect(stringifyJSON({ a: TWO_64 })).toBe('{"a":18446744073709551616}');
    expect(stringifyJSON({ a: -TWO_64 })).toBe('{"a":-18446744073709551616}');
    expect(stringifyJSON(TWO_64)).toBe(TWO_64_TEXT);
    expect(stringifyJSON(0n)).toBe("0");
    expect(stringifyJSON(-1n)).toBe("-1");
    expect(stringifyJSON([TWO_256_MINUS_1])).toBe(`[${TWO_256_MINUS_1_TEXT}]`);
    expect(stringifyJSON({ x: 2n ** 53n + 1n })).toBe('{"x":9007199254740993}');
    expect(stringifyJSON({ x: -(2n ** 53n + 1n) })).toBe('{"x":-9007199254740993}');
  });

  it("writes nested bigints in arrays and maps", () => {
    const value = {
      postings: [
        { amount: TWO_64, asset: "USD/2", source: "world", destination: "users:1" },
        { amount: 1n, asset: "COIN", source: "users:1", destination: "users:2" },
      ],
      volumes: { "users:1": { "USD/2": { input: TWO_256_MINUS_1, output: 0n, balance: -5n } } },
      matrix: [[1n, [2n, [TWO_64]]], []],
    };
    expect(stringifyJSON(value)).toBe(
      `{"postings":[{"amount":${TWO_64_TEXT},"asset":"USD/2","source":"world","destination":"users:1"},` +
        `{"amount":1,"asset":"COIN","source":"users:1","destination":"users:2"}],` +
        `"volumes":{"users:1":{"USD/2":{"input":${TWO_256_MINUS_1_TEXT},"output":0,"balance":-5}}},` +
        `"matrix":[[1,[2,[${TWO_64_TEXT}]]],[]]}`,
    );
  });

  it("never writes exponent form", () => {
    for (let e = 15; e <= 400; e += 5) {
      const big = 10n ** BigInt(e) + 7n;
      const out = stringifyJSON({ big, neg: -big, list: [big] });
      expect(out).not.toMatch(/e\+|E\+|e\d/);
      expect(out).toBe(`{"big":${big.toString()},"neg":-${big.toString()},"list":[${big.toString()}]}`);
    }
  });

  it("honours toJSON, Dates, undefined and functions like JSON.stringify", () => {
    const date = new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678));
    const value = {
      amount: TWO_64,
      at: date,
      custom: { toJSON: (key: string) => `custom:${key}` },
      bigFromToJSON: { toJSON: () => TWO_64 + 1n },
      nested: { toJSON: () => ({ inner: -TWO_64, gone: undefined }) },
      timestamp: "2024-01-01T00:00:00.123456Z",
      skip: undefined,
      fn: () => 1,
      sym: Symbol("s"),
      list: [undefined, () => 1, Symbol("s"), TWO_64, date, Number.NaN, Number.POSITIVE_INFINITY, -0],
      boxed: [Object(TWO_64) as unknown, new Number(1.5), new String("s"), new Boolean(false)],
    };
    expect(stringifyJSON(value)).toBe(
      `{"amount":${TWO_64_TEXT},"at":"2024-01-02T03:04:05.678Z","custom":"custom:custom",` +
        `"bigFromToJSON":18446744073709551617,"nested":{"inner":-${TWO_64_TEXT}},` +
        `"timestamp":"2024-01-01T00:00:00.123456Z",` +
        `"list":[null,null,null,${TWO_64_TEXT},"2024-01-02T03:04:05.678Z",null,null,0],` +
        `"boxed":[${TWO_64_TEXT},1.5,"s",false]}`,
    );
  });

  it("matches JSON.stringify exactly when there is no bigint", () => {
    const values: unknown[] = [
      null,
      true,
      0,
      -0,
      1.5,
      1e21,
      'str " \\ \n \u0001 é 😀 \ud800',
      "2024-01-01T00:00:00.123456Z",
      [],
      {},
      [1, "a", null, undefined, () => 1],
      { a: 1, b: undefined, c: [{ d: new Date(0) }], "10": "ten", "2": "two" },
      new Map([["a", 1]]),
      Object.create(null, {
        visible: { value: 1, enumerable: true },
        hidden: { value: 2, enumerable: false },
      }),
    ];
    for (const value of values) expect(stringifyJSON(value)).toBe(JSON.stringify(value));
  });

  it("returns undefined only when JSON.stringify does", () => {
    expect(stringifyJSON(undefined)).toBeUndefined();
    expect(stringifyJSON(() => 1)).toBeUndefined();
    expect(stringifyJSON(Symbol("x"))).toBeUndefined();
    expect(stringifyJSON({ toJSON: () => undefined })).toBeUndefined();
    expect(stringifyJSON(null)).toBe("null");
    expect(stringifyJSON({ toJSON: () => 5n })).toBe("5");
  });

  it("throws TypeError on cycles, with or without bigints", () => {
    const a: Record<string, unknown> = { n: 1 };
    a.self = a;
    expect(() => stringifyJSON(a)).toThrow(TypeError);
    const b: Record<string, unknown> = { n: 1n };
    b.self = b;
    expect(() => stringifyJSON(b)).toThrow(TypeError);
  });

  it("keeps user strings that look like placeholders intact", () => {
    const lookalikes = [
      "__bigint__1",
      "__bigint0__18446744073709551616",
      `__bigint${"a".repeat(20)}__123`,
      '"__bigintx__5"',
      "\u0000bigint:1",
      "18446744073709551616",
      "\ue00018446744073709551616",
    ];
    const value = { lookalikes, amount: TWO_64, map: Object.fromEntries(lookalikes.map((s) => [s, s])) };
    const out = stringifyJSON(value);
    const expected = JSON.stringify({ ...value, amount: 0 }).replace('"amount":0', `"amount":${TWO_64_TEXT}`);
    expect(out).toBe(expected);
    expect(parseJSON(out)).toEqual(value);
  });

  it.skipIf(name === "native")(
    "stays correct when a user string contains the actual placeholder token",
    () => {
      // Put the token in use into user data: the implementation must detect the collision, switch to
      // another token and still write exact output.
      const token = _placeholderToken();
      const value = { user: `${token}1`, quoted: `"${token}2"`, [`${token}3`]: 4n, amount: TWO_64 };
      const out = stringifyJSON(value);
      expect(out).toBe(
        `{${JSON.stringify("user")}:${JSON.stringify(value.user)},"quoted":${JSON.stringify(value.quoted)},` +
          `${JSON.stringify(`${token}3`)}:4,"amount":${TWO_64_TEXT}}`,
      );
      expect(_placeholderToken()).not.toBe(token);
    },
  );

  it("ignores a global BigInt.prototype.toJSON", () => {
    (BigInt.prototype as { toJSON?: unknown }).toJSON = function (this: bigint) {
      return this.toString();
    };
    expect(JSON.stringify({ a: TWO_64 })).toBe(`{"a":"${TWO_64_TEXT}"}`);
    expect(stringifyJSON({ a: TWO_64, b: [1n], c: "x" })).toBe(`{"a":${TWO_64_TEXT},"b":[1],"c":"x"}`);
    expect(stringifyJSON(TWO_64)).toBe(TWO_64_TEXT);
  });

  it("round-trips with parseJSON", () => {
    const text = `{"cursor":{"pageSize":2,"hasMore":false,"data":[{"id":1,"postings":[{"amount":${TWO_256_MINUS_1_TEXT},"asset":"USD/2"}],"timestamp":"2024-01-01T00:00:00.123456Z","metadata":{"k":"${"9".repeat(30)}"}},{"id":9007199254740993,"postings":[],"metadata":{}}]}}`;
    expect(stringifyJSON(parseJSON(text))).toBe(text);
    const value = { a: [TWO_64, -TWO_64, 1, -0.5, "x"], b: { c: TWO_256_MINUS_1 } };
    expect(parseJSON(stringifyJSON(value))).toEqual(value);
  });
});

describe("parseNDJSON", () => {
  const encoder = new TextEncoder();

  function streamOf(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
    return new ReadableStream({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(chunk);
        controller.close();
      },
    });
  }

  async function* iterableOf(chunks: Uint8Array[]): AsyncGenerator<Uint8Array> {
    for (const chunk of chunks) yield chunk;
  }

  async function collect(source: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>): Promise<unknown[]> {
    const out: unknown[] = [];
    for await (const value of parseNDJSON(source)) out.push(value);
    return out;
  }

  function splitBytes(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
    const chunks: Uint8Array[] = [];
    let last = 0;
    for (const cut of [...cuts, bytes.length]) {
      chunks.push(bytes.subarray(last, cut));
      last = cut;
    }
    return chunks;
  }

  const text = `{"amount":${TWO_64_TEXT},"asset":"€UR/2","who":"😀"}\n\n  \n[1,-${TWO_256_MINUS_1_TEXT}]\r\n"é"\r\n\r\n7`;
  const expected = [{ amount: TWO_64, asset: "€UR/2", who: "😀" }, [1, -TWO_256_MINUS_1], "é", 7];

  it("parses lines from a ReadableStream and from an async iterable", async () => {
    const bytes = encoder.encode(text);
    expect(await collect(streamOf([bytes]))).toEqual(expected);
    expect(await collect(iterableOf([bytes]))).toEqual(expected);
  });

  it("handles every split position: inside numbers, multi-byte characters and CRLF", async () => {
    const bytes = encoder.encode(text);
    for (let cut = 0; cut <= bytes.length; cut++) {
      expect(await collect(streamOf(splitBytes(bytes, [cut]))), `cut at ${cut}`).toEqual(expected);
    }
    // One byte per chunk.
    const single = Array.from(bytes, (b) => Uint8Array.of(b));
    expect(await collect(iterableOf(single))).toEqual(expected);
  });

  it("splits a number and a 4-byte character explicitly", async () => {
    const bytes = encoder.encode(`{"a":${TWO_64_TEXT},"s":"😀"}\n`);
    const numberCut = `{"a":1844674407`.length;
    const emoji = bytes.indexOf(0xf0);
    expect(emoji).toBeGreaterThan(0);
    const chunks = splitBytes(bytes, [numberCut, emoji + 1, emoji + 3]);
    expect(await collect(streamOf(chunks))).toEqual([{ a: TWO_64, s: "😀" }]);
  });

  it("handles a last line without trailing newline, blank input and whitespace-only lines", async () => {
    expect(await collect(streamOf([encoder.encode(`1\n${TWO_64_TEXT}`)]))).toEqual([1, TWO_64]);
    expect(await collect(streamOf([encoder.encode("")]))).toEqual([]);
    expect(await collect(streamOf([]))).toEqual([]);
    expect(await collect(streamOf([encoder.encode("\n\r\n \t\n")]))).toEqual([]);
    expect(await collect(streamOf([encoder.encode("1\r\n2\r\n")]))).toEqual([1, 2]);
  });

  it("parses 1000 lines split in random chunks", async () => {
    const values = Array.from({ length: 1000 }, (_, i) => ({
      i,
      amount: TWO_64 * BigInt(i + 1) + 1n,
      note: `line ${i} — ✓ 😀`,
      f: i + 0.25,
    }));
    const body = values
      .map((v) => `{"i":${v.i},"amount":${v.amount},"note":"${v.note}","f":${v.f}}`)
      .join("\n");
    const bytes = encoder.encode(body);
    let seed = 1;
    const cuts: number[] = [];
    for (let at = 0; ; ) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      at += 1 + (seed % 97);
      if (at >= bytes.length) break;
      cuts.push(at);
    }
    const result = await collect(streamOf(splitBytes(bytes, cuts)));
    expect(result).toHaveLength(1000);
    expect(result).toEqual(values);
  });

  it("yields each value as soon as its line is complete", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let secondRequested = false;
    async function* source(): AsyncGenerator<Uint8Array> {
      yield encoder.encode(`${TWO_64_TEXT}\n{"partial":`);
      secondRequested = true;
      await gate;
      yield encoder.encode("1}\n");
    }
    const iterator = parseNDJSON(source());
    const first = await iterator.next();
    expect(first).toEqual({ done: false, value: TWO_64 });
    const second = iterator.next();
    release();
    expect(await second).toEqual({ done: false, value: { partial: 1 } });
    expect(secondRequested).toBe(true);
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
  });

  it("reports the failing line and cancels the stream when stopped early", async () => {
    await expect(collect(streamOf([encoder.encode('1\n2\n{"a":}\n4\n')]))).rejects.toThrow(
      /line 3: .*at position 5/,
    );
    let cancelled = false;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(encoder.encode("1\n2\n"));
      },
      cancel() {
        cancelled = true;
      },
    });
    for await (const value of parseNDJSON(stream)) {
      expect(value).toBe(1);
      break;
    }
    expect(cancelled).toBe(true);
  });
});
