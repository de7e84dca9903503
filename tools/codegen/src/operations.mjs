// One file per service version: for each operation its input type and its descriptor.
import { NOT_SERVED } from "./corrections.mjs";
import { doc, key, pure } from "./schemas.mjs";
import { pascal } from "./spec.mjs";

/** The JSDoc of an operation: summary, description, notes, route and scopes, deprecation. */
function operationDoc(n) {
  return [
    n.summary,
    n.description && n.description.trim() !== n.summary?.trim() ? n.description : "",
    NOT_SERVED[n.id] ? `Note: ${NOT_SERVED[n.id]}` : "",
    `\`${n.httpMethod} ${n.op.path}\` (\`${n.id}\`${n.scopes.length ? `, scopes: ${n.scopes.join(" ")}` : ""})`,
    n.deprecated ? "@deprecated Deprecated upstream." : "",
  ].filter(Boolean);
}

/** What the call resolves to, and where it sits in the response. */
function shapeOf(n, emitter) {
  const { fix } = n;
  if (fix.kind === "count") return { kind: "count", type: "bigint" };
  if (fix.kind === "ndjson") {
    emitter.usedTypes.add(fix.outputRef);
    return { kind: "ndjson", type: `AsyncIterable<${fix.outputRef}>` };
  }
  if (!n.responseSchema) return { kind: "void", type: "void" };
  // The server wraps the declared schema in `{data: ...}` (docs/SERVER-BEHAVIOUR.md, Payments).
  if (fix.dataWrapped) return { kind: "json", unwrap: "data", schema: n.responseSchema };
  const root = n.deref(n.responseSchema);
  const props = root.properties ?? (root.allOf ? emitter.mergeAllOf(root).properties : undefined) ?? {};
  const names = Object.keys(props);
  // Cursor-paginated = a `cursor` query parameter and a `cursor` object with `hasMore` and `data`
  // (docs/SERVER-BEHAVIOUR.md, All services).
  if (props.cursor) {
    const cursor = emitter.deref(props.cursor);
    const merged = cursor.allOf ? emitter.mergeAllOf(cursor) : cursor;
    const data = merged.properties?.data;
    const paged =
      data && merged.properties?.hasMore && n.params.some((p) => p.field === "cursor") && !fix.notPaged;
    if (paged) return { kind: "page", unwrap: "cursor", item: data.items, type: null };
    if (names.length === 1) return { kind: "json", unwrap: "cursor", schema: props.cursor };
  }
  if (names.length === 1 && names[0] === "data") return { kind: "json", unwrap: "data", schema: props.data };
  return { kind: "json", schema: n.responseSchema };
}

