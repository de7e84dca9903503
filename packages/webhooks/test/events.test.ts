// constructEvent: verification, JSON parsing, envelope and payload validation, the typed union, and the
// generated schemas' coverage of events.json.
import { createHmac } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { isFormanceError } from "@formance/sdk-core";
import { describe, expect, it } from "vitest";
import {
  constructEvent,
  eventCatalog,
  eventPayloadSchemas,
  isEventType,
  isKnownEvent,
  type KnownEventType,
  knownEventTypes,
  type WebhookEventOf,
  WebhookPayloadError,
  WebhookSignatureError,
} from "../src/lib/index";

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, "../../..");
const openapiDir = process.env.FORMANCE_OPENAPI_DIR
  ? resolve(process.env.FORMANCE_OPENAPI_DIR)
  : resolve(repoRoot, "../shared/openapi");
const haveSpecs = existsSync(join(openapiDir, "events.json"));

const SECRET = "EW+81IbFC9uO6wCwyXUVL49N98eKi2lp";
const NOW = 1_732_190_400;

/** A delivery as the webhooks service sends it: raw body + signed headers (signature computed with node:crypto). */
function deliver(body: unknown, extraHeaders: Record<string, string> = {}) {
  const raw = typeof body === "string" ? body : JSON.stringify(body);
  const id = "5b0f3c8e-6f0e-4a53-8d0b-2f2d1e0c9a77";
  const signature = createHmac("sha256", SECRET).update(`${id}.${NOW}.${raw}`).digest("base64");
  const headers = {
    "content-type": "application/json",
    "user-agent": "formance-webhooks/v0",
    "formance-webhook-id": id,
    "formance-webhook-timestamp": String(NOW),
    "formance-webhook-signature": `v1,${signature}`,
    "formance-webhook-test": "false",
    ...extraHeaders,
  };
  return { raw, headers };
}

