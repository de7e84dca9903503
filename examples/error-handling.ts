// Error handling: typed API errors with the server's code, bad input caught before sending,
// timeouts and cancellation.
//
//   FORMANCE_URL=http://localhost:8080 node examples/test/run.mjs error-handling
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import {
  Formance,
  FormanceAbortError,
  FormanceAPIError,
  FormanceNotFoundError,
  FormanceTimeoutError,
  FormanceValidationError,
  isFormanceError,
} from "@formance/sdk";

export async function main(serverURL = process.env.FORMANCE_URL ?? "http://localhost:8080") {
  const sdk = new Formance({
    serverURL,
    clientId: process.env.FORMANCE_CLIENT_ID,
    clientSecret: process.env.FORMANCE_CLIENT_SECRET,
  });
  const ledger = process.env.FORMANCE_LEDGER ?? "main";
  const seen: string[] = [];

  // 1. The server refused: FormanceAPIError (status subclasses exist), `code` is the server's errorCode.
  //    Codes are open strings: a code this SDK has never heard of still arrives as a typed error.
  try {
    await sdk.ledger.v2.createTransaction({
      ledger,
      body: {
        postings: [{ amount: 1_000_000n, asset: "USD/2", source: "users:bob", destination: "users:alice" }],
      },
    });
  } catch (error) {
    if (!(error instanceof FormanceAPIError)) throw error;
    switch (error.code) {
      case "INSUFFICIENT_FUND":
        console.log(`bob cannot pay: ${error.status} ${error.code}`);
        break;
      case "LEDGER_NOT_FOUND":
        console.log(`no ledger ${ledger}: create it first`);
        break;
      default:
        console.log(`refused: ${error.message}`);
    }
    seen.push(`${error.name}:${error.code}`);
  }

  // 2. Errors without a body (401, HEAD requests, some 404s) are still typed, with a clear message.
  try {
    await sdk.ledger.v2.countTransactions({ ledger: "no-such-ledger" });
  } catch (error) {
    if (!(error instanceof FormanceNotFoundError)) throw error;
    console.log(error.message); // ledger.v2.countTransactions: 404 Not Found (empty response body)
    seen.push(`${error.name}:${error.status}`);
  }

  // 3. Bad input never reaches the network: the field path and what was expected.
  try {
    await sdk.ledger.v2.createTransaction({
      ledger,
      // A JSON number would lose precision above 2^53: amounts must be bigint.
      body: {
        postings: [{ amount: 12.5 as unknown as bigint, asset: "USD/2", source: "world", destination: "a" }],
      },
    });
  } catch (error) {
    if (!(error instanceof FormanceValidationError)) throw error;
    for (const issue of error.issues) console.log(`invalid ${issue.path}: ${issue.message}`);
    seen.push(`${error.name}:${error.issues[0]?.path}`);
  }

  // 4. A per-call timeout (per attempt, in ms): FormanceTimeoutError once it runs out.
  try {
    const stats = await sdk.ledger.v2.readStats({ ledger }, { timeout: 250, retry: false });
    console.log(`stats in time: ${stats.accounts} accounts`);
    seen.push("stats");
  } catch (error) {
    if (!(error instanceof FormanceTimeoutError)) throw error;
    console.log(`gave up: ${error.message}`);
    seen.push(error.name);
  }

  // 5. Cancellation with an AbortSignal: the request and any retry wait stop at once.
  const controller = new AbortController();
  const pending = sdk.ledger.v2.listTransactions({ ledger }, { signal: controller.signal });
  controller.abort();
  try {
    await pending;
  } catch (error) {
    if (!(error instanceof FormanceAbortError)) throw error;
    seen.push(error.name);
  }

  // Anything the SDK throws is a FormanceError, recognised even across duplicate installs.
  try {
    await sdk.ledger.v2.getTransaction({ ledger, id: 2n ** 64n });
  } catch (error) {
    if (!isFormanceError(error)) throw error;
    // toJSON() never includes credentials: safe to log as is.
    console.log(JSON.stringify(error));
    seen.push(error.name);
  }

  return seen;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) await main();
