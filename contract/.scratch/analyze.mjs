import { readFileSync } from "node:fs";
import { parse } from "yaml";
const dir = "/work/shared/openapi";
const ops = JSON.parse(readFileSync(`${dir}/operations.json`, "utf8"));
const docs = {};
for (const s of new Set(ops.map(o => o.service))) docs[s] = parse(readFileSync(`${dir}/${s}.yaml`, "utf8"));
const deref = (doc, n) => { while (n && n.$ref) n = n.$ref.slice(2).split("/").reduce((a, k) => a[k], doc); return n; };
for (const o of ops) {
  const doc = docs[o.service]; const item = doc.paths[o.path]; const op = item[o.method.toLowerCase()];
  const params = [...(item.parameters ?? []), ...(op.parameters ?? [])].map(p => deref(doc, p)).map(p => `${p.in}:${p.name}${p.required ? "*" : ""}`);
  const rb = op.requestBody && deref(doc, op.requestBody);
  const body = rb ? `${Object.keys(rb.content).join("|")}${rb.required ? "*" : ""}` : "";
  const resp = Object.keys(op.responses).join(",");
  console.log(`${o.service} ${o.method} ${o.operationId} [${params.join(" ")}] body=${body} resp=${resp} sec=${JSON.stringify(op.security ?? doc.security ?? null)}`);
}
