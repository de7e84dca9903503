#!/usr/bin/env node
// events.json (+ the emitted-but-undocumented event types) → packages/webhooks/src/generated/events.ts:
// one valibot schema and one TypeScript type per webhook event payload, keyed by the delivered type
// (`<app>.<type>` lower-cased, API-FACTS §10.4). Plain Node ESM, no dependencies.
//
//   node tools/codegen/src/events.mjs           writes the file
//   node tools/codegen/src/events.mjs --check   exits 1 when the file on disk differs
//
// Specs come from $FORMANCE_OPENAPI_DIR, default ../shared/openapi relative to the repository root.
//
// Mapping rules (kept here, not in the output, so the output stays data):
// - latest version folder of each event type in events.json (semver order);
// - objects with properties → v.looseObject (unknown properties are kept); free-form objects → records;
// - `format: bigint` numbers → `number | string`: deliveries pass numbers through float64 (API-FACTS §1.3),
//   newer payments releases send these amounts as decimal strings (exact);
// - string enums → open enums: literal hints in the type, any string accepted at runtime (DESIGN §5 lenient);
// - `format`, `minLength` are not enforced: an authentic delivery is never rejected over them;
// - optional properties accept `null` (Go encodes nil pointers, maps, slices and RawMessage as null);
//   required maps and arrays turn a Go `null` into `{}` / `[]`;
// - EXTRA_EVENTS (API-FACTS §10.5, emitted but absent from events.json) are loose: every field optional.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const EVENTS_OUTPUT = "packages/webhooks/src/generated/events.ts";

const str = { type: "string" };
const dateTime = { type: "string", format: "date-time" };
const big = { type: "number", format: "bigint" };
const stringMap = { type: "object", additionalProperties: { type: "string" } };
const anyObject = { type: "object" };
const anyValue = {};
const obj = (properties) => ({ type: "object", properties });

/**
 * Event types the pinned services emit but events.json does not document (API-FACTS §10.5).
 * Field lists follow the Go payload structs; every field is optional because no spec pins them.
 */
