// Numscript without injection: a tagged template whose interpolations become declared, typed
// variables (`vars { account $_1 }` + `vars: { _1: "users:1" }`), never text in the script.
// Formats of the values follow the ledger's parsers (ledger `internal/machine/json.go`, and
// `internal/interpreter/interpreter.go` of the numscript module it embeds): monetary "USD/2 100",
// portion "1/3" or "25%", number "-12", account, asset and string as they are.
import { FormanceValidationError } from "@formance/sdk-core";
import { assetDecimals, parseAmount } from "./amount";

const BRAND = /* @__PURE__ */ Symbol.for("formance.ledger.numscript.value");
/** The ledger's account pattern (ledger `pkg/accounts/accounts.go`). */
const ACCOUNT = /^[a-zA-Z0-9_-]+(?::[a-zA-Z0-9_-]+)*$/;
const PORTION = /^(?:(\d+)(?:\.(\d+))?%|(\d+) ?\/ ?(\d+))$/;

export type NumscriptType = "monetary" | "account" | "asset" | "portion" | "number" | "string";

/** A typed value for the `numscript` template. Made by `amount`, `account`, `asset`, `portion`, `number`, `string`. */
export interface NumscriptValue {
  readonly [BRAND]: true;
  readonly type: NumscriptType;
  /** The value as the ledger reads it in `vars`. */
  readonly value: string;
}

/** What `numscript` returns: the `script` input of `createTransaction` (and of bulk elements). */
export interface NumscriptScript {
  plain: string;
  vars: Record<string, string>;
}

function invalid(path: string, message: string): FormanceValidationError {
  return new FormanceValidationError([{ path, message }]);
}

function make(type: NumscriptType, value: string): NumscriptValue {
  return Object.freeze({ [BRAND]: true as const, type, value });
}

/**
 * A monetary value: `amount(100n, "USD/2")` is 1.00 USD/2 (minor units), `amount("1.00", "USD/2")`
 * the same read with `parseAmount`. Numscript amounts are never negative.
 */
export function amount(value: bigint | string, asset: string): NumscriptValue {
  assetDecimals(asset);
  const minor = typeof value === "string" ? parseAmount(value, asset) : value;
  if (typeof minor !== "bigint" || minor < 0n) {
    throw invalid("amount", `Expected a non-negative bigint or decimal string, got ${String(value)}`);
  }
  return make("monetary", `${asset} ${minor}`);
}

/** An account address such as `users:1` (segments of letters, digits, `_` and `-`, joined by `:`). */
export function account(address: string): NumscriptValue {
  if (typeof address !== "string" || !ACCOUNT.test(address)) {
    throw invalid(
      "account",
      `Expected an account address (segments of letters, digits, "_" or "-" joined by ":"), got ${JSON.stringify(address)}`,
    );
  }
  return make("account", address);
}

/** An asset such as `USD/2`. */
export function asset(name: string): NumscriptValue {
  assetDecimals(name);
  return make("asset", name);
}

/** A portion between 0 and 1: `"1/3"`, `"25%"`, `"12.5%"`. */
export function portion(value: string): NumscriptValue {
  const match = typeof value === "string" ? PORTION.exec(value) : null;
  const [num, den] = match
    ? match[3] !== undefined
      ? [BigInt(match[3]), BigInt(match[4]!)]
      : [BigInt(match[1]! + (match[2] ?? "")), 100n * 10n ** BigInt((match[2] ?? "").length)]
    : [0n, 0n];
  if (!match || den === 0n || num > den) {
    throw invalid(
      "portion",
      `Expected a portion from 0 to 1 such as "1/3" or "25%", got ${JSON.stringify(value)}`,
    );
  }
  return make("portion", value);
}

/** An integer (`number` in Numscript). */
export function number(value: bigint | number): NumscriptValue {
  if (typeof value !== "bigint" && !Number.isSafeInteger(value)) {
    throw invalid("number", `Expected a bigint or a safe integer, got ${String(value)}`);
  }
  return make("number", String(value));
}

/** A string, e.g. a metadata value: any text, quotes and newlines included. */
export function string(value: string): NumscriptValue {
  if (typeof value !== "string") throw invalid("string", `Expected a string, got ${typeof value}`);
  return make("string", value);
}

function isValue(value: unknown): value is NumscriptValue {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}

const LEADING_VARS = /^\s*vars\s*\{[ \t]*(?:\r?\n)/;

/**
 * Builds a Numscript script whose interpolated values are typed variables:
 *
 * ```ts
 * const script = numscript`
 *   send ${amount(100n, "USD/2")} (
 *     source = ${account("world")}
 *     destination = ${account("users:1")}
 *   )
 * `;
 * // { plain: "vars {\n  monetary $_0\n  account $_1\n  account $_2\n}\nsend $_0 (\n ...", vars: { _0: "USD/2 100", ... } }
 * ```
 *
 * Only values made by `amount`, `account`, `asset`, `portion`, `number` and `string` are accepted,
 * so no value can ever become script text. Equal values share one variable. A script may start
 * with its own `vars { ... }` block (e.g. for `meta()` origins): the declarations are added to it.
 */
export function numscript(strings: TemplateStringsArray, ...values: NumscriptValue[]): NumscriptScript {
  const names = new Map<string, string>();
  const vars: Record<string, string> = {};
  const declarations: string[] = [];
  let body = strings[0]!;
  values.forEach((value, i) => {
    if (!isValue(value)) {
      throw invalid(
        `numscript[${i}]`,
        `Expected a value made by amount(), account(), asset(), portion(), number() or string(), got ${value === null ? "null" : typeof value}`,
      );
    }
    const key = `${value.type} ${value.value}`;
    let name = names.get(key);
    if (name === undefined) {
      name = `_${names.size}`;
      names.set(key, name);
      vars[name] = value.value;
      declarations.push(`  ${value.type} $${name}\n`);
    }
    body += `$${name}${strings[i + 1]}`;
  });
  if (declarations.length === 0) return { plain: body, vars };
  const own = LEADING_VARS.exec(body);
  const plain = own
    ? `${own[0]}${declarations.join("")}${body.slice(own[0].length)}`
    : `vars {\n${declarations.join("")}}\n${body.replace(/^\s+/, "")}`;
  return { plain, vars };
}
