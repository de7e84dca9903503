// Loads the specs and normalises each operation into plain data the emitters can use.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { CORRECTIONS } from "./corrections.mjs";

export const SERVICES = {
  ledger: { file: "ledger.yaml", versions: ["v1", "v2"] },
  payments: { file: "payments.yaml", versions: ["v1", "v3"] },
  orchestration: { file: "orchestration.yaml", versions: ["v1", "v2"] },
  wallets: { file: "wallets.yaml", versions: ["v1"] },
  webhooks: { file: "webhooks.yaml", versions: ["v1"] },
  reconciliation: { file: "reconciliation.yaml", versions: ["v1"] },
  auth: { file: "auth.yaml", versions: ["v1"] },
  search: { file: "search.yaml", versions: ["v1"] },
  gateway: { file: "gateway.yaml", versions: [] },
};

export function loadSpecs(dir) {
  const docs = {};
  for (const [service, { file }] of Object.entries(SERVICES))
    docs[service] = parse(readFileSync(join(dir, file), "utf8"));
  const operations = JSON.parse(readFileSync(join(dir, "operations.json"), "utf8"));
  return { docs, operations };
}

const lowerFirst = (s) => s[0].toLowerCase() + s.slice(1);
export const camel = (s) => lowerFirst(s.replace(/[_\-.]+([a-zA-Z0-9])/g, (_, c) => c.toUpperCase()));
export const pascal = (s) => {
  const c = camel(s);
  return c[0].toUpperCase() + c.slice(1);
};

/** DESIGN §4: operationId minus its version prefix, first letter lower-cased, under the tag's version. */
export function placement(op) {
  const tag = op.tags[0];
  if (!tag) return { service: "gateway", version: "", method: lowerFirst(op.operationId) };
  const [service, version = "v2"] = tag.split("."); // the two plain `ledger` tags live under ledger.v2
  return { service, version, method: lowerFirst(op.operationId.replace(/^v\d+(?=[A-Z])/, "")) };
}

export function resolver(doc) {
  const get = (ref) =>
    ref
      .slice(2)
      .split("/")
      .reduce((node, key) => node[key.replace(/~1/g, "/").replace(/~0/g, "~")], doc);
  return function deref(node) {
    let seen = 0;
    while (node?.$ref) {
      node = get(node.$ref);
      if (++seen > 20) throw new Error("reference loop");
    }
    return node;
  };
}

/** Everything the emitters need about one operation, with the corrections of API-FACTS applied. */
export function normalise(op, doc) {
  const deref = resolver(doc);
  const where = placement(op);
  const item = doc.paths[op.path];
  const spec = item?.[op.method.toLowerCase()];
  if (!spec)
    throw new Error(`${op.operationId}: ${op.method} ${op.path} not found in the ${op.service} spec`);
  const fix = CORRECTIONS.forOperation(op, spec);

  // Parameters: path-item level first, operation level overrides (same name and location).
  const byKey = new Map();
  for (const raw of [...(item.parameters ?? []), ...(spec.parameters ?? [])]) {
    const p = deref(raw);
    byKey.set(`${p.in}:${p.name}`, p);
  }
  const params = [];
  for (const p of byKey.values()) {
    if (p["x-speakeasy-ignore"]) continue; // legacy snake_case duplicates the servers never read (§2.7)
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