const EXTRA_EVENTS = {
  ledger: {
    INSERTED_SCHEMA: {
      source: "formancehq/ledger:pkg/events/message.go, internal/schema.go",
      payload: obj({ ledger: str, schema: obj({ version: str, createdAt: dateTime, chart: anyObject }) }),
    },
  },
  payments: {
    DELETED_PAYMENT: {
      source: "formancehq/payments:internal/events/payment.go (PaymentDeletedMessagePayload)",
      payload: obj({ id: str }),
    },
    SAVED_ORDER: {
      source: "formancehq/payments:internal/events/order.go (OrderMessagePayload)",
      payload: obj({
        id: str,
        connectorID: str,
        provider: str,
        reference: str,
        clientOrderID: str,
        createdAt: dateTime,
        updatedAt: dateTime,
        direction: str,
        sourceAsset: str,
        destinationAsset: str,
        type: str,
        status: str,
        timeInForce: str,
        expiresAt: dateTime,
        baseQuantityOrdered: big,
        baseQuantityFilled: big,
        limitPrice: big,
        stopPrice: big,
        quoteAmount: big,
        quoteAsset: str,
        fee: big,
        feeAsset: str,
        averageFillPrice: big,
        priceAsset: str,
        sourceAccountID: str,
        destinationAccountID: str,
        rawData: anyValue,
        metadata: stringMap,
        adjustments: {
          type: "array",
          items: obj({
            id: str,
            reference: str,
            createdAt: dateTime,
            status: str,
            baseQuantityFilled: big,
            fee: big,
            feeAsset: str,
            metadata: stringMap,
            raw: anyValue,
          }),
        },
      }),
    },
    SAVED_CONVERSION: {
      source: "formancehq/payments:internal/events/conversion.go (ConversionMessagePayload)",
      payload: obj({
        id: str,
        connectorID: str,
        provider: str,
        reference: str,
        createdAt: dateTime,
        updatedAt: dateTime,
        sourceAsset: str,
        destinationAsset: str,
        sourceAmount: big,
        destinationAmount: big,
        fee: big,
        feeAsset: str,
        status: str,
        sourceAccountID: str,
        destinationAccountID: str,
        metadata: stringMap,
        raw: anyValue,
      }),
    },
    UPDATED_TASK: {
      source: "formancehq/payments:internal/events/task.go (TaskMessagePayload)",
      payload: obj({
        id: str,
        connectorID: str,
        status: str,
        createdAt: dateTime,
        updatedAt: dateTime,
        createdObjectID: str,
        error: str,
      }),
    },
    OPEN_BANKING_USER_LINK_STATUS: {
      source: "formancehq/payments:internal/events/open_banking.go (OpenBankingUserLinkStatus)",
      payload: obj({ psuID: str, connectorID: str, status: str, error: str }),
    },
    OPEN_BANKING_USER_CONNECTION_DATA_SYNCED: {
      source: "formancehq/payments:internal/events/open_banking.go (OpenBankingUserConnectionDataSynced)",
      payload: obj({ psuID: str, connectorID: str, connectionID: str, at: dateTime }),
    },
    OPEN_BANKING_USER_CONNECTION_PENDING_DISCONNECT: {
      source:
        "formancehq/payments:internal/events/open_banking.go (OpenBankingUserConnectionPendingDisconnect)",
      payload: obj({ psuID: str, connectorID: str, connectionID: str, at: dateTime, reason: str }),
    },
    OPEN_BANKING_USER_CONNECTION_DISCONNECTED: {
      source: "formancehq/payments:internal/events/open_banking.go (OpenBankingUserConnectionDisconnected)",
      payload: obj({
        psuID: str,
        connectorID: str,
        connectionID: str,
        errorType: str,
        at: dateTime,
        reason: str,
      }),
    },
    OPEN_BANKING_USER_CONNECTION_RECONNECTED: {
      source: "formancehq/payments:internal/events/open_banking.go (OpenBankingUserConnectionReconnected)",
      payload: obj({ psuID: str, connectorID: str, connectionID: str, at: dateTime }),
    },
    OPEN_BANKING_USER_DISCONNECTED: {
      source: "formancehq/payments:internal/events/open_banking.go (OpenBankingUserDisconnected)",
      payload: obj({ psuID: str, connectorID: str, at: dateTime, reason: str }),
    },
  },
};

/** Corrections to events.json payloads, each backed by the emitting source. */
const PATCHES = [
  {
    type: "orchestration.succeeded_trigger",
    property: "workflowInstanceID",
    schema: str,
    why: "listed in `required` without a schema; a string in formancehq/flows:pkg/events/events.go",
  },
  {
    type: "payments.saved_payment_initiation_adjustment",
    property: "error",
    schema: str,
    why: "declared an object; the payload struct has `Error *string` (formancehq/payments:internal/events/payment_initiation.go)",
  },
  {
    type: "payments.saved_payment",
    property: "rawData",
    schema: anyValue,
    why: "declared an object; a `json.RawMessage` holding whatever the connector returned (formancehq/payments:internal/events/payment.go)",
  },
  {
    type: "payments.saved_account",
    property: "rawData",
    schema: anyValue,
    why: "declared an object; a `json.RawMessage` holding whatever the connector returned (formancehq/payments:internal/events/account.go)",
  },
  {
    type: "ledger.committed_transactions",
    property: "accountMetadata",
    schema: { type: "object", additionalProperties: stringMap },
    why: "emitted by the ledger (formancehq/ledger@v2.4.12:pkg/events/message.go), absent from events.json",
  },
];

const HEADER = "// Generated by tools/codegen from events.json. Do not edit.";

