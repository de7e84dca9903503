// Where the specs and the servers disagree, the servers win. Each entry cites the section of
// API-FACTS.md (shared docs) that documents the real behaviour. RULES correct operations, one row
// per correction, read top to bottom; the tables after it correct components.

const ID =
  (...ids) =>
  (op) =>
    ids.includes(op.operationId);

export const RULES = [
  {
    section: "§3.1, §3.4",
    rule: "GET/HEAD request bodies (filters) are sent as the JSON text of the `query` URL parameter, since fetch cannot send them as bodies; they are optional (the ledger v2 spec declares them required).",
    when: (op) => op.method === "GET" || op.method === "HEAD",
    apply: (fix) => {
      fix.bodyAsQuery = true;
    },
  },
  {
    section: "§2.5, §3.3",
    rule: "payments v1 listAccounts has its own string `query` parameter; its optional GET body is dropped.",
    when: (op) => op.operationId === "listAccounts" && op.service === "payments",
    apply: (fix) => {
      fix.dropBody = true;
    },
  },
  {
    section: "§4",
    rule: "HEAD counts return the `Count` header as a bigint; 204 (and the spec's 200 for v1 countTransactions) accepted.",
    when: ID("countAccounts", "countTransactions", "v2CountAccounts", "v2CountTransactions"),
    apply: (fix) => {
      fix.kind = "count";
    },
  },
  {
    section: "§8.1",
    rule: "v2ImportLogs takes a stream, Blob, bytes, string or async iterable of logs (sent as NDJSON octet-stream).",
    when: ID("v2ImportLogs"),
    apply: (fix) => {
      fix.streamBody = true;
    },
  },
  {
    section: "§8.1",
    rule: "v2ExportLogs answers NDJSON: an async iterable of log objects parsed losslessly.",
    when: ID("v2ExportLogs"),
    apply: (fix) => {
      fix.kind = "ndjson";
      fix.outputRef = "V2Log";
    },
  },
  {
    section: "§8.3",
    rule: "v3ListConnectorCapabilities answers 304 Not Modified to a matching If-None-Match: a success with no body.",
    when: ID("v3ListConnectorCapabilities"),
    apply: (fix) => {
      fix.extraSuccess.push(304);
      fix.maybeEmpty = true;
    },
  },
  {
    section: "§8.3",
    rule: "debitWallet answers 201 with a hold (pending debit) or 204 with no body.",
    when: ID("debitWallet"),
    apply: (fix) => {
      fix.maybeEmpty = true;
    },
  },
  {
    section: "§7.2, §7.3",
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
    section: "§5.1",
    rule: "Idempotency-Key headers are optional inputs (the webhooks replays declare them required): when omitted the SDK generates one per call and reuses it on every retry.",
    when: () => true,
    apply: (fix) => {
      fix.optionalParams.push("Idempotency-Key");
    },
  },
  {
    section: "§5.1",
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
    section: "§2.2",
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
    section: "§2.4",
    rule: "v2RunQuery pages through a body cursor and answers a oneOf of cursors: it is a plain call, not auto-paginated.",
    when: ID("v2RunQuery"),
    apply: (fix) => {
      fix.notPaged = true;
    },
  },
];

/** Components whose integers are exact even though the spec does not say `format: bigint` (§1.1). */
export const BIGINT_COMPONENTS = { ledger: ["AssetsBalances"] };

/**
 * Properties the specs mark required that the servers do not require (§5.4 and the DESIGN §4 example:
 * a transaction posted without metadata). Optional in inputs and outputs.
 */
export const OPTIONAL_PROPERTIES = { ledger: { V2PostTransaction: ["metadata"] } };

/** Notes added to the JSDoc of operations the pinned servers do not serve (§13.2). */
export const NOT_SERVED = {
  getMapping: "Not served by ledger v2.4.12 (no route): answers 404.",
  updateMapping: "Not served by ledger v2.4.12 (no route): answers 404.",
  runScript: "Not served by ledger v2.4.12 (no route): answers 404. Use createTransaction with a script.",
  CreateTransactions: 'ledger v2.4.12 answers 400 "not supported"; use createTransaction or v2 createBulk.',
  connectorsTransfer: "Not served by payments v3.4.0 (no route).",
  v2GetServerInfo: "Not served by flows v2.6.0 under /v2; use v1 getServerInfo.",
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
      defaultScopes: () => [],
    };
    for (const rule of RULES) if (rule.when(op)) rule.apply(fix, op);
    return fix;
  },
};
