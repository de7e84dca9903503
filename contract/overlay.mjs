// The contract overlay: patches applied (in memory, then written to a temp dir) to the official specs
// before Prism serves them, so that the mock describes what the real servers accept and what the
// SDK deliberately sends. One row per patch, each naming the section of docs/SERVER-BEHAVIOUR.md
// (a `## <Service>` heading) that documents the real behaviour, or naming the spec defect.
// Rows are applied top to bottom to the per-service documents (before they are merged).
import { locate, resolver } from "@formance/codegen/spec";

const ids =
  (...list) =>
  (op) =>
    list.includes(op.operationId);
const LEDGER_HEAD_COUNTS = ids(
  "countAccounts",
  "countTransactions",
  "v2CountAccounts",
  "v2CountTransactions",
);

export const PATCHES = [
  {
    section: "Payments",
    what: "v3UpdatePaymentMetadata takes the metadata map itself as its body (the server decodes a map[string]string), not `{metadata: {...}}`.",
    when: ids("v3UpdatePaymentMetadata"),
    apply: (_op, { spec }) => {
      spec.requestBody = {
        required: true,
        content: {
          "application/json": {
            schema: {
              type: "object",
              additionalProperties: { type: "string" },
              example: { tag: "contract" },
            },
          },
        },
      };
    },
  },
  {
    section: "Payments",
    what: "v3GetPaymentServiceUserLinkAttemptFromConnectorID answers the attempt inside `{data: ...}`, like the other v3 reads; the spec declares the bare attempt.",
    when: ids("v3GetPaymentServiceUserLinkAttemptFromConnectorID"),
    apply: (_op, { spec, deref }) => {
      const ok = deref(spec.responses["200"]);
      const schema = ok.content["application/json"].schema;
      spec.responses["200"] = {
        ...ok,
        content: {
          "application/json": {
            schema: { type: "object", required: ["data"], properties: { data: schema } },
          },
        },
      };
    },
  },
  {
    section: "Ledger, Payments",
    what: "GET/HEAD JSON request bodies (24 filter operations) become an optional `query` URL parameter holding the JSON text; the body is removed. fetch cannot send GET/HEAD bodies and the ledger v2 and payments servers read `?query=`.",
    when: (op, { spec, deref }) =>
      ["GET", "HEAD"].includes(op.method) &&
      spec.requestBody &&
      deref(spec.requestBody).content?.["application/json"],
    apply: (_op, { spec, item, deref }) => {
      delete spec.requestBody;
      const declared = [...(item.parameters ?? []), ...(spec.parameters ?? [])].map(deref);
      if (declared.some((p) => p.in === "query" && p.name === "query")) return; // payments v1 listAccounts (Payments)
      (spec.parameters ??= []).push({
        name: "query",
        in: "query",
        required: false,
        description:
          "Filter (query-builder JSON text); replaces the GET/HEAD body (docs/SERVER-BEHAVIOUR.md).",
        schema: { type: "string" },
      });
    },
  },
  {
    section: "Ledger",
    what: "HEAD counts answer 204 with the count in the `Count` header (an exact integer; the SDK reads it as a bigint); v1 countTransactions declares 200 but the server sends 204. Errors on HEAD carry no body.",
    when: LEDGER_HEAD_COUNTS,
    apply: (_op, { spec, deref }) => {
      const ok = spec.responses["204"] ?? spec.responses["200"];
      delete spec.responses["200"];
      const success = deref(ok);
      spec.responses["204"] = {
        description: success.description ?? "No Content",
        headers: {
          Count: {
            ...deref(success.headers?.Count ?? {}),
            schema: { type: "integer", format: "bigint", minimum: 0 },
            example: "9007199254740993", // 2^53 + 1: the SDK must read it exactly
          },
        },
      };
      for (const code of Object.keys(spec.responses)) {
        if (code !== "204")
          spec.responses[code] = {
            description: deref(spec.responses[code]).description ?? "Error (no body on HEAD)",
          };
      }
    },
  },
  {
    section: "Ledger",
    what: "Ledger v1 write operations accept an optional Idempotency-Key header (the server reads it, the spec omits it); the SDK sends one generated per call.",
    when: (op) =>
      op.service === "ledger" &&
      ["createTransaction", "addMetadataOnTransaction", "addMetadataToAccount", "revertTransaction"].includes(
        op.operationId,
      ),
    apply: (_op, { spec }) => {
      (spec.parameters ??= []).push({
        name: "Idempotency-Key",
        in: "header",
        required: false,
        schema: { type: "string" },
      });
    },
  },
  {
    section: "Ledger, Wallets, Webhooks",
    what: "Idempotency-Key stays optional where the specs say so (ledger v2, wallets). The webhooks replays keep it *required* on the wire: the server rejects a replay without one, and the SDK input makes it optional by generating one per call — so Prism checks that the generated key is really sent.",
    when: () => false,
  },
  {
    section: "All services, Gateway",
    what: "Every operation needs a bearer token: the 14 operations without a `security` block get `<service>:read` (GET/HEAD) or `:write`; all specs share base.yaml's `Authorization` scheme (payments, search and reconciliation define none). The gateway's undefined `NoAuthorization` becomes the anonymous alternative `{}`.",
    when: (op, { spec, doc }) => op.service === "gateway" || (!spec.security && !doc.security),
    apply: (op, { spec }) => {
      if (op.service === "gateway") {
        spec.security = [{}, { Authorization: [] }];
        return;
      }
      spec.security = [
        { Authorization: [`${op.service}:${["GET", "HEAD"].includes(op.method) ? "read" : "write"}`] },
      ];
    },
  },
  {
    section: "Ledger",
    what: "v2ImportLogs: the octet-stream body is NDJSON text (a stream of log objects), not the `{file: string}` object the spec's schema says.",
    when: ids("v2ImportLogs"),
    apply: (_op, { spec }) => {
      spec.requestBody = {
        required: true,
        content: {
          "application/octet-stream": {
            schema: { type: "string", format: "binary", description: "NDJSON: one V2Log object per line" },
          },
        },
      };
    },
  },
  {
    section: "Ledger",
    what: "v2ExportLogs: 200 streams NDJSON (one V2Log per line) as application/octet-stream — the spec declares no content; an error before the first byte is JSON sent with the octet-stream content type. Examples are generated from the V2Log / V2ErrorResponse schemas.",
    when: ids("v2ExportLogs"),
    apply: (_op, { spec }, { sample }) => {
      // The first log id is 2^53 + 1: the SDK must parse NDJSON losslessly.
      const logs = [
        sample("ledger", "V2Log", { id: 9007199254740993n, type: "NEW_TRANSACTION" }),
        sample("ledger", "V2Log", { id: 2, type: "SET_METADATA" }),
      ];
      spec.responses["200"] = {
        description: "NDJSON stream of logs",
        content: {
          "application/octet-stream": {
            schema: { type: "string", format: "binary" },
            example: `${logs.join("\n")}\n`,
          },
        },
      };
      spec.responses.default = {
        description: "Error (JSON text with the octet-stream content type)",
        content: {
          "application/octet-stream": {
            schema: { type: "string", format: "binary" },
            example: sample("ledger", "V2ErrorResponse", {
              errorCode: "INTERNAL",
              errorMessage: "export failed",
            }),
          },
        },
      };
    },
  },
  {
    section: "Wallets, Payments",
    what: "debitWallet answers 201 (pending hold) or 204; v3ListConnectorCapabilities answers 304 Not Modified. Both are declared already — ensured here, and the runner asks Prism for each.",
    when: ids("debitWallet", "v3ListConnectorCapabilities"),
    apply: (op, { spec }) => {
      if (op.operationId === "debitWallet") spec.responses["204"] ??= { description: "No Content" };
      else spec.responses["304"] ??= { description: "Not Modified" };
    },
  },
  {
    section: "Ledger (codegen OPTIONAL_PROPERTIES)",
    what: "v2CreateTransaction: `metadata` is optional on the server (the ledger's Go input leaves it nil); the spec marks it required. The SDK input makes it optional.",
    when: ids("v2CreateTransaction"),
    apply: (_op, { doc }) => {
      const schema = doc.components.schemas.V2PostTransaction;
      schema.required = (schema.required ?? []).filter((name) => name !== "metadata");
    },
  },
  {
    section: "Auth",
    what: "auth declares no error responses; the server answers 400 VALIDATION and 500 INTERNAL as `{errorCode, errorMessage}` JSON (and 404 with no body).",
    when: (op) => op.service === "auth",
    apply: (_op, { spec }) => {
      spec.responses.default ??= {
        description: "Error",
        content: {
          "application/json": {
            schema: {
              type: "object",
              required: ["errorCode", "errorMessage"],
              properties: {
                errorCode: { type: "string", enum: ["VALIDATION", "INTERNAL"] },
                errorMessage: { type: "string" },
              },
            },
          },
        },
      };
    },
  },
];

