// Where the specs and the servers disagree, the servers win. Each entry names the section of
// docs/SERVER-BEHAVIOUR.md (a `## <Service>` heading) that documents the real behaviour. RULES correct
// operations, one row per correction, read top to bottom; the tables after it correct components,
// names and webhook event payloads.

const ID =
  (...ids) =>
  (op) =>
    ids.includes(op.operationId);

export const RULES = [
  {
    section: "Ledger, Payments",
    rule: "GET/HEAD request bodies (filters) are sent as the JSON text of the `query` URL parameter, since fetch cannot send them as bodies; they are optional (the ledger v2 spec declares them required).",
    when: (op) => op.method === "GET" || op.method === "HEAD",
    apply: (fix) => {
      fix.bodyAsQuery = true;
    },
  },
  {
    section: "Payments",
    rule: "payments v1 listAccounts has its own string `query` parameter; its optional GET body is dropped.",
    when: (op) => op.operationId === "listAccounts" && op.service === "payments",
    apply: (fix) => {
      fix.dropBody = true;
    },
  },
  {
    section: "Ledger",
    rule: "HEAD counts return the `Count` header as a bigint; 204 (and the spec's 200 for v1 countTransactions) accepted.",
    when: ID("countAccounts", "countTransactions", "v2CountAccounts", "v2CountTransactions"),
    apply: (fix) => {
      fix.kind = "count";
    },
  },
  {
    section: "Ledger",
    rule: "v2ImportLogs takes a stream, Blob, bytes, string or async iterable of logs (sent as NDJSON octet-stream).",
    when: ID("v2ImportLogs"),
    apply: (fix) => {
      fix.streamBody = true;
    },
  },
  {
    section: "Ledger",
    rule: "v2ExportLogs answers NDJSON: an async iterable of log objects parsed losslessly.",
    when: ID("v2ExportLogs"),
    apply: (fix) => {
      fix.kind = "ndjson";
      fix.outputRef = "V2Log";
    },
  },
  {
    section: "Payments",
    rule: "v3ListConnectorCapabilities answers 304 Not Modified to a matching If-None-Match: a success with no body.",
    when: ID("v3ListConnectorCapabilities"),
    apply: (fix) => {
      fix.extraSuccess.push(304);
      fix.maybeEmpty = true;
    },
  },
  {
    section: "Payments",
    rule: "v3GetPaymentServiceUserLinkAttemptFromConnectorID answers the attempt inside `{data: ...}`, like the other v3 reads; the spec declares the bare attempt.",
    when: ID("v3GetPaymentServiceUserLinkAttemptFromConnectorID"),
    apply: (fix) => {
      fix.dataWrapped = true;
    },
  },
  {
    section: "Wallets",
    rule: "debitWallet answers 201 with a hold (pending debit) or 204 with no body.",
    when: ID("debitWallet"),
    apply: (fix) => {
      fix.maybeEmpty = true;
    },
  },
  {
    section: "All services",
    rule: "Operations without a `security` block still need a token; scopes follow the servers' method rule (<service>:read for GET/HEAD, :write otherwise).",
    when: () => true,
    apply: (fix, op) => {
      fix.defaultScopes = (service) =>
        service === "gateway"
          ? []
          : [`${service}:${op.method === "GET" || op.method === "HEAD" ? "read" : "write"}`];
    },
  },
  {
    section: "Webhooks",
    rule: "Idempotency-Key headers are optional inputs (the webhooks replays declare them required): when omitted the SDK generates one per call and reuses it on every retry.",
    when: () => true,
    apply: (fix) => {
      fix.optionalParams.push("Idempotency-Key");
    },
  },
  {
    section: "Ledger",
    rule: "The ledger v1 write operations read the Idempotency-Key header although their spec omits it.",
    when: (op) =>
      op.service === "ledger" &&
      ["createTransaction", "addMetadataOnTransaction", "addMetadataToAccount", "revertTransaction"].includes(
        op.operationId,
      ),
    apply: (fix) => {
      fix.idempotencyHeader = "Idempotency-Key";
    },
  },
  {
    section: "All services, Ledger, Webhooks",
    rule: "With a cursor the servers ignore other inputs, except the ledger (which honours pageSize) and webhooks deliveries (filters must be sent again).",
    when: (op) =>
      op.service === "ledger" || ["getDeliveries", "getDeliveryAttempts"].includes(op.operationId),
    apply: (fix, op) => {
      fix.keepOnNextPage =
        op.service === "ledger"
          ? ["pageSize"]
          : ["configId", "status", "createdAtFrom", "createdAtTo", "pageSize"];
    },
  },
  {
    section: "Ledger",
    rule: "v2RunQuery pages through a body cursor and answers a oneOf of cursors: it is a plain call, not auto-paginated.",
    when: ID("v2RunQuery"),
    apply: (fix) => {
      fix.notPaged = true;
    },
  },
];

