// Valid SDK inputs generated from the spec schemas: examples first (the property's own, or the
// matching part of an enclosing example), then defaults and enums, then a type/format-based value.
// Integers with `format: bigint` become the bigint 2^53 + 1 in inputs (examples are ignored there, so
// exactness is exercised on the wire); `date-time` strings become Date objects when no example is given.

export const BIG = 9007199254740993n; // 2^53 + 1: not representable as a JS number
const UUID = "3fa85f64-5717-4562-b3fc-2c963f66afa6";

/** Values for strings with a `pattern` the generator cannot invent by itself. */
const PATTERN_VALUES = [
  "users:001", // ledger account address ^\w+(:\w+)*$
  "USD/2", // payments asset ^[a-zA-Z]{3}\/[0-9]$
  "1234567890123456", // ^[0-9]{16}$
  "abc",
];

/**
 * `output`: a response-side value (readOnly properties kept, date-times as strings).
 * `minimal`: only what the schema requires (optional properties left out).
 */
export function makeGenerator(deref, { maxDepth = 6, output = false, minimal = false } = {}) {
  // `keep`: property names generated even in minimal mode (the discriminator of a chosen branch).
  function gen(raw, hint, depth = 0, keep = undefined) {
    const schema = deref(raw) ?? {};
    if (schema.allOf) return gen(mergeAllOf(schema, deref), hint ?? schema.example, depth, keep);
    const own = hint !== undefined ? hint : schema.example !== undefined ? schema.example : schema.default;
    const branches = schema.oneOf ?? schema.anyOf;
    if (branches) {
      const [branch, branchHint, discriminator] = pickBranch(schema, branches, own);
      return gen(branch, branchHint, depth + 1, discriminator && [discriminator]);
    }
    if (schema.enum) return schema.enum.includes(own) ? own : schema.enum.find((v) => v !== null);
    const type =
      schema.type ??
      (schema.properties || schema.additionalProperties ? "object" : schema.items ? "array" : undefined);
    switch (type) {
      case "object":
        return object(schema, own, depth, keep);
      case "array": {
        const items = Array.isArray(own) && own.length ? own.slice(0, 2) : [undefined];
        while (items.length < (schema.minItems ?? 1)) items.push(undefined);
        return items.map((h) => gen(schema.items ?? {}, h, depth + 1));
      }
      case "integer":
        // Inputs always carry 2^53 + 1 (within the schema's bounds) so exactness is tested on the wire.
        if (schema.format === "bigint") return (output ? integerHint(own) : undefined) ?? clampBig(schema);
        return typeof own === "number" && Number.isInteger(own) ? own : clamp(schema, 1);
      case "number":
        return typeof own === "number" ? own : clamp(schema, 1.5);
      case "boolean":
        return typeof own === "boolean" ? own : true;
      case "string":
        return string(schema, own, output);
      default:
        return own !== undefined ? own : "value";
    }
  }

  function object(schema, hint, depth, keep) {
    const out = {};
    const h = hint && typeof hint === "object" && !Array.isArray(hint) ? hint : undefined;
    const props = schema.properties ?? {};
    const required = new Set(schema.required ?? []);
    for (const [name, prop] of Object.entries(props)) {
      const p = deref(prop);
      if (p?.readOnly && !output) continue;
      if (p?.writeOnly && output) continue;
      if (minimal && !required.has(name) && !keep?.includes(name)) continue;
      // Deep in recursive schemas only what is required (or given by an example) is generated.
      if (depth >= maxDepth && !required.has(name) && !(h && name in h)) continue;
      out[name] = gen(prop, h?.[name], depth + 1);
    }
    const ap = schema.additionalProperties;
    if (!Object.keys(props).length) {
      if (ap && typeof ap === "object") {
        const entries = h && Object.keys(h).length ? Object.entries(h).slice(0, 2) : [["key", undefined]];
        for (const [k, v] of entries) out[k] = gen(ap, v, depth + 1);
      } else if (h) Object.assign(out, structuredClone(h));
    }
    return out;
  }

  /** The branch to generate, and the hint for it (the discriminator value set when there is one). */
  function pickBranch(schema, branches, hint) {
    const d = schema.discriminator;
    if (d?.mapping) {
      const given = hint && typeof hint === "object" ? hint[d.propertyName] : undefined;
      const key = given in d.mapping ? given : Object.keys(d.mapping)[0];
      return [
        { $ref: d.mapping[key] },
        { ...(hint && typeof hint === "object" ? hint : {}), [d.propertyName]: key },
        d.propertyName,
      ];
    }
    if (hint !== undefined) {
      const fits = branches.find((b) => matchesType(deref(b), hint));
      if (fits) return [fits, hint];
    }
    return [branches[0], hint];
  }

  function matchesType(s, v) {
    const t = s?.type ?? (s?.properties ? "object" : undefined);
    if (!t) return true;
    if (t === "integer") return typeof v === "number" && Number.isInteger(v);
    if (t === "array") return Array.isArray(v);
    if (t === "object") return typeof v === "object" && v !== null && !Array.isArray(v);
    return typeof v === t;
  }

  return gen;
}

