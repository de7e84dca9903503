// One service, two ways: the `Ledger` client on its own, and tree-shakable standalone functions.
// Both talk to a ledger running without the gateway (`pathPrefix: ""`: no /api/ledger in front).
//
//   FORMANCE_URL=http://127.0.0.1:3068 node examples/test/run.mjs standalone-ledger
//
// Install only what you use: `npm install @formance/ledger` (it brings @formance/sdk-core).
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { FormanceAPIError, Ledger } from "@formance/ledger";
import { createTransaction, getBalancesAggregated, getLedger } from "@formance/ledger/v2";
import { createClient } from "@formance/sdk-core";

export async function main(serverURL = process.env.FORMANCE_URL ?? "http://localhost:8080") {
  const ledgerName = "examples-standalone";

  // 1. The service client: `ledger.v1` / `ledger.v2`, like `sdk.ledger` in @formance/sdk.
  const ledger = new Ledger({ serverURL, pathPrefix: "" });
  try {
    await ledger.v2.createLedger({ ledger: ledgerName, body: { metadata: { team: "payments" } } });
  } catch (error) {
    if (!(error instanceof FormanceAPIError && error.code === "LEDGER_ALREADY_EXISTS")) throw error;
  }
  const info = await ledger.v2.getLedger({ ledger: ledgerName });
  console.log(`ledger ${info.name} in bucket ${info.bucket}`);

  // 2. Standalone functions: a bundle that imports only these carries only their code and schemas.
  //    One client holds the options (and the token cache); pass it as the first argument.
  const client = createClient({ serverURL, pathPrefix: "" });
  const tx = await createTransaction(client, {
    ledger: ledgerName,
    body: {
      postings: [{ amount: 2n ** 70n, asset: "ETH/18", source: "world", destination: "treasury:cold" }],
      timestamp: new Date("2024-06-01T12:00:00Z"), // Date or RFC 3339 string in; strings (microseconds kept) out
    },
  });
  const again = await getLedger(client, { ledger: ledgerName });
  const balances = await getBalancesAggregated(client, {
    ledger: ledgerName,
    body: { $match: { address: "treasury:" } },
  });
  console.log(`transaction ${tx.id} at ${tx.timestamp}: treasury holds ${balances["ETH/18"]} wei`);

  return { id: tx.id, timestamp: tx.timestamp, balances, sameLedger: again.name === info.name };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) await main();
