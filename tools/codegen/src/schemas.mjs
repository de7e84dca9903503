// JSON Schema (OpenAPI 3.0) → valibot expressions and TypeScript types, for one spec.
// Every component becomes `<Name>Schema` (valibot) and `<Name>` (type; `<Name>Input` when inputs differ).
import {
  BIGINT_COMPONENTS,
  OPTIONAL_PROPERTIES,
  PROPERTY_PATCHES,
  REPLACED_COMPONENTS,
} from "./corrections.mjs";
import { resolver } from "./spec.mjs";

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * Every call in a generated schema is marked pure. Bundlers do not all honour valibot's own
 * no-side-effects annotations across packages (esbuild does not), and one call they cannot drop
 * keeps every schema it references.
 */
export const PURE = "/*#__PURE__*/";
export function pure(expr) {
  let out = "";
  for (let i = 0; i < expr.length; ) {
    if (expr[i] === '"') {
      const end = stringEnd(expr, i);
      out += expr.slice(i, end);
      i = end;
      continue;
    }
    const call = /^(?:v\.)?[A-Za-z_]\w*\(/.exec(expr.slice(i, i + 64));
    if (call && !/[\w$.]/.test(out.at(-1) ?? "")) {
      out += PURE + call[0];
      i += call[0].length;
    } else out += expr[i++];
  }
  return out;
}

function stringEnd(text, start) {
  let i = start + 1;
  while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
  return i + 1;
}
export const key = (k) => (IDENT.test(k) ? k : JSON.stringify(k));
export const refName = (ref) => ref.split("/").pop();

export function doc(text, indent = "") {
  if (!text) return "";
  const lines = String(text).trim().replace(/\*\//g, "*\\/").split("\n");
  return lines.length === 1 && lines[0].length < 100
    ? `${indent}/** ${lines[0]} */\n`
    : `${indent}/**\n${lines.map((l) => `${indent} *${l ? ` ${l}` : ""}`).join("\n")}\n${indent} */\n`;
}

/** Names the core package exports: a component with one of these names gets the service as prefix. */
const RESERVED = new Set([
  "APIPromise",
  "Bound",
  "ClientOptions",
  "CloudEnvironment",
  "CloudServer",
  "CoreClient",
  "HttpMethod",
  "LogEntry",
  "Logger",
  "Operation",
  "OperationDescriptor",
  "Page",
  "PageOperation",
  "PagePromise",
  "RequestOptions",
  "Result",
  "RetryOptions",
  "Schema",
  "TokenSource",
  "ValidationMode",
  "ValidationIssue",
  // JavaScript and fetch globals: a component named like one would shadow it.
  "Array",
  "Blob",
  "Boolean",
  "Date",
  "Error",
  "Function",
  "Headers",
  "Map",
  "Number",
  "Object",
  "Promise",
  "Record",
  "Request",
  "Response",
  "Set",
  "String",
  "Symbol",
]);

/**
 * Required properties of an object, with the servers' corrections: go-libs omits a cursor's
 * `pageSize` when it is 0 (docs/SERVER-BEHAVIOUR.md, All services), so it is optional wherever a
 * cursor is declared.
 */
function requiredOf(s) {
  const props = s.properties ?? {};
  const cursor = "hasMore" in props && "data" in props;
  return new Set((s.required ?? []).filter((name) => !(cursor && name === "pageSize")));
}

/** The type of a schema node and whether it admits null (OpenAPI `nullable`, or JSON Schema `["x", "null"]`). */
function typeOf(s) {
  const types = Array.isArray(s.type) ? s.type : [s.type];
  const type = types.find((t) => t !== undefined && t !== "null");
  return {
    type: type ?? (s.properties || s.additionalProperties ? "object" : undefined),
    nullable: s.nullable === true || types.includes("null"),
  };
}

const NUMBER_DOC =
  "Passes through float64 on the Formance server before delivery: exact only up to 2^53 (Number.MAX_SAFE_INTEGER).\nFetch the resource from the API when the exact value matters.";
const BIGINT_DOC =
  "Integer in minor units. A JSON number today (rounded above 2^53 by the float64 round trip of deliveries;\nfrom 1e21 in exponent form); newer payments releases send a decimal string, which is exact.\n`BigInt(value)` accepts both. Fetch the resource from the API when the exact value matters.";

/**
 * `delivery: true` emits webhook delivery payloads instead of API bodies: `format: bigint` numbers are
 * `number | string` (deliveries went through float64, or arrive as strings), optional properties also
 * accept `null`, and no `<Name>Input` types are made.
 */
/** Sets `schema` at the dotted property `path` of an object schema (`balances.main`; `[]` steps into array items). */
function setProperty(component, path, schema) {
  const keys = path.split(".");
  let node = component;
  const child = (n, key) =>
    key === "[]"
      ? n?.items
      : (n?.properties?.[key] ?? n?.allOf?.map((m) => m.properties?.[key]).find(Boolean));
  for (const key of keys.slice(0, -1)) {
    node = child(node, key);
    if (!node) throw new Error(`PROPERTY_PATCHES: no property ${path} to patch`);
  }
  node.properties ??= {};
  node.properties[keys.at(-1)] = schema;
}

export class SchemaEmitter {
  constructor(spec, service, { delivery = false } = {}) {
    this.delivery = delivery;
    this.prefix = service[0].toUpperCase() + service.slice(1);
    this.spec = spec;
    this.components = spec.components?.schemas ?? {};
    this.deref = resolver(spec);
    this.bigintComponents = new Set(BIGINT_COMPONENTS[service] ?? []);
    for (const [name, props] of Object.entries(OPTIONAL_PROPERTIES[service] ?? {})) {
      const schema = this.components[name];
      schema.required = (schema.required ?? []).filter((p) => !props.includes(p));
    }
    for (const [name, schema] of Object.entries(REPLACED_COMPONENTS[service] ?? {})) {
      if (this.components[name]) this.components[name] = schema;
    }
    for (const [name, patches] of Object.entries(PROPERTY_PATCHES[service] ?? {})) {
      // Event payload specs (delivery: true) share the service name but not these components.
      if (!this.components[name]) continue;
      for (const [path, schema] of Object.entries(patches)) setProperty(this.components[name], path, schema);
    }
    this.reset();
    this.order = [];
    this.lazyEdges = new Set();
    this.#orderComponents();
  }

  /** The public name of a component (prefixed when it would clash with a core export). */
  name(component) {
    return RESERVED.has(component) ? `${this.prefix}${component}` : component;
  }

  /** Start a new file: forget which helpers, schemas and types were used. */
  reset() {
    this.helpers = new Set();
    this.usedSchemas = new Set();
    this.usedTypes = new Set();
  }

  // ---- ordering: emit dependencies first; a reference back into a cycle becomes v.lazy ----
  #orderComponents() {
    const state = new Map(); // name → "visiting" | "done"
    const visit = (name) => {
      state.set(name, "visiting");
      for (const dep of this.#refsOf(this.components[name])) {
        if (state.get(dep) === "visiting") this.lazyEdges.add(`${name}>${dep}`);
        else if (!state.has(dep)) visit(dep);
      }
      state.set(name, "done");
      this.order.push(name);
    };
    for (const name of Object.keys(this.components).sort()) if (!state.has(name)) visit(name);
  }

  #refsOf(node, out = new Set()) {
    if (Array.isArray(node)) for (const n of node) this.#refsOf(n, out);
    else if (node && typeof node === "object") {
      if (typeof node.$ref === "string" && node.$ref.startsWith("#/components/schemas/"))
        out.add(refName(node.$ref));
      for (const [k, v] of Object.entries(node))
        if (k !== "example" && k !== "examples") this.#refsOf(v, out);
    }
    return out;
  }

  // ---- valibot ----
  valibot(s, ctx = {}) {
    if (!s || s === true) return "v.unknown()";
    if (s.$ref) {
      const name = refName(s.$ref);
      const lazy = ctx.from && (this.lazyEdges.has(`${ctx.from}>${name}`) || ctx.from === name);
      const schema = `${this.name(name)}Schema`;
      this.usedSchemas.add(schema);
      return lazy || ctx.forwardRefs ? `v.lazy(() => ${schema})` : schema;
    }
    let out;
    const { type, nullable } = typeOf(s);
    if (s.allOf) out = this.#objectValibot(this.mergeAllOf(s), ctx);
    else if (s.oneOf || s.anyOf) out = this.#unionValibot(s, ctx);
    else if (this.delivery && s.format === "bigint") out = "v.union([v.number(), v.string()])";
    else {
      switch (type) {
        case "string":
          if (s.enum) {
            this.helpers.add("openEnum");
            out = `openEnum(${JSON.stringify(s.enum)})`;
          } else if (s.format === "date-time") {
            this.helpers.add("timestamp");
            out = "timestamp";
          } else out = "v.string()";
          break;
        case "integer":
          if (s.format === "bigint" || ctx.bigint) {
            this.helpers.add("bigint");
            out = "bigint";
          } else out = "v.number()";
          break;
        case "number":
          out = "v.number()";
          break;
        case "boolean":
          out = "v.boolean()";
          break;
        case "array":
          this.helpers.add("list");
          return `list(${this.valibot(s.items, ctx)})`;
        case "object":
          out = this.#objectValibot(s, ctx);
          if (out.startsWith("map(")) return out;
          break;
        default:
          out = "v.unknown()";
      }
    }
    return nullable ? `v.nullable(${out})` : out;
  }

  #objectValibot(s, ctx) {
    const props = Object.entries(s.properties ?? {});
    if (!props.length) {
      this.helpers.add("map");
      const ap = s.additionalProperties;
      return `map(${ap && ap !== true ? this.valibot(ap, ctx) : "v.unknown()"})`;
    }
    const required = requiredOf(s);
    const entries = props.map(([name, p]) => {
      const inner = this.valibot(p, ctx);
      const optional = this.delivery ? `v.nullish(${inner})` : `v.optional(${inner})`;
      return `${key(name)}: ${required.has(name) ? inner : optional}`;
    });
    const rest = s.additionalProperties;
    if (rest && rest !== true && Object.keys(rest).length) {
      // Declared properties plus typed extra keys (e.g. a ledger chart segment's sub-accounts).
      return `v.objectWithRest({ ${entries.join(", ")} }, ${this.valibot(rest, ctx)})`;
    }
    return `v.looseObject({ ${entries.join(", ")} })`;
  }

  #unionValibot(s, ctx) {
    const options = s.oneOf ?? s.anyOf;
    const union = `v.union([${options.map((o) => this.valibot(o, ctx)).join(", ")}])`;
    if (!s.discriminator?.mapping) return union;
    this.helpers.add("oneOf");
    const branches = Object.entries(s.discriminator.mapping)
      .map(([value, ref]) => `${key(value)}: ${this.valibot({ $ref: ref }, ctx)}`)
      .join(", ");
    return `oneOf(${JSON.stringify(s.discriminator.propertyName)}, { ${branches} }, ${union})`;
  }

  /** allOf members (after references) merged into one object schema. */
  mergeAllOf(s) {
    const merged = { type: "object", properties: {}, required: [] };
    const add = (part) => {
      const node = this.deref(part);
      if (node.allOf) node.allOf.forEach(add);
      if (node.oneOf || node.anyOf) throw new Error("allOf with a oneOf member is not supported");
      Object.assign(merged.properties, node.properties ?? {});
      merged.required.push(...(node.required ?? []));
      if (node.additionalProperties !== undefined) merged.additionalProperties = node.additionalProperties;
      if (node.description && !merged.description) merged.description = node.description;
    };
    for (const part of s.allOf) add(part);
    if (s.properties) Object.assign(merged.properties, s.properties);
    if (s.required) merged.required.push(...s.required);
    return merged;
  }

  // ---- TypeScript types; mode "out" (responses) or "in" (inputs: timestamps also accept Date) ----
  needsInput(name, seen = new Set()) {
    if (this.delivery) return false;
    if (this.#inputMemo?.has(name)) return this.#inputMemo.get(name);
    this.#inputMemo ??= new Map();
    if (seen.has(name)) return false;
    seen.add(name);
    const found = this.#hasTimestamp(this.components[name], seen);
    if (seen.size === 1 || found) this.#inputMemo.set(name, found);
    return found;
  }
  #inputMemo;

  #hasTimestamp(node, seen) {
    if (Array.isArray(node)) return node.some((n) => this.#hasTimestamp(n, seen));
    if (!node || typeof node !== "object") return false;
    if (node.$ref) return this.needsInput(refName(node.$ref), seen);
    if (node.type === "string" && node.format === "date-time") return true;
    return Object.entries(node).some(([k, v]) => k !== "example" && this.#hasTimestamp(v, seen));
  }

  typeName(name, mode) {
    return mode === "in" && this.needsInput(name) ? `${this.name(name)}Input` : this.name(name);
  }

  ts(s, mode, ctx = {}, indent = "") {
    if (!s || s === true) return "unknown";
    if (s.$ref) {
      const name = this.typeName(refName(s.$ref), mode);
      this.usedTypes.add(name);
      return name;
    }
    let out;
    const { type, nullable } = typeOf(s);
    if (s.allOf) out = this.#objectTs(this.mergeAllOf(s), mode, ctx, indent);
    else if (s.oneOf || s.anyOf)
      out = (s.oneOf ?? s.anyOf).map((o) => this.ts(o, mode, ctx, indent)).join(" | ");
    else if (this.delivery && s.format === "bigint") out = "number | string";
    else {
      switch (type) {
        case "string":
          if (s.enum) out = `${s.enum.map((e) => JSON.stringify(e)).join(" | ")} | (string & {})`;
          else if (s.format === "date-time") out = mode === "in" ? "string | Date" : "string";
          else out = "string";
          break;
        case "integer":
          out = s.format === "bigint" || ctx.bigint ? "bigint" : "number";
          break;
        case "number":
          out = "number";
          break;
        case "boolean":
          out = "boolean";
          break;
        case "array": {
          const item = this.ts(s.items, mode, ctx, indent);
          out = /[|&\s]/.test(item) && !item.startsWith("{") ? `Array<${item}>` : `${item}[]`;
          break;
        }
        case "object":
          out = this.#objectTs(s, mode, ctx, indent);
          break;
        default:
          out = "unknown";
      }
    }
    return nullable && out !== "unknown" ? `${out} | null` : out;
  }

  #objectTs(s, mode, ctx, indent) {
    const props = Object.entries(s.properties ?? {});
    if (!props.length) {
      const ap = s.additionalProperties;
      return `Record<string, ${ap && ap !== true ? this.ts(ap, mode, ctx, indent) : "unknown"}>`;
    }
    return `{\n${this.members(s, mode, ctx, `${indent}  `)}${indent}}`;
  }

  members(s, mode, ctx, indent) {
    const required = requiredOf(s);
    const rest = s.additionalProperties;
    let index = "";
    if (rest && rest !== true && Object.keys(rest).length && Object.keys(s.properties ?? {}).length) {
      // An index signature must admit the declared properties too.
      const types = new Set([this.ts(rest, mode, ctx, indent)]);
      for (const p of Object.values(s.properties)) types.add(this.ts(p, mode, ctx, indent));
      index = `${indent}[key: string]: ${[...types].join(" | ")} | undefined;\n`;
    }
    return (
      index +
      Object.entries(s.properties ?? {})
        .map(([name, p]) => {
          const d = this.deref(p);
          const note = [
            p.description ?? (p.$ref ? undefined : d.description),
            p.deprecated || d.deprecated ? "@deprecated" : "",
            this.delivery ? this.#deliveryNote(d) : "",
          ]
            .filter(Boolean)
            .join("\n\n");
          let type = this.ts(p, mode, ctx, indent);
          if (this.delivery && !required.has(name) && type !== "unknown" && !type.endsWith("| null"))
            type += " | null";
          return `${doc(note, indent)}${indent}${key(name)}${required.has(name) ? "" : "?"}: ${type};\n`;
        })
        .join("")
    );
  }

  /** What a delivered number can be trusted for. */
  #deliveryNote(s) {
    const { type } = typeOf(s);
    if (type !== "number" && type !== "integer") return "";
    return s.format === "bigint" ? BIGINT_DOC : NUMBER_DOC;
  }

  // ---- files ----
  schemasFile(header) {
    const body = this.order
      .map((name) => {
        const s = this.components[name];
        const ctx = { from: name, bigint: this.bigintComponents.has(name) };
        const expr = this.valibot(s, ctx);
        return `export const ${this.name(name)}Schema: v.GenericSchema<unknown, ${this.name(name)}> = ${pure(expr)} as never;\n`;
      })
      .join("");
    const helpers = [...this.helpers].sort();
    const typeNames = this.order.map((n) => this.name(n)).join(", ");
    return `${header}import * as v from "valibot";\nimport { ${helpers.join(", ")} } from "@formance/sdk-core";\nimport type { ${typeNames} } from "./types";\n\n${body}`;
  }

  typesFile(header) {
    const out = [];
    for (const name of Object.keys(this.components).sort()) {
      const s = this.components[name];
      const ctx = { bigint: this.bigintComponents.has(name) };
      for (const mode of this.needsInput(name) ? ["out", "in"] : ["out"]) {
        const typeName = this.typeName(name, mode);
        const merged = s.allOf ? this.mergeAllOf(s) : s;
        const description = [s.description, s.deprecated ? "@deprecated" : ""].filter(Boolean).join("\n\n");
        const isInterface =
          !s.oneOf && !s.anyOf && !s.nullable && Object.keys(merged.properties ?? {}).length > 0;
        out.push(
          isInterface
            ? `${doc(description)}export interface ${typeName} {\n${this.members(merged, mode, ctx, "  ")}}\n`
            : `${doc(description)}export type ${typeName} = ${this.ts(s, mode, ctx)};\n`,
        );
      }
    }
    return `${header}${out.join("\n")}`;
  }
}
