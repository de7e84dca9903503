// Loads the specs and normalises each operation into plain data the emitters can use. The contract
// suite (contract/) loads the specs through this module too, then applies its own overlay.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { CORRECTIONS, RENAMES } from "./corrections.mjs";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

/** The service table: every service, its package, folder, class name, spec file and versions. */
export const SERVICES = JSON.parse(readFileSync(join(REPO_ROOT, "tools/codegen/services.json"), "utf8"));

/** Where the specs are read from: FORMANCE_OPENAPI_DIR, default ../shared/openapi from the repository root. */
export function specDir() {
  return resolve(REPO_ROOT, process.env.FORMANCE_OPENAPI_DIR ?? "../shared/openapi");
}

const specFiles = () => ["operations.json", "base.yaml", ...Object.values(SERVICES).map((s) => s.spec)];

/** Spec files missing from `dir` ([] when everything is there). */
export function missingSpecs(dir) {
  return specFiles().filter((f) => !existsSync(join(dir, f)));
}

export function loadSpecs(dir) {
  const docs = {};
  for (const [service, { spec }] of Object.entries(SERVICES))
    docs[service] = parse(readFileSync(join(dir, spec), "utf8"));
  const base = parse(readFileSync(join(dir, "base.yaml"), "utf8"));
  const operations = JSON.parse(readFileSync(join(dir, "operations.json"), "utf8"));
  return { docs, base, operations };
}

const lowerFirst = (s) => s[0].toLowerCase() + s.slice(1);
export const camel = (s) => lowerFirst(s.replace(/[_\-.]+([a-zA-Z0-9])/g, (_, c) => c.toUpperCase()));
export const pascal = (s) => {
  const c = camel(s);
  return c[0].toUpperCase() + c.slice(1);
};

/**
 * Where an operation sits in the public API (docs/MIGRATION.md, "Method names"): the operationId minus its version
 * prefix, first letter lower-cased, under the tag's version; renamed where corrections.mjs says so.
 */
export function placement(op) {
  const tag = op.tags[0];
  if (!tag) return { service: "gateway", version: "", method: lowerFirst(op.operationId) };
  const [service, version = "v2"] = tag.split("."); // the two plain `ledger` tags live under ledger.v2
  const method = lowerFirst(op.operationId.replace(/^v\d+(?=[A-Z])/, ""));
  return { service, version, method: RENAMES[`${service}.${version}.${method}`]?.to ?? method };
}

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
      if (++seen > 20) throw new Error("reference loop");
    }
    return node;
  };
}

/** The operation object, its path item and a resolver of its document, for an operations.json entry. */
export function locate(doc, op) {
  const item = doc.paths[op.path];
  const spec = item?.[op.method.toLowerCase()];
  if (!spec)
    throw new Error(`${op.operationId}: ${op.method} ${op.path} not found in the ${op.service} spec`);
  return { item, spec, deref: resolver(doc) };
}

/** Parameters of an operation, dereferenced: path-item level first, operation level overriding. */
export function parametersOf(doc, op) {
  const { item, spec, deref } = locate(doc, op);
  const byKey = new Map();
  for (const raw of [...(item.parameters ?? []), ...(spec.parameters ?? [])]) {
    const p = deref(raw);
    byKey.set(`${p.in}:${p.name.toLowerCase()}`, p);
  }
  return [...byKey.values()];
}

/** Everything the emitters need about one operation, with the corrections table applied. */
export function normalise(op, doc) {
  const { spec, deref } = locate(doc, op);
  const where = placement(op);
  const fix = CORRECTIONS.forOperation(op);

  const params = [];
  for (const p of parametersOf(doc, op)) {
    // Legacy snake_case duplicates the ledger never reads (docs/SERVER-BEHAVIOUR.md, Ledger).
    if (p["x-speakeasy-ignore"]) continue;
    const field = camel(p.name);
    if (params.some((q) => q.field === field))
      throw new Error(`${op.operationId}: duplicate input field ${field}`);
    const schema = p.schema ?? p.content?.["application/json"]?.schema ?? { type: "string" };
    params.push({
      field,
      wire: p.name,
      in: p.in,
      required: p.in === "path" || (p.required === true && !fix.optionalParams.includes(p.name)),
      style: p.style === "deepObject" ? "deepObject" : undefined,
      schema,
      description: p.description,
      deprecated: p.deprecated === true,
    });
  }

  // Request body.
  let body;
  const rb = spec.requestBody && deref(spec.requestBody);
  if (rb && !fix.dropBody) {
    const json = rb.content?.["application/json"];
    if (fix.streamBody) body = { as: "stream", required: rb.required === true };
    else if (json) {
      body = {
        as: fix.bodyAsQuery ? "query" : "json",
        required: !fix.bodyAsQuery && rb.required === true,
        schema: json.schema,
        description: rb.description,
      };
    }
  }

  // Success response.
  const codes = Object.keys(spec.responses ?? {}).map(String);
  const successCodes = codes.filter((c) => /^2\d\d$/.test(c) || fix.extraSuccess.includes(Number(c)));
  let responseSchema;
  for (const code of successCodes) {
    const r = deref(spec.responses[code]);
    const json = r.content?.["application/json"]?.schema;
    if (json && !responseSchema) responseSchema = json;
  }
  const security = spec.security ?? doc.security;
  const declaredScopes = (security ?? []).flatMap((s) => Object.values(s).flat());
  return {
    op,
    spec,
    ...where,
    id: op.operationId,
    httpMethod: op.method,
    path: stripPrefix(op.path, op.service),
    summary: spec.summary ?? op.summary,
    description: spec.description,
    deprecated: op.deprecated === true || spec.deprecated === true,
    params,
    body,
    responseSchema,
    successCodes,
    scopes: declaredScopes.length ? declaredScopes : fix.defaultScopes(where.service),
    fix,
    deref,
  };
}

function stripPrefix(path, service) {
  const prefix = `/api/${service}`;
  return path.startsWith(prefix) ? path.slice(prefix.length) || "/" : path;
}
