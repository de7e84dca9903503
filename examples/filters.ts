// Filters: the query-builder JSON goes in `body`; the SDK sends it as the `query` URL parameter
// (fetch cannot send a body on GET or HEAD; the ledger and payments servers read `?query=`).
//
//   FORMANCE_URL=http://localhost:8080 node examples/test/run.mjs filters
//
// Operators: $match, $like, $lt, $lte, $gt, $gte, $exists, $in, combined with $and, $or, $not.
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { Formance } from "@formance/sdk";

export async function main(serverURL = process.env.FORMANCE_URL ?? "http://localhost:8080") {
  const sdk = new Formance({
    serverURL,
    clientId: process.env.FORMANCE_CLIENT_ID,
    clientSecret: process.env.FORMANCE_CLIENT_SECRET,
  });
  const ledger = process.env.FORMANCE_LEDGER ?? "main";

  // Accounts under `users:` holding more than 2^64 wei. Bigints are written exactly in the filter
  // (as a JS number, 2^64 would go out as 18446744073709552000).
  const whales = await sdk.ledger.v2.listAccounts({
    ledger,
    expand: "volumes",
    body: { $and: [{ $match: { address: "users:" } }, { $gt: { "balance[ETH/18]": 2n ** 64n } }] },
  });
  console.log(`accounts: ${whales.data.map((a) => a.address).join(", ") || "(none)"}`);

  // Transactions touching users:alice in January 2024 (a time range is two comparisons on `timestamp`).
  const january = {
    $and: [
      { $match: { account: "users:alice" } },
      { $gte: { timestamp: new Date("2024-01-01T00:00:00Z").toISOString() } },
      { $lt: { timestamp: "2024-02-01T00:00:00Z" } },
    ],
  };
  const transactions = await sdk.ledger.v2.listTransactions({ ledger, pageSize: 50, body: january });
  // The same filter works for the HEAD count, which reads the `Count` header as a bigint.
  const count = await sdk.ledger.v2.countTransactions({ ledger, body: january });
  console.log(`alice in January: ${count} transactions, first page has ${transactions.data.length}`);

  // Metadata filters use `metadata[key]`.
  const refunds = await sdk.ledger.v2.listTransactions({
    ledger,
    body: { $match: { "metadata[type]": "refund" } },
  });

  // Payments v3: same language, its own fields (status, asset, amount, connector_id, metadata[...]).
  const payments = await sdk.payments.v3.listPayments({
    pageSize: 20,
    body: {
      $and: [
        { $match: { status: "SUCCEEDED" } },
        { $match: { asset: "EUR/2" } },
        { $gte: { amount: 10_000n } },
      ],
    },
  });
  console.log(`succeeded EUR payments of 100.00 or more: ${payments.data.length}`);

  return {
    accounts: whales.data.map((a) => a.address),
    transactions: transactions.data.map((tx) => tx.id),
    count,
    refunds: refunds.data.length,
    payments: payments.data.map((p) => p.id),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) await main();