export function operationsFile(header, service, version, normalised, emitter) {
  emitter.reset();
  const core = new Set();
  const blocks = [];

  for (const n of normalised) {
    const shape = shapeOf(n, emitter);
    const inputName = `${pascal(n.method)}Input`;

    // Input type and schema.
    const fields = [];
    const schemaFields = [];
    const params = {};
    for (const p of n.params) {
      const isKey = p.in === "header" && p.wire.toLowerCase() === "idempotency-key";
      const type = emitter.ts(p.schema, "in");
      const note = [
        p.description,
        isKey ? "Generated per call when omitted, and reused on every retry." : "",
        p.deprecated ? "@deprecated" : "",
      ]
        .filter(Boolean)
        .join("\n\n");
      fields.push(`${doc(note, "  ")}  ${key(p.field)}${p.required ? "" : "?"}: ${type};\n`);
      const schema =
        p.style === "deepObject"
          ? "v.record(v.string(), v.unknown())"
          : emitter.valibot(p.schema, { forwardRefs: false });
      schemaFields.push(`${key(p.field)}: ${p.required ? schema : `v.optional(${schema})`}`);
      const wire = p.wire === p.field ? "" : `:${p.wire}`;
      params[p.field] = `${p.in}${wire || (p.style ? `:${p.wire}` : "")}${p.style ? `:${p.style}` : ""}`;
    }
    let bodyKind;
    if (n.body?.as === "stream") {
      bodyKind = "stream";
      fields.push(
        `${doc("The log stream: NDJSON bytes, or an async iterable of log objects (e.g. the result of exportLogs).", "  ")}  body: StreamBodyInput;\n`,
      );
      // The core's schema checks the body and turns an async iterable into an NDJSON stream.
      core.add("streamBody");
      core.add("type StreamBodyInput");
      schemaFields.push("body: streamBody");
    } else if (n.body) {
      bodyKind = n.body.as;
      const type = emitter.ts(n.body.schema, "in");
      const note =
        n.body.as === "query"
          ? "Filter (query builder JSON), sent as the `query` URL parameter."
          : n.body.description;
      fields.push(`${doc(note, "  ")}  body${n.body.required ? "" : "?"}: ${type};\n`);
      const schema = emitter.valibot(n.body.schema, {});
      schemaFields.push(`body: ${n.body.required ? schema : `v.optional(${schema})`}`);
    }

    // Output.
    let outputExpr;
    let outType;
    if (shape.kind === "page") {
      outputExpr = emitter.valibot(shape.item, {});
      outType = emitter.ts(shape.item, "out");
    } else if (shape.kind === "ndjson") {
      outputExpr = emitter.valibot({ $ref: `#/components/schemas/${n.fix.outputRef}` }, {});
      outType = shape.type;
    } else if (shape.schema) {
      outputExpr = emitter.valibot(shape.schema, {});
      outType = emitter.ts(shape.schema, "out");
      if (n.fix.maybeEmpty) outType += " | undefined";
    } else outType = shape.type;

    const descriptor = {
      id: JSON.stringify(n.id),
      // What the caller wrote after `sdk.`: `ledger.v2.createTransaction`, or `getVersions` on the root.
      name: JSON.stringify(service === "gateway" ? n.method : `${service}.${version}.${n.method}`),
      service: JSON.stringify(service === "gateway" ? "" : service),
      method: JSON.stringify(n.httpMethod),
      path: JSON.stringify(n.path),
    };
    if (Object.keys(params).length) {
      descriptor.params = `{ ${Object.entries(params)
        .map(([f, l]) => `${key(f)}: ${JSON.stringify(l)}`)
        .join(", ")} }`;
    }
    if (bodyKind) descriptor.body = JSON.stringify(bodyKind);
    if (schemaFields.length) descriptor.input = pure(`v.strictObject({ ${schemaFields.join(", ")} })`);
    if (outputExpr) descriptor.output = pure(outputExpr);
    if (shape.unwrap) descriptor.unwrap = JSON.stringify(shape.unwrap);
    if (shape.kind !== "json") descriptor.kind = JSON.stringify(shape.kind);
    if (n.fix.extraSuccess.length) descriptor.success = JSON.stringify(n.fix.extraSuccess);
    descriptor.scopes = JSON.stringify(n.scopes);
    const keyParam = n.params.find((p) => p.in === "header" && p.wire.toLowerCase() === "idempotency-key");
    const idemHeader = keyParam?.wire ?? n.fix.idempotencyHeader;
    if (idemHeader) descriptor.idempotencyHeader = JSON.stringify(idemHeader);
    if (shape.kind === "page" && n.fix.keepOnNextPage) {
      const kept = n.fix.keepOnNextPage.filter((f) => n.params.some((p) => p.field === f));
      if (kept.length) descriptor.keepOnNextPage = JSON.stringify(kept);
    }
    if (n.deprecated) descriptor.deprecated = "true";

    const opType = shape.kind === "page" ? "PageOperation" : "Operation";
    // One factory per result kind, so a bundle carries the page and stream readers only when it calls them.
    const factory =
      shape.kind === "page" ? "pageOperation" : shape.kind === "ndjson" ? "streamOperation" : "operation";
    core.add(`type ${opType}`);
    core.add(factory);
    const notes = operationDoc(n);
    blocks.push(
      `${doc(`Input of {@link ${n.method}}.`)}export interface ${inputName} {\n${fields.join("")}}\n\n` +
        `${doc(notes.join("\n\n"))}export const ${n.method}: ${opType}<${inputName}, ${outType}> = /* @__PURE__ */ ${factory}({\n` +
        Object.entries(descriptor)
          .map(([k, v]) => `  ${k}: ${v},\n`)
          .join("") +
        "});\n",
    );
  }

  const byName = (a, b) => a.replace(/^type /, "").localeCompare(b.replace(/^type /, ""));
  const lines = [
    header,
    `import * as v from "valibot";`,
    `import { ${[...core, ...emitter.helpers].sort(byName).join(", ")} } from "@formance/sdk-core";`,
  ];
  const up = version ? "../" : "./"; // a version folder, or the gateway's file beside schemas.ts
  if (emitter.usedSchemas.size)
    lines.push(`import { ${[...emitter.usedSchemas].sort().join(", ")} } from "${up}schemas";`);
  if (emitter.usedTypes.size)
    lines.push(`import type { ${[...emitter.usedTypes].sort().join(", ")} } from "${up}types";`);
  return `${lines.join("\n")}\n\n${blocks.join("\n")}`;
}

