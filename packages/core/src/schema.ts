// Schema helpers that generated code builds on, and the validation entry points.
import * as v from "valibot";
import type { ValidationIssue } from "./errors";

export type Schema = v.GenericSchema<unknown, unknown>;

function isIntegerLike(x: unknown): x is bigint | number | string {
  return (
    typeof x === "bigint" ||
    (typeof x === "number" && Number.isSafeInteger(x)) ||
    (typeof x === "string" && /^-?\d+$/.test(x))
  );
}

/**
 * An exact integer of any size. Accepts a bigint, a safe-integer number or a string of digits
 * (the ledger's `Formance-Bigint-As-String` mode) and always yields a bigint.
 */
export const bigint: v.GenericSchema<bigint, bigint> = /* @__PURE__ */ v.pipe(
  /* @__PURE__ */ v.custom<bigint>(
    isIntegerLike,
    "Expected an integer as a bigint (numbers are accepted only below 2^53)",
  ),
  /* @__PURE__ */ v.transform((x) => BigInt(x)),
);

/** An RFC 3339 timestamp. Accepts a string or a valid Date; always yields the string (microseconds kept). */
export const timestamp: v.GenericSchema<string, string> = /* @__PURE__ */ v.pipe(
  /* @__PURE__ */ v.custom<string>(
    (x) => typeof x === "string" || (x instanceof Date && !Number.isNaN(x.getTime())),
    "Expected an RFC 3339 timestamp string or a valid Date",
  ),
  /* @__PURE__ */ v.transform((x) => (typeof x === "string" ? x : (x as unknown as Date).toISOString())),
);

/**
 * A string enum that stays open: any string passes (servers add values over time);
 * `validate: "strict"` reports values outside the list.
 */
/* @__NO_SIDE_EFFECTS__ */
export function openEnum<const T extends readonly string[]>(values: T): v.GenericSchema<string, string> {
  return Object.assign(v.string(), { enumValues: values });
}

/** Valibot issues → `{ path, message }` with dotted paths. */
export function toIssues(issues: readonly v.BaseIssue<unknown>[], prefix = ""): ValidationIssue[] {
  return issues.map((issue) => {
    const path = (issue.path ?? []).map((p) => String(p.key)).join(".");
    const missing = issue.received === "undefined" && issue.message.startsWith("Invalid key");
    const unknown = issue.expected === "never" && issue.message.startsWith("Invalid key");
    const message = missing
      ? "Required, but missing"
      : unknown
        ? "Unknown field: not an input of this operation"
        : issue.message;
    return { path: [prefix, path].filter(Boolean).join("."), message };
  });
}

/** Properties and enum values the schema does not declare (what `strict` mode rejects). */
export function undeclared(schema: unknown, value: unknown, path = ""): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  walk(schema as SchemaNode, value, path, issues);
  return issues;
}

interface SchemaNode {
  type: string;
  entries?: Record<string, SchemaNode>;
  item?: SchemaNode;
  value?: SchemaNode;
  wrapped?: SchemaNode;
  options?: SchemaNode[];
  rest?: SchemaNode;
  getter?: (input: unknown) => SchemaNode;
  enumValues?: readonly string[];
}

function walk(schema: SchemaNode, value: unknown, path: string, issues: ValidationIssue[]): void {
  const at = (key: string | number) => (path ? `${path}.${key}` : String(key));
  switch (schema.type) {
    case "object":
    case "loose_object":
    case "strict_object": {
      if (typeof value !== "object" || value === null) return;
      for (const [key, child] of Object.entries(value)) {
        const entry = schema.entries![key];
        if (entry) walk(entry, child, at(key), issues);
        else issues.push({ path: at(key), message: "Unknown property (not in the API schema)" });
      }
      return;
    }
    case "array":
      if (Array.isArray(value)) {
        for (const [i, item] of value.entries()) walk(schema.item!, item, at(i), issues);
      }
      return;
    case "record":
      if (typeof value === "object" && value !== null) {
        for (const [key, child] of Object.entries(value)) walk(schema.value!, child, at(key), issues);
      }
      return;
    case "optional":
    case "nullable":
    case "nullish":
    case "exact_optional":
      if (value !== undefined && value !== null) walk(schema.wrapped!, value, path, issues);
      return;
    case "lazy":
      walk(schema.getter!(value), value, path, issues);
      return;
    case "object_with_rest": {
      if (typeof value !== "object" || value === null) return;
      for (const [key, child] of Object.entries(value)) {
        walk(schema.entries![key] ?? schema.rest!, child, at(key), issues);
      }
      return;
    }
    case "union": {
      // Loose options all accept the same object: judge by the option that declares the most of it.
      let best: ValidationIssue[] | undefined;
      for (const option of schema.options!) {
        if (!v.safeParse(option as Schema, value).success) continue;
        const found: ValidationIssue[] = [];
        walk(option, value, path, found);
        if (!best || found.length < best.length) best = found;
        if (best.length === 0) break;
      }
      if (best) issues.push(...best);
      return;
    }
    case "string":
      if (schema.enumValues && typeof value === "string" && !schema.enumValues.includes(value)) {
        issues.push({
          path,
          message: `Unknown enum value "${value}" (expected ${schema.enumValues.join(" | ")})`,
        });
      }
      return;
  }
}

/** A list; `null` (how Go encodes an empty slice) becomes `[]`. */
/* @__NO_SIDE_EFFECTS__ */
export function list<T extends Schema>(item: T): v.GenericSchema<v.InferInput<T>[], v.InferOutput<T>[]> {
  return v.pipe(
    v.nullable(v.array(item)),
    v.transform((x) => x ?? []),
  ) as never;
}

/** A string-keyed map; `null` (how Go encodes an empty map) becomes `{}`. */
/* @__NO_SIDE_EFFECTS__ */
export function map<T extends Schema>(
  value: T,
): v.GenericSchema<Record<string, v.InferInput<T>>, Record<string, v.InferOutput<T>>> {
  return v.pipe(
    v.nullable(v.record(v.string(), value)),
    v.transform((x) => x ?? {}),
  ) as never;
}

/**
 * A `oneOf` with a discriminator: the branch is chosen by the value of `property`,
 * so each branch's own conversions (bigints...) apply. Unknown values fall back to `fallback`.
 */
/* @__NO_SIDE_EFFECTS__ */
export function oneOf(property: string, branches: Record<string, Schema>, fallback: Schema): Schema {
  return v.lazy((input) => {
    const key =
      typeof input === "object" && input !== null ? (input as Record<string, unknown>)[property] : undefined;
    return (typeof key === "string" && branches[key]) || fallback;
  });
}