const NUMBER_DOC =
  "Passes through float64 on the Formance server before delivery: exact only up to 2^53 (Number.MAX_SAFE_INTEGER).\nFetch the resource from the API when the exact value matters.";
const BIGINT_DOC =
  "Integer in minor units. A JSON number today (rounded above 2^53 by the float64 round trip of deliveries;\nfrom 1e21 in exponent form); newer payments releases send a decimal string, which is exact.\n`BigInt(value)` accepts both. Fetch the resource from the API when the exact value matters.";

// ---------------------------------------------------------------------------------------------------------------

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const propKey = (k) => (IDENT.test(k) ? k : JSON.stringify(k));
const pascal = (s) =>
  s
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1).toLowerCase())
    .join("");

function compareVersions(a, b) {
  const pa = a.replace(/^v/, "").split(".").map(Number);
  const pb = b.replace(/^v/, "").split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function doc(text, indent) {
  if (!text) return "";
  const lines = text.replace(/\*\//g, "*\\/").split("\n");
  if (lines.length === 1) return `${indent}/** ${lines[0]} */\n`;
  return `${indent}/**\n${lines.map((l) => `${indent} * ${l}`.trimEnd()).join("\n")}\n${indent} */\n`;
}

function typesOf(node) {
  const t = node?.type;
  const list = Array.isArray(t) ? t : t === undefined ? [] : [t];
  const base = list.filter((x) => x !== "null");
  let kind = base[0];
  if (kind === undefined && node && (node.properties || node.additionalProperties)) kind = "object";
  return { kind, nullable: list.includes("null") };
}

const isObjectWithProps = (node) =>
  typesOf(node).kind === "object" && Object.keys(node.properties ?? {}).length > 0;

/**
 * One schema node → { ts, vb } (TypeScript type expression, valibot expression), `null` not included:
 * the caller wraps for nullability so it can merge it with optionality.
 */
function convert(node, indent, loose) {
  const { kind } = typesOf(node);
  switch (kind) {
    case "string":
      if (Array.isArray(node.enum) && node.enum.length > 0) {
        return {
          ts: `${node.enum.map((e) => JSON.stringify(String(e))).join(" | ")} | (string & {})`,
          vb: "v.string()",
        };
      }
      return { ts: "string", vb: "v.string()" };
    case "number":
    case "integer":
      if (node.format === "bigint") return { ts: "number | string", vb: "v.union([v.number(), v.string()])" };
      return { ts: "number", vb: "v.number()" };
    case "boolean":
      return { ts: "boolean", vb: "v.boolean()" };
    case "array": {
      const item = node.items
        ? convertValue(node.items, indent, loose)
        : { ts: "unknown", vb: "v.unknown()" };
      return { ts: `Array<${item.ts}>`, vb: `v.array(${item.vb})` };
    }
    case "object": {
      if (isObjectWithProps(node)) return convertObject(node, indent, loose);
      const ap = node.additionalProperties;
      if (ap && typeof ap === "object" && typesOf(ap).kind !== undefined) {
        const value = convertValue(ap, indent, loose);
        return { ts: `Record<string, ${value.ts}>`, vb: `v.record(v.string(), ${value.vb})` };
      }
      return { ts: "Record<string, unknown>", vb: "v.record(v.string(), v.unknown())" };
    }
    default:
      return { ts: "unknown", vb: "v.unknown()" };
  }
}

/** A value position (array item, record value): nullable when the schema says so. */
function convertValue(node, indent, loose) {
  const out = convert(node, indent, loose);
  if (!typesOf(node).nullable || out.ts === "unknown") return out;
  return { ts: `${out.ts} | null`, vb: `v.nullable(${out.vb})` };
}

function convertObject(node, indent, loose) {
  const inner = `${indent}  `;
  const required = new Set(loose ? [] : (node.required ?? []));
  const props = { ...node.properties };
  // Required keys without a schema: present, type unknown.
  for (const name of required) if (!(name in props)) props[name] = anyValue;
  const tsLines = [];
  const vbLines = [];
  for (const [name, schema] of Object.entries(props)) {
    const { kind, nullable } = typesOf(schema);
    const value = convert(schema, inner, loose);
    const k = propKey(name);
    const isNumber = kind === "number" || kind === "integer";
    const note = isNumber ? (schema.format === "bigint" ? BIGINT_DOC : NUMBER_DOC) : "";
    tsLines.push(doc(note, inner));
    if (value.ts === "unknown") {
      tsLines.push(`${inner}${k}${required.has(name) ? "" : "?"}: unknown;\n`);
      vbLines.push(`${inner}${k}: ${required.has(name) ? "v.unknown()" : "v.optional(v.unknown())"},\n`);
    } else if (!required.has(name)) {
      tsLines.push(`${inner}${k}?: ${value.ts} | null;\n`);
      vbLines.push(`${inner}${k}: v.nullish(${value.vb}),\n`);
    } else if (nullable) {
      tsLines.push(`${inner}${k}: ${value.ts} | null;\n`);
      vbLines.push(`${inner}${k}: v.nullable(${value.vb}),\n`);
    } else if (kind === "array" || (kind === "object" && !isObjectWithProps(schema))) {
      // Go encodes a nil slice or map as null: read it as empty.
      tsLines.push(`${inner}${k}: ${value.ts};\n`);
      vbLines.push(`${inner}${k}: v.nullable(${value.vb}, ${kind === "array" ? "[]" : "{}"}),\n`);
    } else {
      tsLines.push(`${inner}${k}: ${value.ts};\n`);
      vbLines.push(`${inner}${k}: ${value.vb},\n`);
    }
  }
  return {
    ts: `{\n${tsLines.join("")}${indent}}`,
    vb: `v.looseObject({\n${vbLines.join("")}${indent}})`,
  };
}

// ---------------------------------------------------------------------------------------------------------------

/** Every event to emit, sorted by delivered type. */
export function collectEvents(eventsJson) {
  const events = new Map();
  for (const [app, versions] of Object.entries(eventsJson)) {
    for (const version of Object.keys(versions).sort(compareVersions)) {
      for (const [name, schema] of Object.entries(versions[version])) {
        const type = `${app.toLowerCase()}.${name.toLowerCase()}`;
        // later (higher) versions overwrite earlier ones
        events.set(type, {
          type,
          app,
          name,
          specVersion: version,
          payload: structuredClone(schema?.properties?.payload ?? anyValue),
          loose: false,
          source: `events.json ${app} ${version} ${name}`,
        });
      }
    }
  }
  for (const [app, byName] of Object.entries(EXTRA_EVENTS)) {
    for (const [name, extra] of Object.entries(byName)) {
      const type = `${app}.${name.toLowerCase()}`;
      if (events.has(type)) continue; // documented after all: the spec wins
      events.set(type, {
        type,
        app,
        name,
        specVersion: null,
        payload: structuredClone(extra.payload),
        loose: true,
        source: `not in events.json; emitted per ${extra.source} (API-FACTS §10.5)`,
      });
    }
  }
  for (const patch of PATCHES) {
    const event = events.get(patch.type);
    if (!event) throw new Error(`events codegen: patch for unknown event ${patch.type}`);
    event.payload.properties = { ...event.payload.properties, [patch.property]: patch.schema };
    event.patches = [...(event.patches ?? []), `${patch.property}: ${patch.why}`];
  }
  return [...events.values()].sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
}

export function renderEvents(eventsJson) {
  const events = collectEvents(eventsJson);
  const out = [];
  out.push(`${HEADER}
//
// One valibot schema (\`<Name>PayloadSchema\`) and one type (\`<Name>Payload\`) per webhook event payload, keyed by
// the delivered type \`<app>.<type>\` (lower case). Latest version of each event in events.json, plus the types
// the services emit without documenting them (loose: all fields optional).
// Objects keep unknown properties. Numbers pass through float64 on the server before delivery (exact only up
// to 2^53); \`format: bigint\` amounts are \`number | string\` (newer payments releases send exact strings).
import * as v from "valibot";
`);
  for (const event of events) {
    const base = `${pascal(event.app)}${pascal(event.name)}`;
    const { ts, vb } = convertObject(
      typesOf(event.payload).kind === "object" ? event.payload : { type: "object", properties: {} },
      "",
      event.loose,
    );
    const lines = [`Payload of \`${event.type}\`.`, "", `Source: ${event.source}.`];
    if (event.loose) lines.push("Undocumented upstream: every field is optional.");
    for (const p of event.patches ?? []) lines.push(`Corrected: ${p}.`);
    out.push(`${doc(lines.join("\n"), "")}export interface ${base}Payload ${ts}\n`);
    out.push(
      `/** Validates the payload of \`${event.type}\`. */\nexport const ${base}PayloadSchema: v.GenericSchema<unknown, ${base}Payload> = ${vb};\n`,
    );
  }

  out.push(`/** Payload type of each known event type. */
export interface EventPayloads {
${events.map((e) => `  ${JSON.stringify(e.type)}: ${pascal(e.app)}${pascal(e.name)}Payload;`).join("\n")}
}

/** A delivered event type this SDK knows (\`<app>.<type>\`, lower case, as webhook configs subscribe to it). */
export type KnownEventType = keyof EventPayloads;

/** Payload schema of each known event type. */
export const eventPayloadSchemas: { readonly [K in KnownEventType]: v.GenericSchema<unknown, EventPayloads[K]> } = {
${events.map((e) => `  ${JSON.stringify(e.type)}: ${pascal(e.app)}${pascal(e.name)}PayloadSchema,`).join("\n")}
};

/** Every known event type, sorted: the values a webhook config's \`eventTypes\` accepts. */
export const knownEventTypes: readonly KnownEventType[] = [
${events.map((e) => `  ${JSON.stringify(e.type)},`).join("\n")}
];

/**
 * Where each known event type comes from: producing app, upstream (upper-case) name, and the events.json
 * version folder its schema was taken from (\`null\`: emitted by the service but not documented in events.json).
 */
export const eventCatalog: {
  readonly [K in KnownEventType]: { readonly app: string; readonly name: string; readonly specVersion: string | null };
} = {
${events
  .map(
    (e) =>
      `  ${JSON.stringify(e.type)}: { app: ${JSON.stringify(e.app)}, name: ${JSON.stringify(e.name)}, specVersion: ${JSON.stringify(e.specVersion)} },`,
  )
  .join("\n")}
};
`);
  return out.join("\n");
}

/** Map of repository-relative path → file content. */
export function generateEvents(openapiDir) {
  const eventsJson = JSON.parse(readFileSync(join(openapiDir, "events.json"), "utf8"));
  return new Map([[EVENTS_OUTPUT, renderEvents(eventsJson)]]);
}

// ---------------------------------------------------------------------------------------------------------------

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

export function defaultOpenapiDir() {
  return process.env.FORMANCE_OPENAPI_DIR
    ? resolve(process.env.FORMANCE_OPENAPI_DIR)
    : resolve(repoRoot, "../shared/openapi");
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const check = process.argv.includes("--check");
  const files = generateEvents(defaultOpenapiDir());
  let drift = 0;
  for (const [rel, content] of files) {
    const target = join(repoRoot, rel);
    const current = existsSync(target) ? readFileSync(target, "utf8") : null;
    if (check) {
      if (current !== content) {
        console.error(`events codegen: ${rel} is out of date (run node tools/codegen/src/events.mjs)`);
        drift++;
      }
    } else if (current !== content) {
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, content);
      console.log(`wrote ${rel}`);
    } else {
      console.log(`unchanged ${rel}`);
    }
  }
  if (drift) process.exit(1);
}
