// Loading the specs, walking their operations, and merging them into one document for Prism.
// The specs are read from FORMANCE_OPENAPI_DIR (default ../shared/openapi from the repo root) and
// are never copied into the repository: the patched/merged result goes to a temp dir.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const SPEC_FILES = {
  ledger: "ledger.yaml",
  payments: "payments.yaml",
  orchestration: "orchestration.yaml",
  wallets: "wallets.yaml",
  webhooks: "webhooks.yaml",
  reconciliation: "reconciliation.yaml",
  auth: "auth.yaml",
  search: "search.yaml",
  gateway: "gateway.yaml",
};
export const METHODS = ["get", "head", "post", "put", "patch", "delete"];

export function specDir() {
  return resolve(REPO_ROOT, process.env.FORMANCE_OPENAPI_DIR ?? "../shared/openapi");
}

/** Missing files, or [] when every spec (and operations.json, base.yaml) is there. */
export function missingSpecs(dir) {
  return ["operations.json", "base.yaml", ...Object.values(SPEC_FILES)].filter(
    (f) => !existsSync(join(dir, f)),
  );
}

export function loadSpecs(dir) {
  const docs = {};
  for (const [service, file] of Object.entries(SPEC_FILES))
    docs[service] = parse(readFileSync(join(dir, file), "utf8"));
  const base = parse(readFileSync(join(dir, "base.yaml"), "utf8"));
  const operations = JSON.parse(readFileSync(join(dir, "operations.json"), "utf8"));
  return { docs, base, operations };
}

/** A `$ref` resolver for one document (local refs only, which is all the specs use). */
export function resolver(doc) {
  const get = (ref) =>
    ref
      .slice(2)
      .split("/")
      .reduce((node, key) => node?.[key.replace(/~1/g, "/").replace(/~0/g, "~")], doc);
  return function deref(node) {
    let seen = 0;
    while (node && typeof node === "object" && node.$ref) {
      const next = get(node.$ref);
      if (next === undefined) throw new Error(`unresolved $ref ${node.$ref}`);
      node = next;
      if (++seen > 50) throw new Error("reference loop");
    }
    return node;
  };
}

/** The operation object, its path item and its document, for an operations.json entry. */
export function locate(docs, op) {
  const doc = docs[op.service];
  const item = doc.paths[op.path];
  const spec = item?.[op.method.toLowerCase()];
  if (!spec) throw new Error(`${op.operationId}: ${op.method} ${op.path} not in ${op.service} spec`);
  return { doc, item, spec, deref: resolver(doc) };
}

/** Parameters of an operation (path-item level first, operation level overriding), dereferenced. */
export function parametersOf(docs, op) {
  const { item, spec, deref } = locate(docs, op);
  const byKey = new Map();
  for (const raw of [...(item.parameters ?? []), ...(spec.parameters ?? [])]) {
    const p = deref(raw);
    byKey.set(`${p.in}:${p.name.toLowerCase()}`, p);
  }
  return [...byKey.values()];
}

const COMPONENT_KINDS = [
  "schemas",
  "parameters",
  "responses",
  "requestBodies",
  "headers",
  "examples",
  "links",
  "callbacks",
];

/**
 * One OpenAPI document holding every service: paths are disjoint (each is prefixed `/api/<service>`,
 * the gateway's `/versions` sits at the root); components are renamed `<service>_<Name>` so equal
 * names in different specs cannot collide. One shared `Authorization` scheme (base.yaml's).
 */
export function mergeSpecs(docs, base) {
  const merged = {
    openapi: "3.0.3",
    info: { title: "Formance Stack API (contract test document, patched)", version: "contract" },
    servers: [{ url: "http://127.0.0.1" }],
    paths: {},
    components: { securitySchemes: structuredClone(base.components.securitySchemes) },
  };
  for (const kind of COMPONENT_KINDS) merged.components[kind] = {};
  for (const [service, doc] of Object.entries(docs)) {
    const rename = (node) => {
      if (Array.isArray(node)) return node.map(rename);
      if (!node || typeof node !== "object") return node;
      const out = {};
      for (const [k, v] of Object.entries(node)) {
        if (k === "$ref" && typeof v === "string" && v.startsWith("#/components/")) {
          const [, , kind, name] = v.split("/");
          out.$ref = `#/components/${kind}/${service}_${name}`;
        } else if (k === "discriminator" && v?.mapping) {
          const mapping = Object.fromEntries(
            Object.entries(v.mapping).map(([key, ref]) => [
              key,
              ref.replace(/^#\/components\/(\w+)\//, `#/components/$1/${service}_`),
            ]),
          );
          out.discriminator = { ...v, mapping };
        } else out[k] = rename(v);
      }
      return out;
    };
    for (const [path, item] of Object.entries(doc.paths)) {
      if (!path.startsWith("/")) continue; // `x-speakeasy-errors` and other extensions (Appendix A)
      if (merged.paths[path]) throw new Error(`path ${path} declared by two specs`);
      merged.paths[path] = rename(item);
    }
    for (const kind of COMPONENT_KINDS) {
      for (const [name, value] of Object.entries(doc.components?.[kind] ?? {})) {
        merged.components[kind][`${service}_${name}`] = rename(value);
      }
    }
  }
  for (const kind of COMPONENT_KINDS)
    if (!Object.keys(merged.components[kind]).length) delete merged.components[kind];
  return merged;
}
