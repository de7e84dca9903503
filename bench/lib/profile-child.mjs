// Profiles `calls` createTransaction or getTransaction calls with a canned-Response fetch, after a
// warm-up, with V8's sampling profiler (node:inspector); writes the profile JSON to stdout. Started
// by profile-call.mjs.
//
//   node lib/profile-child.mjs <create|get> <calls>
import { Session } from "node:inspector/promises";
import { postTransaction, transaction } from "./data.mjs";

const [op = "create", calls = "5000"] = process.argv.slice(2);
const text = JSON.stringify({ data: transaction(1234) });
const respond = async () =>
  new Response(text, { status: 200, headers: { "content-type": "application/json" } });
const { Formance } = await import("@formance/sdk");
const sdk = new Formance({ serverURL: "http://127.0.0.1:1", fetch: respond });
const body = postTransaction(true);
const call =
  op === "create"
    ? () => sdk.ledger.v2.createTransaction({ ledger: "main", body })
    : () => sdk.ledger.v2.getTransaction({ ledger: "main", id: 1234n });
for (let i = 0; i < 2000; i++) await call();
const session = new Session();
session.connect();
await session.post("Profiler.enable");
await session.post("Profiler.setSamplingInterval", { interval: 100 });
await session.post("Profiler.start");
for (let i = 0; i < Number(calls); i++) await call();
const { profile } = await session.post("Profiler.stop");
process.stdout.write(JSON.stringify(profile));
