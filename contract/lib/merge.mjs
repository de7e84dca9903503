// Merging the specs into one document for Prism. The specs are loaded by the generator's loader
// (tools/codegen/src/spec.mjs, package @formance/codegen) and never copied into the repository: the
// patched, merged result goes to a temp dir.
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