// Spec defects: places where a spec contradicts itself or cannot be read by a JSON Schema validator.
// `at` is a JSON pointer inside the service's spec; `fix` edits the node found there.
export const SPEC_FIXES = [
  {
    service: "ledger",
    at: [
      "/components/schemas/MigrationInfo/properties/version",
      "/components/schemas/V2MigrationInfo/properties/version",
    ],
    defect:
      "`version` is `type: string` (go-libs migrations.Info.Version is a string) but its example is the number 11.",
    fix: (node) => {
      node.example = "11";
      delete node.minimum;
    },
  },
  {
    service: "ledger",
    at: ["/components/schemas/Contract"],
    defect: "`required` names `accounts`, a property that does not exist (the property is `account`).",
    fix: (node) => {
      node.required = node.required.map((r) => (r === "accounts" ? "account" : r));
    },
  },
  {
    service: "ledger",
    at: ["/components/schemas/V2ConfigInfo"],
    defect:
      "`required` names `config`, a property that is not declared (the ledger sends server, version, experimentalFeatures).",
    fix: (node) => {
      node.required = node.required.filter((r) => r !== "config");
    },
  },
  {
    service: "ledger",
    at: [
      "/components/schemas/V2PipelineConfiguration",
      "/components/schemas/V2QueryParams/oneOf/0",
      "/components/schemas/V2QueryParams/oneOf/1",
      "/components/schemas/V2QueryParams/oneOf/2",
      "/components/schemas/V2QueryParams/oneOf/3",
    ],
    defect:
      "declares `properties` without `type: object`; schema samplers (Prism's static mode) then drop the properties (a pipeline came back without its required `ledger`/`exporterID`).",
    fix: (node) => {
      node.type = "object";
    },
  },
  {
    service: "orchestration",
    at: ["/components/schemas/ListRunsResponse"],
    defect: "declares `properties` without `type: object` (same as above).",
    fix: (node) => {
      node.type = "object";
    },
  },
];

