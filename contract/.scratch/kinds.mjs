import { readFileSync } from "node:fs";
import { parse } from "yaml";
for (const s of ["ledger","payments","orchestration","wallets","webhooks","reconciliation","auth","search","gateway"]) {
  const d = parse(readFileSync(`/work/shared/openapi/${s}.yaml`, "utf8"));
  console.log(s, d.openapi, Object.keys(d), Object.fromEntries(Object.entries(d.components ?? {}).map(([k, v]) => [k, Object.keys(v).length])), JSON.stringify(d.security), JSON.stringify(d.components?.securitySchemes));
  const s2 = JSON.stringify(d); const refs = new Set([...s2.matchAll(/"\$ref":"([^"]+)"/g)].map(m => m[1].split("/").slice(0,3).join("/"))); console.log([...refs]);
}
