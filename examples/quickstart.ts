// Quickstart: create a ledger, post transactions (one above 2^64), page through them, print the balances,
// and handle a typed error. `pnpm demo` runs it (against a local ledger when it can start one).
//
//   FORMANCE_URL=https://<org>-<stack>.eu.sandbox.formance.cloud \
//   FORMANCE_CLIENT_ID=... FORMANCE_CLIENT_SECRET=... pnpm demo     # a Formance stack, through its gateway
//   FORMANCE_LEDGER_URL=http://127.0.0.1:3068 pnpm demo             # a ledger running on its own
//
// Optional: FORMANCE_LEDGER_PREFIX, the ledger's path behind the gateway (default /api/ledger).
import { Formance, FormanceAPIError, ledger as ledgerHelpers } from "@formance/sdk";

function connect(): Formance {
  const env = process.env;
  if (env.FORMANCE_URL) {
    return new Formance({
      serverURL: env.FORMANCE_URL,
      clientId: env.FORMANCE_CLIENT_ID, // OAuth2 client credentials: the token is fetched and refreshed for you
      clientSecret: env.FORMANCE_CLIENT_SECRET,
      ...(env.FORMANCE_LEDGER_PREFIX ? { pathPrefix: { ledger: env.FORMANCE_LEDGER_PREFIX } } : {}),
    });
  }
  if (env.FORMANCE_LEDGER_URL) {
    // A ledger without the gateway in front: no /api/ledger prefix.
    return new Formance({ serverURL: env.FORMANCE_LEDGER_URL, pathPrefix: { ledger: "" } });
  }
  console.error("Set FORMANCE_URL (a Formance stack) or FORMANCE_LEDGER_URL (a ledger running on its own).");
  process.exit(1);
}

/** 12345n in "USD/2" reads 123.45: the number after the slash is the asset's precision. Exact for any bigint. */
const formatAmount = (amount: bigint, asset: string) =>
  ledgerHelpers.formatAmount(amount, asset, { locale: "en-US" });

const sdk = connect();
const ledger = `quickstart-${Date.now()}`;
await sdk.ledger.v2.createLedger({ ledger, body: { metadata: { example: "quickstart" } } });
console.log(`Created ledger ${ledger}\n`);

// Amounts are bigint: exact at any size. `world` is the ledger's source of money.
const payments = [
  { amount: 100_000_00n, asset: "USD/2", source: "world", destination: "bank:main" },
  { amount: 123_45n, asset: "USD/2", source: "bank:main", destination: "users:alice" },
  { amount: 678_90n, asset: "USD/2", source: "bank:main", destination: "users:bob" },
  // 2^64 + 1 wei: beyond what a JavaScript number holds exactly.
  { amount: 2n ** 64n + 1n, asset: "ETH/18", source: "world", destination: "users:alice" },
];
for (const [i, posting] of payments.entries()) {
  await sdk.ledger.v2.createTransaction({
    ledger,
    idempotencyKey: `payment-${i + 1}`, // safe to retry: the same key never posts twice in this ledger
    body: { postings: [posting], metadata: { step: String(i + 1) } },
  });
}

// Lists are paginated: `for await` walks every page (2 per page here, to show it).
console.log("Transactions, newest first:");
for await (const tx of sdk.ledger.v2.listTransactions({ ledger, pageSize: 2 })) {
  for (const p of tx.postings) {
    console.log(
      `  #${tx.id}  ${p.source} -> ${p.destination}  ${formatAmount(p.amount, p.asset)} ${p.asset}`,
    );
  }
}

// Balances, one row per account and asset.
const rows = [["Account", "Asset", "Balance"]];
for await (const v of sdk.ledger.v2.getVolumesWithBalances({ ledger, pageSize: 100 })) {
  rows.push([v.account, v.asset, formatAmount(v.balance, v.asset)]);
}
const width = (col: number) => Math.max(...rows.map((row) => row[col]!.length));
console.log("\nBalances:");
for (const [account, asset, balance] of rows) {
  console.log(`  ${account!.padEnd(width(0))}  ${asset!.padEnd(width(1))}  ${balance!.padStart(width(2))}`);
}

// Errors are typed: status, the server's errorCode, the operation. Bob cannot send more than he has.
try {
  await sdk.ledger.v2.createTransaction({
    ledger,
    body: {
      postings: [{ amount: 1_000_00n, asset: "USD/2", source: "users:bob", destination: "users:alice" }],
    },
  });
} catch (error) {
  if (!(error instanceof FormanceAPIError && error.code === "INSUFFICIENT_FUND")) throw error;
  console.log(`\nBob cannot send 1,000.00 USD/2: refused with ${error.status} ${error.code}`);
}