export function mergeAllOf(schema, deref) {
  const merged = { type: "object", properties: {}, required: [] };
  const visit = (s) => {
    s = deref(s);
    if (s.allOf) s.allOf.forEach(visit);
    Object.assign(merged.properties, s.properties ?? {});
    merged.required.push(...(s.required ?? []));
    if (s.additionalProperties !== undefined) merged.additionalProperties = s.additionalProperties;
    if (s.example !== undefined && merged.example === undefined) merged.example = s.example;
  };
  visit(schema);
  return merged;
}

function integerHint(v) {
  if (typeof v === "bigint") return v;
  if (typeof v === "number" && Number.isInteger(v)) return BigInt(v);
  if (typeof v === "string" && /^-?\d+$/.test(v)) return BigInt(v);
  return undefined;
}

function clampBig(schema) {
  let v = BIG;
  if (schema.maximum !== undefined && v > BigInt(schema.maximum)) v = BigInt(schema.maximum);
  if (schema.minimum !== undefined && v < BigInt(schema.minimum)) v = BigInt(schema.minimum);
  return v;
}

function clamp(schema, fallback) {
  let v = fallback;
  if (schema.minimum !== undefined && v < schema.minimum)
    v = schema.minimum + (schema.exclusiveMinimum ? 1 : 0);
  if (schema.maximum !== undefined && v > schema.maximum)
    v = schema.maximum - (schema.exclusiveMaximum ? 1 : 0);
  return v;
}

function string(schema, hint, output) {
  const fmt = schema.format;
  if (fmt === "date-time") {
    if (typeof hint === "string" && !Number.isNaN(Date.parse(hint))) return hint;
    return output ? "2024-03-01T12:34:56.789123Z" : new Date("2024-03-01T12:34:56.789Z");
  }
  if (fmt === "date") return typeof hint === "string" ? hint : "2024-03-01";
  if (fmt === "uuid") return typeof hint === "string" && /^[0-9a-f-]{36}$/i.test(hint) ? hint : UUID;
  if (fmt === "byte") return typeof hint === "string" && isBase64(hint) ? hint : "Y29udHJhY3Q=";
  if (fmt === "email") return typeof hint === "string" && hint.includes("@") ? hint : "contract@example.com";
  if (fmt === "uri" || fmt === "url")
    return typeof hint === "string" && /^\w+:/.test(hint) ? hint : "https://example.com/hook";
  let value = typeof hint === "string" ? hint : typeof hint === "number" ? String(hint) : "value";
  if (schema.pattern) {
    const re = new RegExp(schema.pattern);
    if (!re.test(value)) value = PATTERN_VALUES.find((c) => re.test(c)) ?? value;
  }
  if (schema.minLength && value.length < schema.minLength) value = value.padEnd(schema.minLength, "x");
  if (schema.maxLength && value.length > schema.maxLength) value = value.slice(0, schema.maxLength);
  return value;
}

function isBase64(s) {
  return /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s);
}
