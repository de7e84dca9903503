import { readFileSync } from "node:fs";
import { parse } from "yaml";
for (const s of ["ledger","payments","orchestration","wallets","webhooks","reconciliation","auth","search","gateway"]) {
  const d = parse(readFileSync(`/work/shared/openapi/${s}.yaml`, "utf8"));
  const walk = (n, path) => {
    if (!n || typeof n !== "object") return;
    if (n.properties && n.additionalProperties && typeof n.additionalProperties === "object") console.log(s, "props+AP", path);
    if (n.format === "url" || n.format === "uri") console.log(s, "format", n.format, path, JSON.stringify(n.example));
    if (n.oneOf) console.log(s, "oneOf", path, n.discriminator ? "discriminated" : "", n.oneOf.map(x => x.$ref?.split("/").pop() ?? x.type).join(","));
    if (n.anyOf) console.log(s, "anyOf", path, n.anyOf.map(x => x.$ref?.split("/").pop() ?? x.type).join(","));
    for (const [k, v] of Object.entries(n)) walk(v, `${path}/${k}`);
  };
  walk(d.components, "#/components"); walk(d.paths, "paths");
}
