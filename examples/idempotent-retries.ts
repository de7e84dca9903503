// Idempotency keys and retries: safe to retry a POST, and how to tell a replay from a first write.
//
//   FORMANCE_URL=http://localhost:8080 node examples/test/run.mjs idempotent-retries
//
// Retried: 408, 429, 500, 502, 503, 504 and connection failures, with backoff and `Retry-After`.
// GET/HEAD/PUT/DELETE always; POST/PATCH only with an `Idempotency-Key`, which the SDK generates
// (once per call, reused on every attempt) for operations that accept one. 409 is never retried.
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { Formance, FormanceAPIError } from "@formance/sdk";

export async function main(serverURL = process.env.FORMANCE_URL ?? "http://localhost:8080") {
  const sdk = new Formance({
    serverURL,
    clientId: process.env.FORMANCE_CLIENT_ID,
    clientSecret: process.env.FORMANCE_CLIENT_SECRET,
    // The client-wide policy (the default is { maxRetries: 2 }); `retry: false` turns retries off.
    retry: { maxRetries: 4, initialDelay: 100, maxDelay: 2_000, budget: 30_000 },
  });
  const ledger = process.env.FORMANCE_LEDGER ?? "main";
  try {
    await sdk.ledger.v2.createLedger({ ledger, body: {} });
  } catch (error) {
    if (!(error instanceof FormanceAPIError && error.code === "LEDGER_ALREADY_EXISTS")) throw error;
  }
  const order = {
    postings: [{ amount: 4_200n, asset: "USD/2", source: "world", destination: "users:alice" }],
    metadata: { order: "42" },
  };

  // Your own key, derived from your own data: the ledger stores it with the transaction.
  const first = await sdk.ledger.v2
    .createTransaction({ ledger, idempotencyKey: "order-42", body: order })
    .withResponse();
  // Same key, same input: nothing is written twice; the stored transaction comes back, flagged.
  const again = await sdk.ledger.v2
    .createTransaction({ ledger, idempotencyKey: "order-42", body: order })
    .withResponse();
  const replayed = again.response.headers.get("Idempotency-Hit") === "true";
  console.log(`transaction ${first.data.id}; second call replayed: ${replayed} (id ${again.data.id})`);

  // No key given: the SDK generates one for this call, so a retry after a 503 or a dropped
  // connection cannot post the transaction twice. Per-call options override the client's.
  const generated = await sdk.ledger.v2.createTransaction(
    { ledger, body: { ...order, metadata: { order: "43" } } },
    { retry: { maxRetries: 6 }, timeout: 10_000 },
  );

  // Opt out for one call: no retry at all.
  const noRetry = await sdk.ledger.v2.getTransaction({ ledger, id: first.data.id }, { retry: false });

  return {
    id: first.data.id,
    replayed,
    sameId: again.data.id === first.data.id,
    generatedId: generated.id,
    fetchedId: noRetry.id,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) await main();
