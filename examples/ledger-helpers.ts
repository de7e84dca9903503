// The ledger helpers: exact amounts (`parseAmount` / `formatAmount`), Numscript whose values are
// typed variables (`numscript`), and a bulk import that can be run again safely (`importTransactions`).
// Runs against a ledger without the gateway:
//
//   FORMANCE_URL=http://127.0.0.1:3068 node examples/test/run.mjs ledger-helpers
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import {
  account,
  amount,
  FormanceAPIError,
  formatAmount,
  importTransactions,
  Ledger,
  numscript,
  parseAmount,
  string,
  type V2PostTransactionInput,
} from "@formance/ledger";

export async function main(serverURL = process.env.FORMANCE_URL ?? "http://localhost:8080", count = 1_000) {
  const sdk = new Ledger({ serverURL, pathPrefix: "" });
  const ledger = "examples-helpers";
  try {
    await sdk.v2.createLedger({ ledger, body: {} });
  } catch (error) {
    if (!(error instanceof FormanceAPIError && error.code === "LEDGER_ALREADY_EXISTS")) throw error;
  }

  // 1. Amounts: text in the asset's unit <-> exact minor units.
  const price = parseAmount("1234.56", "USD/2"); // 123456n
  const shown = formatAmount(2n ** 64n + 1n, "ETH/18", { locale: "en-US" }); // "18.446744073709551617"

  // 2. Numscript: each interpolation becomes a declared variable, never script text.
  const customer = "users:42"; // from a request, a file, a form...
  const note = 'paid "in full"\n(thanks)'; // quotes and newlines are fine: it is a variable
  const script = numscript`
    send ${amount(price, "USD/2")} (
      source = @world
      destination = ${account(customer)}
    )
    set_tx_meta("note", ${string(note)})
  `;
  const paid = await sdk.v2.createTransaction({
    ledger,
    idempotencyKey: "helpers-payment",
    body: { script },
  });

  // 3. A bulk import: any (async) iterable, posted 100 per createBulk call, 4 calls in flight.
  //    Each transaction's reference is its idempotency key: running this again posts nothing twice.
  function* payouts(): Generator<V2PostTransactionInput> {
    for (let i = 0; i < count; i++) {
      yield {
        reference: `payout-${i}`,
        postings: [{ amount: 100n, asset: "USD/2", source: "world", destination: `users:${i % 10}` }],
      };
    }
  }
  let imported = 0;
  const refused: string[] = [];
  for await (const result of importTransactions(sdk, ledger, payouts(), {
    onProgress: (p) => console.log(`${p.done} done, ${p.failed} refused`),
  })) {
    if (result.ok) imported++;
    else refused.push(`${result.key}: ${result.error.code}`);
  }

  const balance = await sdk.v2.getAccount({ ledger, address: "users:0", expand: "volumes" });
  const usersZero = formatAmount(balance.volumes?.["USD/2"]?.balance ?? 0n, "USD/2", { locale: "en-US" });
  console.log(`users:0 holds ${usersZero} USD; ${imported} imported, ${refused.length} refused`);
  return { price, shown, paid: paid.postings, metadata: paid.metadata, imported, refused, usersZero };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) await main();