/** Components whose integers are exact even though the spec does not say `format: bigint` (Ledger). */
export const BIGINT_COMPONENTS = { ledger: ["AssetsBalances"] };

/**
 * Properties the specs mark required that the servers do not require (Ledger: a transaction is posted
 * without metadata). Optional in inputs and outputs.
 */
export const OPTIONAL_PROPERTIES = { ledger: { V2PostTransaction: ["metadata"] } };

/**
 * Properties the servers send that their specs leave out or type too narrowly, as
 * `{ service: { Component: { "dotted.property.path": schema } } }`; each is set (added or replaced) in
 * the component before the schemas are emitted, so strict validation accepts what the server sends and
 * the types name it (Wallets, Webhooks, Auth, Reconciliation, Payments).
 */
const mainBalance = {
  allOf: [
    { $ref: "#/components/schemas/AssetHolder" },
    {
      type: "object",
      properties: {
        expiresAt: { type: "string", format: "date-time", nullable: true },
        priority: { type: "integer", format: "bigint" },
      },
    },
  ],
};

export const PROPERTY_PATCHES = {
  wallets: {
    // `/_info` answers go-libs' ServiceInfo: {version, debug}.
    ServerInfo: { debug: { type: "boolean" } },
    // A wallet's main balance carries the balance fields (expiresAt, priority; no name) beside its assets.
    Wallet: { "balances.main": mainBalance },
    WalletWithBalances: { "balances.main": mainBalance },
    // getTransactions passes on the ledger's v2 transactions, which have these too.
    Transaction: {
      insertedAt: { type: "string", format: "date-time" },
      updatedAt: { type: "string", format: "date-time" },
      reverted: { type: "boolean" },
    },
  },
  auth: { ServerInfo: { debug: { type: "boolean" } } },
  reconciliation: { ServerInfo: { debug: { type: "boolean" } } },
  orchestration: {
    ServerInfo: { debug: { type: "boolean" } },
    // Workflows carry their soft-deletion time (null while they exist).
    Workflow: { deletedAt: { type: "string", format: "date-time", nullable: true } },
    V2Workflow: { deletedAt: { type: "string", format: "date-time", nullable: true } },
    // Stage statuses name their Temporal run; triggers embed their workflow.
    StageStatus: { temporalRunID: { type: "string" } },
    V2StageStatus: { temporalRunID: { type: "string" } },
    // A history entry's input is the stage's own input ({amount, source, ...} for a send), not a Stage.
    WorkflowInstanceHistory: { input: { type: "object", additionalProperties: true } },
    V2WorkflowInstanceHistory: { input: { type: "object", additionalProperties: true } },
    // A stage's history carries its activities' own inputs and outputs as their Go structs encode them.
    WorkflowInstanceHistoryStage: {
      input: { type: "object", additionalProperties: true },
      output: { type: "object", additionalProperties: true, nullable: true },
    },
    V2WorkflowInstanceHistoryStage: {
      input: { type: "object", additionalProperties: true },
      output: { type: "object", additionalProperties: true, nullable: true },
    },
    Trigger: { workflow: { allOf: [{ $ref: "#/components/schemas/Workflow" }], nullable: true } },
    V2Trigger: { workflow: { allOf: [{ $ref: "#/components/schemas/V2Workflow" }], nullable: true } },
  },
  payments: {
    // The v1 connector list says whether each connector is being uninstalled.
    ConnectorsResponse: { "data.[].scheduledForDeletion": { type: "boolean" } },
    // Payment service users answer null for the contact details and address they were not given.
    V3ContactDetails: {
      email: { type: "string", nullable: true },
      phoneNumber: { type: "string", nullable: true },
      locale: { type: "string", nullable: true },
    },
    // The v1 config of dummypay is the v3 one (payments runs the v3 connectors behind both APIs).
    // Task descriptors name their task, connector and creation time.
    TaskDummyPay: {
      "descriptor.id": { type: "string" },
      "descriptor.connectorID": { type: "string" },
      "descriptor.createdAt": { type: "string", format: "date-time" },
    },
    DummyPayConfig: {
      pollingPeriod: { type: "string" },
      linkFlowError: { type: "boolean" },
      updateLinkFlowError: { type: "boolean" },
    },
    // Open-banking connections carry the time of their last update.
    V3PaymentServiceUserConnection: { updatedAt: { type: "string", format: "date-time" } },
    V3PaymentServiceUser: {
      address: { allOf: [{ $ref: "#/components/schemas/V3Address" }], nullable: true },
      contactDetails: { allOf: [{ $ref: "#/components/schemas/V3ContactDetails" }], nullable: true },
    },
  },
  webhooks: { WebhooksConfig: { name: { type: "string" } } },
};