/**
 * The facade of one version: its operations bound to a client. Named imports (not a namespace
 * object) so that bundlers can still drop operations a standalone user does not call, and an
 * interface spelled out member by member so that every method carries its operation's docs.
 */
export function facadeFile(header, className, version, normalised) {
  const type = `${className}${version.toUpperCase()}`;
  const methods = normalised.map((n) => n.method);
  const members = normalised
    .map(
      (n) => `${doc(operationDoc(n).join("\n\n"), "  ")}  ${n.method}: BoundOperation<typeof ${n.method}>;\n`,
    )
    .join("");
  return `${header}import { bind, type BoundOperation, type CoreClient } from "@formance/sdk-core";
import { ${methods.join(", ")} } from "./operations";

/** ${className} ${version} operations bound to a client. */
export interface ${type} {
${members}}

export function ${className[0].toLowerCase()}${className.slice(1)}${version.toUpperCase()}(client: CoreClient): ${type} {
  return bind(client, { ${methods.join(", ")} }) as ${type};
}
`;
}

/** The service class: `new Ledger(options | client)` with lazy `v1`, `v2`. */
export function serviceFile(header, className, versions) {
  const factory = (v) => `${className[0].toLowerCase()}${className.slice(1)}${v.toUpperCase()}`;
  const imports = versions
    .map((v) => `import { ${factory(v)}, type ${className}${v.toUpperCase()} } from "./${v}/facade";`)
    .join("\n");
  const fields = versions.map((v) => `  #${v}: ${className}${v.toUpperCase()} | undefined;`).join("\n");
  const getters = versions
    .map(
      (v) =>
        `  /** ${className} API ${v}. */\n  get ${v}(): ${className}${v.toUpperCase()} {\n    return (this.#${v} ??= ${factory(v)}(this.client));\n  }`,
    )
    .join("\n\n");
  return `${header}import { type ClientOptions, type CoreClient, toClient } from "@formance/sdk-core";
${imports}

export type { ${versions.map((v) => `${className}${v.toUpperCase()}`).join(", ")} };

/**
 * The Formance ${className} client. Pass client options, or a core client shared with other services.
 *
 * @example
 * const ${className.toLowerCase()} = new ${className}({ serverURL: "http://localhost:8080" });
 */
export class ${className} {
  readonly client: CoreClient;
${fields}

  constructor(clientOrOptions?: CoreClient | ClientOptions) {
    this.client = toClient(clientOrOptions);
  }

${getters}
}
`;
}