// Rules applied to every schema node of every spec.
export const SCHEMA_RULES = [
  {
    section: "Payments",
    defect:
      "payments v3 ids (`connectorID`, `sourceAccountID`, `destinationAccountID`) are `format: byte`, yet they are opaque strings (the base64url text of a JSON object, payments `ConnectorIDFromString`, not standard base64); validators then decode-check them and samplers emit non-ids. The format is dropped.",
    when: (node) => node.type === "string" && node.format === "byte",
    fix: (node) => {
      delete node.format;
    },
  },
  {
    section: "spec defect",
    defect:
      "`format: url` is not an OpenAPI/JSON Schema format (validators and samplers know `uri`): payments v3 link URLs use `format: uri`.",
    when: (node) => node.type === "string" && node.format === "url",
    fix: (node) => {
      node.format = "uri";
    },
  },
  {
    section: "spec defect (OpenAPI 3.0 discriminator)",
    defect:
      "a `oneOf` with a `discriminator` relies on the discriminator to pick the branch, which JSON Schema validators ignore; the branches overlap (e.g. wallets Subject ACCOUNT/WALLET, ledger bulk results), so a valid value 'matches more than one schema'. Each branch is narrowed to its mapped discriminator values.",
    when: (node) => Array.isArray(node.oneOf) && node.discriminator?.mapping,
    fix: (node) => {
      const prop = node.discriminator.propertyName;
      node.oneOf = node.oneOf.map((branch) => {
        const keys = Object.entries(node.discriminator.mapping)
          .filter(([, ref]) => ref === branch.$ref)
          .map(([k]) => k);
        return keys.length
          ? { allOf: [branch, { type: "object", properties: { [prop]: { type: "string", enum: keys } } }] }
          : branch;
      });
    },
  },
  {
    section: "spec defect",
    defect:
      "a `oneOf` of object schemas without a discriminator whose branches are not mutually exclusive (no distinguishing required property, open objects): payments v1 task responses (the server sends the one Go type of the connector), ledger V2Log.data (the log `type` decides), the v2RunQuery response and V2QueryParams (the query's resource decides). `anyOf` says what the specs mean.",
    when: (node, { deref }) =>
      Array.isArray(node.oneOf) &&
      !node.discriminator &&
      node.oneOf.length > 1 &&
      node.oneOf.every((b) => objectLike(deref(b))),
    fix: (node) => {
      node.anyOf = node.oneOf;
      delete node.oneOf;
    },
  },
];

function objectLike(schema) {
  return (
    schema &&
    (schema.type === "object" || schema.properties || schema.allOf) &&
    schema.additionalProperties !== false
  );
}

function pointer(doc, path) {
  return path
    .slice(1)
    .split("/")
    .reduce((node, key) => node?.[key.replace(/~1/g, "/").replace(/~0/g, "~")], doc);
}

/** Every schema-like node of a document with its JSON pointer (example values skipped). */
function eachNode(node, visit, path = "") {
  if (!node || typeof node !== "object") return;
  if (!Array.isArray(node)) visit(node, path);
  for (const [key, value] of Object.entries(node)) {
    if (key !== "example" && key !== "examples")
      eachNode(value, visit, `${path}/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`);
  }
}

/** Applies every patch; returns what was applied, as [section, where, rule] rows (`run.mjs --overlay` prints them). */
export function applyOverlay(docs, operations, helpers) {
  const applied = [];
  for (const f of SPEC_FIXES) {
    for (const at of f.at) {
      const node = pointer(docs[f.service], at);
      if (!node) throw new Error(`overlay: ${f.service} ${at} not found (spec changed?)`);
      f.fix(node);
      applied.push(["spec defect", `${f.service}${at}`, f]);
    }
  }
  for (const [service, doc] of Object.entries(docs)) {
    const deref = resolver(doc);
    eachNode(doc, (node, path) => {
      for (const rule of SCHEMA_RULES) {
        if (rule.when(node, { deref })) {
          rule.fix(node);
          applied.push([rule.section, `${service}${path}`, rule]);
        }
      }
    });
  }
  for (const patch of PATCHES) {
    if (!patch.apply) continue;
    for (const op of operations) {
      const ctx = { doc: docs[op.service], ...locate(docs[op.service], op) };
      if (!patch.when(op, ctx)) continue;
      patch.apply(op, ctx, helpers);
      applied.push([patch.section, op.operationId, patch]);
    }
  }
  return applied;
}