async function construct(
  body: unknown,
  options: { validate?: boolean; extraHeaders?: Record<string, string> } = {},
) {
  const { raw, headers } = deliver(body, options.extraHeaders);
  return constructEvent(raw, headers, SECRET, { now: NOW, validate: options.validate });
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

// Realistic deliveries, shaped after events.json and the pinned producers (ledger v2.4.12, payments v3, flows v2.6).
const committedTransactions = {
  idempotency_key: "",
  date: "2024-11-21T11:59:59.987654Z",
  app: "ledger",
  version: "v2",
  type: "ledger.committed_transactions",
  payload: {
    ledger: "main",
    transactions: [
      {
        postings: [
          { source: "world", destination: "users:1042:wallet", amount: 15000, asset: "USD/2" },
          { source: "users:1042:wallet", destination: "fees", amount: 150, asset: "USD/2" },
        ],
        metadata: { order_id: "ord_9f2c", channel: "mobile" },
        timestamp: "2024-11-21T11:59:59.981Z",
        insertedAt: "2024-11-21T11:59:59.983412Z",
        id: 4271,
        reverted: false,
        reference: "order-9f2c",
        postCommitVolumes: {
          world: { "USD/2": { input: 0, output: 15000, balance: -15000 } },
          "users:1042:wallet": { "USD/2": { input: 15000, output: 150, balance: 14850 } },
        },
      },
    ],
    accountMetadata: { "users:1042:wallet": { tier: "gold" } },
  },
};

const savedPayment = {
  idempotency_key: "eyJpZCI6InBheW1lbnQtYWRqdXN0bWVudCJ9",
  date: "2024-11-21T12:00:00.000000001Z",
  app: "payments",
  version: "v3",
  type: "payments.saved_payment",
  payload: {
    id: "eyJDb25uZWN0b3JJRCI6eyJQcm92aWRlciI6InN0cmlwZSJ9LCJSZWZlcmVuY2UiOiJwaV8zUSJ9",
    connectorID: "eyJQcm92aWRlciI6InN0cmlwZSIsIlJlZmVyZW5jZSI6IjA1YjZkNGE2In0",
    provider: "stripe",
    reference: "pi_3QNd0vK2nX8r",
    createdAt: "2024-11-21T11:58:12Z",
    type: "PAY-IN",
    status: "SUCCEEDED",
    scheme: "visa",
    asset: "EUR/2",
    amount: 2500,
    initialAmount: 2500,
    destinationAccountID: "eyJDb25uZWN0b3JJRCI6InN0cmlwZSIsIlJlZmVyZW5jZSI6ImFjY3RfMSJ9",
    links: [
      { name: "destination_account", uri: "https://acme.formance.cloud/api/payments/v3/accounts/eyJD" },
    ],
    rawData: { id: "pi_3QNd0vK2nX8r", object: "payment_intent", amount: 2500 },
    metadata: { "com.stripe.spec/charge_id": "ch_3QNd0v" },
  },
};

const failedWorkflowStage = {
  idempotency_key: "",
  date: "2024-11-21T12:00:01.5Z",
  app: "orchestration",
  version: "v2",
  type: "orchestration.failed_workflow_stage",
  payload: {
    id: "wf_payout_daily",
    instanceID: "0193508c-6b2f-7a10-b2f4-7b4d1d5f2a10",
    number: 2,
    error: "insufficient funds on users:1042:wallet",
  },
};

describe("constructEvent: known events", () => {
  it("ledger.committed_transactions: typed payload, unknown properties kept", async () => {
    const event = await construct(committedTransactions);
    expect(isKnownEvent(event)).toBe(true);
    if (!isEventType(event, "ledger.committed_transactions")) throw new Error("narrowing failed");
    const tx = event.payload.transactions[0]!;
    const amount: number = tx.postings[0]!.amount;
    expect(amount).toBe(15000);
    expect(tx.metadata).toEqual({ order_id: "ord_9f2c", channel: "mobile" });
    expect(event.payload.accountMetadata).toEqual({ "users:1042:wallet": { tier: "gold" } });
    expect(event).toEqual(committedTransactions); // nothing dropped: insertedAt, postCommitVolumes, ...
    expect(event.idempotency_key).toBe("");
  });

  it("payments.saved_payment: amounts as numbers or as exact strings", async () => {
    const event = await construct(savedPayment);
    if (!isEventType(event, "payments.saved_payment")) throw new Error("narrowing failed");
    expect(event.payload.amount).toBe(2500);
    expect(event.payload.links?.[0]?.name).toBe("destination_account");
    expect(event).toEqual(savedPayment);

    const exact = {
      ...savedPayment,
      payload: { ...savedPayment.payload, amount: "12345678901234567890123", initialAmount: "1" },
    };
    const withStrings = await construct(exact);
    if (!isEventType(withStrings, "payments.saved_payment")) throw new Error("narrowing failed");
    expect(BigInt(withStrings.payload.amount)).toBe(12345678901234567890123n);
  });

  it("orchestration.failed_workflow_stage", async () => {
    const event = await construct(failedWorkflowStage);
    if (!isEventType(event, "orchestration.failed_workflow_stage")) throw new Error("narrowing failed");
    expect(event.payload).toEqual({
      id: "wf_payout_daily",
      instanceID: "0193508c-6b2f-7a10-b2f4-7b4d1d5f2a10",
      number: 2,
      error: "insufficient funds on users:1042:wallet",
    });
    expect(event.app).toBe("orchestration");
  });

  it("orchestration.succeeded_trigger requires workflowInstanceID (spec lists it without a schema)", async () => {
    const body = {
      ...failedWorkflowStage,
      type: "orchestration.succeeded_trigger",
      payload: { id: "trg_1", triggerID: "trg_1", workflowInstanceID: "inst_1" },
    };
    const event = await construct(body);
    if (!isEventType(event, "orchestration.succeeded_trigger")) throw new Error("narrowing failed");
    expect(event.payload.workflowInstanceID).toBe("inst_1");
    const missing = { ...body, payload: { id: "trg_1", triggerID: "trg_1" } };
    expect(await rejection(construct(missing))).toMatchObject({ reason: "invalid_payload" });
  });

  it("narrows a switch on type after isKnownEvent", async () => {
    const seen: string[] = [];
    for (const body of [committedTransactions, savedPayment, failedWorkflowStage]) {
      const event = await construct(body);
      if (!isKnownEvent(event)) throw new Error("expected a known event");
      switch (event.type) {
        case "ledger.committed_transactions":
          seen.push(`${event.payload.ledger}:${event.payload.transactions.length}`);
          break;
        case "payments.saved_payment":
          seen.push(`${event.payload.provider}:${String(event.payload.amount)}`);
          break;
        case "orchestration.failed_workflow_stage":
          seen.push(`${event.payload.instanceID}#${event.payload.number}`);
          break;
        default:
          seen.push(`other:${event.type}`);
      }
    }
    expect(seen).toEqual(["main:1", "stripe:2500", "0193508c-6b2f-7a10-b2f4-7b4d1d5f2a10#2"]);
  });

  it("reads Go nil maps and slices (null) as empty, and accepts null for optional fields", async () => {
    const body = structuredClone(committedTransactions) as any;
    body.payload.transactions[0].metadata = null;
    body.payload.transactions[0].reference = null;
    body.payload.accountMetadata = null;
    const event = await construct(body);
    if (!isEventType(event, "ledger.committed_transactions")) throw new Error("narrowing failed");
    expect(event.payload.transactions[0]!.metadata).toEqual({});
    expect(event.payload.transactions[0]!.reference).toBeNull();
    const noTx = await construct({
      ...committedTransactions,
      payload: { ledger: "main", transactions: null },
    });
    expect((noTx as WebhookEventOf<"ledger.committed_transactions">).payload.transactions).toEqual([]);
  });

  it("keeps open enums open: an unlisted enum value is accepted", async () => {
    const body = {
      ...savedPayment,
      type: "payments.saved_transfer_initiation",
      version: "v2",
      payload: {
        id: "ti_1",
        createdAt: "2024-11-21T11:58:12Z",
        scheduledAt: "2024-11-21T11:58:12Z",
        connectorId: "c_1",
        provider: "MODULR",
        description: "payout",
        type: "INSTANT_PAYOUT", // not in the spec's enum
        destinationAccountId: "acc_1",
        amount: 100,
        asset: "GBP/2",
        attempts: 1,
        status: "PROCESSED",
        error: "",
        relatedPayments: null,
      },
    };
    const event = await construct(body);
    expect(event.payload).toMatchObject({ type: "INSTANT_PAYOUT", relatedPayments: null });
  });

  it("rounds big amounts the way the float64 round trip on the server already did (documented caveat)", async () => {
    const raw = JSON.stringify(committedTransactions).replace('"amount":15000', '"amount":9007199254740993');
    const event = await construct(raw);
    if (!isEventType(event, "ledger.committed_transactions")) throw new Error("narrowing failed");
    expect(event.payload.transactions[0]!.postings[0]!.amount).toBe(9007199254740992);
  });
});

describe("constructEvent: undocumented and unknown types", () => {
  it("ledger.inserted_schema (emitted, not in events.json): typed but loose", async () => {
    const body = {
      idempotency_key: "",
      date: "2024-11-21T12:00:00Z",
      app: "ledger",
      version: "v2",
      type: "ledger.inserted_schema",
      payload: {
        ledger: "main",
        schema: {
          version: "v1.2.0",
          createdAt: "2024-11-21T12:00:00Z",
          chart: { users: { $userID: { wallet: { ".metadata": { tier: { default: "basic" } } } } } },
          transactions: { DEPOSIT: { script: "send [USD/2 100] (source = @world destination = @users:1)" } },
        },
      },
    };
    const event = await construct(body);
    if (!isEventType(event, "ledger.inserted_schema")) throw new Error("narrowing failed");
    expect(event.payload.schema?.version).toBe("v1.2.0");
    expect(event).toEqual(body);
    expect(eventCatalog["ledger.inserted_schema"].specVersion).toBeNull();
    // loose: a sparse payload is fine too
    await expect(construct({ ...body, payload: {} })).resolves.toMatchObject({
      type: "ledger.inserted_schema",
    });
  });

  it("payments.updated_task (emitted, not in events.json)", async () => {
    const body = {
      ...savedPayment,
      type: "payments.updated_task",
      payload: {
        id: "task_1",
        connectorID: null,
        status: "SUCCEEDED",
        createdObjectID: "obj_1",
        error: null,
      },
    };
    const event = await construct(body);
    expect(isKnownEvent(event)).toBe(true);
    expect(event.payload).toMatchObject({ status: "SUCCEEDED", connectorID: null });
  });

  it("returns an unknown type as a generic event, payload untouched", async () => {
    const body = {
      idempotency_key: "trade-7",
      date: "2024-11-21T12:00:00Z",
      app: "payments",
      version: "v3",
      type: "payments.saved_trade",
      payload: { id: "trade_7", anything: [1, { nested: true }] },
      extra: "kept",
    };
    const event = await construct(body);
    expect(isKnownEvent(event)).toBe(false);
    expect(event.type).toBe("payments.saved_trade");
    expect(event.payload).toEqual({ id: "trade_7", anything: [1, { nested: true }] });
    expect(event).toEqual(body);
  });

  it("does not treat Object.prototype keys as event types", async () => {
    const event = await construct({ ...failedWorkflowStage, type: "constructor", payload: 1 });
    expect(isKnownEvent(event)).toBe(false);
    expect(event.payload).toBe(1);
  });
});

describe("constructEvent: errors", () => {
  it("verifies before parsing: a tampered body is a signature error", async () => {
    const { raw, headers } = deliver(savedPayment);
    const err = await rejection(constructEvent(raw.replace("2500", "9999"), headers, SECRET, { now: NOW }));
    expect(err).toBeInstanceOf(WebhookSignatureError);
  });

  it("rejects a signed body that is not JSON", async () => {
    const err = await rejection(construct('{"type": "ledger.committed_transactions", '));
    expect(err).toBeInstanceOf(WebhookPayloadError);
    expect(err).toMatchObject({ reason: "invalid_json", name: "WebhookPayloadError" });
    expect(isFormanceError(err)).toBe(true);
    expect((err as Error).message).toMatch(/not valid JSON/);
  });

  it("rejects a signed Uint8Array body that is not UTF-8", async () => {
    const bytes = new Uint8Array([0x7b, 0xff, 0x7d]);
    const id = "id-1";
    const signature = createHmac("sha256", SECRET).update(`${id}.${NOW}.`).update(bytes).digest("base64");
    const headers = {
      "formance-webhook-id": id,
      "formance-webhook-timestamp": String(NOW),
      "formance-webhook-signature": `v1,${signature}`,
    };
    const err = await rejection(constructEvent(bytes, headers, SECRET, { now: NOW }));
    expect(err).toMatchObject({ reason: "invalid_json" });
  });

  it("parses a Uint8Array body", async () => {
    const raw = JSON.stringify(failedWorkflowStage);
    const { headers } = deliver(raw);
    const event = await constructEvent(new TextEncoder().encode(raw), headers, SECRET, { now: NOW });
    expect(event.type).toBe("orchestration.failed_workflow_stage");
  });

  it.each([
    ["an array", [1, 2]],
    ["a string", "hello"],
    ["an object without payload", { type: "ledger.saved_metadata", app: "ledger", version: "v2", date: "x" }],
    ["an object without type", { app: "ledger", version: "v2", date: "x", payload: {} }],
  ])("rejects %s as not an envelope", async (_, body) => {
    const err = await rejection(construct(JSON.stringify(body)));
    expect(err).toBeInstanceOf(WebhookPayloadError);
    expect(err).toMatchObject({ reason: "invalid_envelope" });
    expect((err as WebhookPayloadError).issues.length).toBeGreaterThan(0);
  });

  it("explains the test endpoint's body", async () => {
    const err = await rejection(
      construct({ data: "test" }, { extraHeaders: { "formance-webhook-test": "true" } }),
    );
    expect(err).toMatchObject({ reason: "invalid_envelope" });
    expect((err as Error).message).toMatch(/test delivery/);
  });

  it("rejects a known type whose payload does not match, with paths and the envelope", async () => {
    const body = structuredClone(committedTransactions) as any;
    body.payload.transactions[0].postings[1].amount = "150";
    delete body.payload.ledger;
    const err = (await rejection(construct(body))) as WebhookPayloadError;
    expect(err).toBeInstanceOf(WebhookPayloadError);
    expect(err.reason).toBe("invalid_payload");
    expect(err.issues.map((i) => i.path).sort()).toEqual([
      "payload.ledger",
      "payload.transactions.0.postings.1.amount",
    ]);
    expect(err.message).toMatch(/invalid ledger.committed_transactions payload: /);
    expect(err.event?.payload).toEqual(body.payload);

    // validate: false hands it over as received
    const event = await construct(body, { validate: false });
    expect(event.payload).toEqual(body.payload);
  });
});

describe("generated event catalogue", () => {
  it("has a schema, a catalogue entry and a unique name for every known type", () => {
    expect(knownEventTypes.length).toBe(35);
    expect([...knownEventTypes].sort()).toEqual(Object.keys(eventPayloadSchemas).sort());
    expect(Object.keys(eventCatalog).sort()).toEqual([...knownEventTypes].sort());
    for (const type of knownEventTypes) {
      const { app, name } = eventCatalog[type];
      expect(type).toBe(`${app}.${name.toLowerCase()}`);
    }
  });

  it("covers the emitted-but-undocumented types (docs/SERVER-BEHAVIOUR.md, Webhooks)", () => {
    const undocumented = [
      "ledger.inserted_schema",
      "payments.deleted_payment",
      "payments.saved_order",
      "payments.saved_conversion",
      "payments.updated_task",
      "payments.open_banking_user_link_status",
      "payments.open_banking_user_connection_data_synced",
      "payments.open_banking_user_connection_pending_disconnect",
      "payments.open_banking_user_connection_disconnected",
      "payments.open_banking_user_connection_reconnected",
      "payments.open_banking_user_disconnected",
    ] as const;
    for (const type of undocumented) {
      expect(knownEventTypes).toContain(type);
      expect(eventCatalog[type as KnownEventType].specVersion).toBeNull();
    }
  });

  it.skipIf(!haveSpecs)(
    "covers every event of events.json with its latest version, and accepts a spec-shaped payload",
    async () => {
      const spec = JSON.parse(readFileSync(join(openapiDir, "events.json"), "utf8")) as Record<
        string,
        Record<string, Record<string, any>>
      >;
      const versionKey = (v: string) => v.replace(/^v/, "").split(".").map(Number);
      const newer = (a: string, b: string) => {
        const [x, y] = [versionKey(a), versionKey(b)];
        for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return (x[i] ?? 0) > (y[i] ?? 0);
        return false;
      };
      const latest = new Map<string, { version: string; schema: any }>();
      for (const [app, versions] of Object.entries(spec)) {
        for (const [version, events] of Object.entries(versions)) {
          for (const [name, schema] of Object.entries(events)) {
            const type = `${app}.${name.toLowerCase()}`;
            const seen = latest.get(type);
            if (!seen || newer(version, seen.version)) latest.set(type, { version, schema });
          }
        }
      }
      expect(latest.size).toBe(24);
      for (const [type, { version, schema }] of latest) {
        expect(knownEventTypes).toContain(type);
        expect(eventCatalog[type as KnownEventType].specVersion).toBe(version);
        const payload = sample(schema.properties.payload);
        if (type === "orchestration.succeeded_trigger") payload.workflowInstanceID = "inst_1";
        if (type === "payments.saved_payment_initiation_adjustment") payload.error = "declined";
        const event = await construct({
          app: type.split(".")[0],
          version: "v2",
          date: "2024-11-21T12:00:00Z",
          type,
          payload,
        });
        expect(event.type).toBe(type);
      }
    },
  );
});

/** A value conforming to a JSON schema fragment (required properties only). */
function sample(node: any): any {
  const type = Array.isArray(node?.type) ? node.type.find((t: string) => t !== "null") : node?.type;
  switch (type) {
    case "string":
      return node.enum ? node.enum[0] : node.format === "date-time" ? "2024-11-21T12:00:00Z" : "x";
    case "number":
    case "integer":
      return 1;
    case "boolean":
      return false;
    case "array":
      return [sample(node.items ?? {})];
    case "object": {
      const out: Record<string, unknown> = {};
      for (const name of node.required ?? []) out[name] = sample(node.properties?.[name] ?? {});
      return out;
    }
    default:
      return null;
  }
}
