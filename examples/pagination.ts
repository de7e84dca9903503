// Pagination: the first page, the next one, every item, and page by page.
//
//   FORMANCE_URL=http://localhost:8080 node examples/test/run.mjs pagination
//
// List calls return a PagePromise: `await` it for the first page, or `for await` it for every item.
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { Formance, FormanceAPIError } from "@formance/sdk";

export async function main(serverURL = process.env.FORMANCE_URL ?? "http://localhost:8080") {
  const sdk = new Formance({
    serverURL,
    clientId: process.env.FORMANCE_CLIENT_ID,
    clientSecret: process.env.FORMANCE_CLIENT_SECRET,
  });
  const ledger = "examples-pagination";

  // Something to page through: a ledger with five transactions. Fixed idempotency keys make a second
  // run replay the same five instead of posting new ones.
  try {
    await sdk.ledger.v2.createLedger({ ledger, body: {} });
  } catch (error) {
    if (!(error instanceof FormanceAPIError && error.code === "LEDGER_ALREADY_EXISTS")) throw error;
  }
  for (let i = 1; i <= 5; i++) {
    await sdk.ledger.v2.createTransaction({
      ledger,
      idempotencyKey: `pagination-${i}`,
      body: {
        postings: [{ amount: BigInt(i * 100), asset: "USD/2", source: "world", destination: `users:${i}` }],
      },
    });
  }

  // 1. Await the call: the first page.
  const first = await sdk.ledger.v2.listTransactions({ ledger, pageSize: 2 });
  console.log(`first page: ${first.data.map((tx) => tx.id).join(", ")} (more: ${first.hasMore})`);

  // 2. The next page: the SDK re-sends the cursor (and pageSize, which the ledger honours with it).
  const second = first.hasNextPage() ? await first.getNextPage() : undefined;
  console.log(`second page: ${second?.data.map((tx) => tx.id).join(", ")}`);

  // 3. `for await` the call: every item, pages fetched as needed.
  const ids: bigint[] = [];
  for await (const tx of sdk.ledger.v2.listTransactions({ ledger, pageSize: 2 })) ids.push(tx.id);
  console.log(`all transactions: ${ids.join(", ")}`);

  // 4. Page by page, e.g. to process each page as a batch.
  const pageSizes: number[] = [];
  for await (const page of first.iterPages()) pageSizes.push(page.data.length);
  console.log(`page sizes: ${pageSizes.join(", ")}`);

  return {
    firstPage: first.data.map((tx) => tx.id),
    secondPage: second?.data.map((tx) => tx.id) ?? [],
    all: ids,
    pageSizes,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) await main();