/**
 * Components the servers read in another shape altogether, replaced whole (Payments): v3
 * updatePaymentMetadata decodes its body as the metadata map itself, not `{metadata: {...}}`.
 */
export const REPLACED_COMPONENTS = {
  payments: {
    V3UpdatePaymentMetadataRequest: { type: "object", additionalProperties: { type: "string" } },
  },
};

/** Notes added to the JSDoc of operations the pinned servers do not serve (Ledger, Payments, Orchestration). */
export const NOT_SERVED = {
  getMapping: "Not served by ledger v2.4.12 (no route): answers 404.",
  updateMapping: "Not served by ledger v2.4.12 (no route): answers 404.",
  runScript: "Not served by ledger v2.4.12 (no route): answers 404. Use createTransaction with a script.",
  CreateTransactions: 'ledger v2.4.12 answers 400 "not supported"; use createTransaction or v2 createBulk.',
  connectorsTransfer: "Not served by payments v3.4.0 (no route).",
  readConnectorConfig:
    "Not served by payments v3.4.0 without a connector id (405): use readConnectorConfigV1.",
  resetConnector: "Not served by payments v3.4.0 without a connector id (405): use resetConnectorV1.",
  uninstallConnector: "Not served by payments v3.4.0 without a connector id (405): use uninstallConnectorV1.",
  listConnectorTasks: "Not served by payments v3.4.0 without a connector id (405): use listConnectorTasksV1.",
  getConnectorTask: "Not served by payments v3.4.0 without a connector id (404): use getConnectorTaskV1.",
  v2GetServerInfo: "Not served by flows v2.6.0 under /v2; use v1 getServerInfo.",
};

/**
 * Public names that differ from the naming rule, keyed by the rule's `<service>.<version>.<method>`.
 * Applied by spec.mjs `placement`, so the facade, the standalone function and every error use the new name.
 */
export const RENAMES = {
  "auth.v1.createClient": {
    to: "createOAuthClient",
    why: "`createClient` from `@formance/auth/v1` would shadow the core's `createClient` in the same file (docs/MIGRATION.md).",
  },
};

export const CORRECTIONS = {
  forOperation(op) {
    const fix = {
      bodyAsQuery: false,
      dropBody: false,
      optionalParams: [],
      extraSuccess: [],
      maybeEmpty: false,
      kind: undefined,
      streamBody: false,
      outputRef: undefined,
      idempotencyHeader: undefined,
      keepOnNextPage: undefined,
      notPaged: false,
      dataWrapped: false,
      defaultScopes: () => [],
    };
    for (const rule of RULES) if (rule.when(op)) rule.apply(fix, op);
    return fix;
  },
};

// ---- webhook event payloads (events.json) ----

const str = { type: "string" };
const dateTime = { type: "string", format: "date-time" };
const big = { type: "number", format: "bigint" };
const stringMap = { type: "object", additionalProperties: { type: "string" } };
const anyObject = { type: "object" };
const anyValue = {};
const obj = (properties) => ({ type: "object", properties });

/**
 * Webhook event types the pinned services emit but events.json does not document (Webhooks).
 * Field lists follow the Go payload structs; every field is optional because no spec pins them.
 */
export const EXTRA_EVENTS = {
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

/** Corrections to events.json payloads (Webhooks), each backed by the emitting source. */
export const EVENT_PATCHES = [
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
