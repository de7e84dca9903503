// The contract overlay: patches applied (in memory, then written to a temp dir) to the official specs
// before Prism serves them, so that the mock describes what the real servers accept and what the
// SDK deliberately sends. One row per patch, each citing the section of API-FACTS.md
// (../shared/docs/API-FACTS.md) that documents the real behaviour, or naming the spec defect.
// Rows are applied top to bottom to the per-service documents (before they are merged).
import { mergeAllOf } from "./lib/fixtures.mjs";
import { locate, METHODS } from "./lib/spec.mjs";

const ids = (...list) => (op) => list.includes(op.operationId);
const LEDGER_HEAD_COUNTS = ids("countAccounts", "countTransactions", "v2CountAccounts", "v2CountTransactions");

export const PATCHES = [
  {
    section: "§3.4 (§3.1, §3.2)",
    what: "GET/HEAD JSON request bodies (24 filter operations) become an optional `query` URL parameter holding the JSON text; the body is removed. fetch cannot send GET/HEAD bodies and the ledger v2 and payments servers read `?query=`.",
    when: (op, { spec, deref }) => ["GET", "HEAD"].includes(op.method) && spec.requestBody && deref(spec.requestBody).content?.["application/json"],
    apply: (op, { spec, item, deref }) => {
      delete spec.requestBody;
      const declared = [...(item.parameters ?? []), ...(spec.parameters ?? [])].map(deref);
      if (declared.some((p) => p.in === "query" && p.name === "query")) return; // payments v1 listAccounts (§2.5)
      (spec.parameters ??= []).push({
        name: "query",
        in: "query",
        required: false,
        description: "Filter (query-builder JSON text); replaces the GET/HEAD body (API-FACTS §3.4).",
        schema: { type: "string" },
      });
    },
  },
  {
    section: "§4",
    what: "HEAD counts answer 204 with the count in the `Count` header (an exact integer; the SDK reads it as a bigint); v1 countTransactions declares 200 but the server sends 204. Errors on HEAD carry no body.",
    when: LEDGER_HEAD_COUNTS,
    apply: (op, { spec, deref }) => {
      const ok = spec.responses["204"] ?? spec.responses["200"];
      delete spec.responses["200"];
      const success = deref(ok);
      spec.responses["204"] = {
        description: success.description ?? "No Content",
        headers: { Count: { ...deref(success.headers?.Count ?? {}), schema: { type: "integer", format: "bigint", minimum: 0 } } },
      };
      for (const code of Object.keys(spec.responses)) {
        if (code !== "204") spec.responses[code] = { description: deref(spec.responses[code]).description ?? "Error (no body on HEAD)" };
      }
    },
  },
  {
    section: "§5.1",
    what: "Ledger v1 write operations accept an optional Idempotency-Key header (the server reads it, the spec omits it); the SDK sends one generated per call.",
    when: (op) => op.service === "ledger" && ["createTransaction", "addMetadataOnTransaction", "addMetadataToAccount", "revertTransaction"].includes(op.operationId),
    apply: (op, { spec }) => {
      (spec.parameters ??= []).push({ name: "Idempotency-Key", in: "header", required: false, schema: { type: "string" } });
    },
  },
  {
    section: "§5.1, §5.3",
    what: "Idempotency-Key stays optional where the specs say so (ledger v2, wallets). The webhooks replays keep it *required* on the wire: the server rejects a replay without one, and the SDK input makes it optional by generating one per call — so Prism checks that the generated key is really sent.",
    when: () => false,
  },
  {
    section: "§7.1, §7.3",
    what: "Every operation needs a bearer token: the 14 operations without a `security` block get `<service>:read` (GET/HEAD) or `:write`; all specs share base.yaml's `Authorization` scheme (payments, search and reconciliation define none). The gateway's undefined `NoAuthorization` becomes the anonymous alternative `{}`.",
    when: () => true,
    apply: (op, { spec, doc }) => {
      if (op.service === "gateway") {
        spec.security = [{}, { Authorization: [] }];
        return;
      }
      if (!spec.security && !doc.security) {
        spec.security = [{ Authorization: [`${op.service}:${["GET", "HEAD"].includes(op.method) ? "read" : "write"}`] }];
      }
    },
  },
  {
    section: "§8.1",
    what: "v2ImportLogs: the octet-stream body is NDJSON text (a stream of log objects), not the `{file: string}` object the spec's schema says.",
    when: ids("v2ImportLogs"),
    apply: (op, { spec }) => {
      spec.requestBody = {
        required: true,
        content: { "application/octet-stream": { schema: { type: "string", format: "binary", description: "NDJSON: one V2Log object per line" } } },
      };
    },
  },
  {
    section: "§8.1",
    what: "v2ExportLogs: 200 streams NDJSON (one V2Log per line) as application/octet-stream — the spec declares no content; an error before the first byte is JSON sent with the octet-stream content type. Examples are generated from the V2Log / V2ErrorResponse schemas.",
    when: ids("v2ExportLogs"),
    apply: (op, { spec }, { sample }) => {
      const logs = [sample("ledger", "V2Log", { id: 1, type: "NEW_TRANSACTION" }), sample("ledger", "V2Log", { id: 2, type: "SET_METADATA" })];
      spec.responses["200"] = {
        description: "NDJSON stream of logs",
        content: { "application/octet-stream": { schema: { type: "string", format: "binary" }, example: `${logs.join("\n")}\n` } },
      };
      spec.responses.default = {
        description: "Error (JSON text with the octet-stream content type)",
        content: {
          "application/octet-stream": {
            schema: { type: "string", format: "binary" },
            example: sample("ledger", "V2ErrorResponse", { errorCode: "INTERNAL", errorMessage: "export failed" }),
          },
        },
      };
    },
  },
  {
    section: "§8.3",
    what: "debitWallet answers 201 (pending hold) or 204; v3ListConnectorCapabilities answers 304 Not Modified. Both are declared already — ensured here, and the runner asks Prism for each.",
    when: ids("debitWallet", "v3ListConnectorCapabilities"),
    apply: (op, { spec }) => {
      if (op.operationId === "debitWallet") spec.responses["204"] ??= { description: "No Content" };
      else spec.responses["304"] ??= { description: "Not Modified" };
    },
  },
  {
    section: "§6.1, §6.2",
    what: "auth declares no error responses; the server answers 400 VALIDATION and 500 INTERNAL as `{errorCode, errorMessage}` JSON (and 404 with no body).",
    when: (op) => op.service === "auth",
    apply: (op, { spec }) => {
      spec.responses.default ??= {
        description: "Error",
        content: {
          "application/json": {
            schema: {
              type: "object",
              required: ["errorCode", "errorMessage"],
              properties: { errorCode: { type: "string", enum: ["VALIDATION", "INTERNAL"] }, errorMessage: { type: "string" } },
            },
          },
        },
      };
    },
  },
];

/** Applies every patch; returns the list of (patch, operationId) applications for the report. */
export function applyOverlay(docs, operations, helpers) {
  const applied = [];
  for (const patch of PATCHES) {
    if (!patch.apply) continue;
    for (const op of operations) {
      const ctx = locate(docs, op);
      if (!patch.when(op, ctx)) continue;
      patch.apply(op, ctx, helpers);
      applied.push([patch.section, op.operationId]);
    }
  }
  return applied;
}

export { mergeAllOf, METHODS };
