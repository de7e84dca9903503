// End to end over real HTTP: the example receiver (examples/webhooks-receiver.ts) on port 0, deliveries
// posted with fetch, signed independently with node:crypto.
import { createHmac } from "node:crypto";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createReceiver } from "../../../examples/webhooks-receiver";
import type { WebhookEvent } from "../src/lib/index";

const SECRET = "EW+81IbFC9uO6wCwyXUVL49N98eKi2lp";

const received: Array<{ event: WebhookEvent; id: string }> = [];
let failNext = false;
let server: Server;
let url: string;

beforeAll(async () => {
  server = createReceiver({
    secret: SECRET,
    onEvent: (event, delivery) => {
      if (failNext) {
        failNext = false;
        throw new Error("database unavailable");
      }
      received.push({ event, id: delivery.id });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/formance`;
});

afterAll(async () => {
  await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
});

function signedHeaders(body: string, id: string, timestamp = Math.floor(Date.now() / 1000), secret = SECRET) {
  const signature = createHmac("sha256", secret).update(`${id}.${timestamp}.${body}`).digest("base64");
  return {
    "content-type": "application/json",
    "user-agent": "formance-webhooks/v0",
    "formance-webhook-id": id,
    "formance-webhook-timestamp": String(timestamp),
    "formance-webhook-signature": `v1,${signature}`,
    "formance-webhook-test": "false",
  };
}

const body = JSON.stringify({
  idempotency_key: "",
  date: "2024-11-21T12:00:00.123456Z",
  app: "ledger",
  version: "v2",
  type: "ledger.committed_transactions",
  payload: {
    ledger: "main",
    transactions: [
      {
        postings: [{ source: "world", destination: "users:1", amount: 100, asset: "USD/2" }],
        metadata: {},
        timestamp: "2024-11-21T12:00:00Z",
        id: 7,
        reverted: false,
      },
    ],
  },
});

describe("example webhook receiver", () => {
  it("accepts a signed delivery (200) and hands the typed event to onEvent", async () => {
    const res = await fetch(url, { method: "POST", headers: signedHeaders(body, "delivery-1"), body });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
    const last = received.at(-1)!;
    expect(last.id).toBe("delivery-1");
    expect(last.event.type).toBe("ledger.committed_transactions");
    expect(last.event.payload).toMatchObject({ ledger: "main", transactions: [{ id: 7 }] });
  });

  it("rejects an unsigned delivery (400)", async () => {
    const count = received.length;
    const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: "missing_header" });
    expect(received.length).toBe(count);
  });

  it("rejects a delivery signed with another secret or with a tampered body (400)", async () => {
    const wrong = await fetch(url, {
      method: "POST",
      headers: signedHeaders(body, "delivery-2", undefined, "jsp7jmTcppFWSd9cP5iP//yt2QrHfOFv"),
      body,
    });
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toMatchObject({ error: "invalid_signature" });
    const tampered = await fetch(url, {
      method: "POST",
      headers: signedHeaders(body, "delivery-3"),
      body: body.replace('"amount":100', '"amount":100000'),
    });
    expect(tampered.status).toBe(400);
  });

  it("rejects a stale delivery (400)", async () => {
    const old = Math.floor(Date.now() / 1000) - 3_600;
    const res = await fetch(url, { method: "POST", headers: signedHeaders(body, "delivery-4", old), body });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: "timestamp_too_old" });
  });

  it("acknowledges the config test endpoint's delivery (200) without calling onEvent", async () => {
    const count = received.length;
    const testBody = '{"data":"test"}';
    const headers = { ...signedHeaders(testBody, "test-1"), "formance-webhook-test": "true" };
    const res = await fetch(url, { method: "POST", headers, body: testBody });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, test: true });
    expect(received.length).toBe(count);
  });

  it("answers 500 when the handler throws, so Formance retries", async () => {
    failNext = true;
    vi.spyOn(console, "error").mockImplementation(() => {});
    const res = await fetch(url, { method: "POST", headers: signedHeaders(body, "delivery-5"), body });
    expect(res.status).toBe(500);
    vi.restoreAllMocks();
  });

  it("answers 500 to an authentic event whose payload does not match its schema, so it is not dropped", async () => {
    const count = received.length;
    const bad = body.replace('"ledger":"main",', "");
    vi.spyOn(console, "error").mockImplementation(() => {});
    const res = await fetch(url, { method: "POST", headers: signedHeaders(bad, "delivery-6"), body: bad });
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: "invalid_payload" });
    expect(received.length).toBe(count);
    vi.restoreAllMocks();
  });

  it("rejects a signed body that is not an event envelope (400)", async () => {
    const junk = '{"hello":"world"}';
    const res = await fetch(url, { method: "POST", headers: signedHeaders(junk, "delivery-7"), body: junk });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: "invalid_envelope" });
  });

  it("answers 405 to other methods", async () => {
    const res = await fetch(url);
    expect(res.status).toBe(405);
  });
});
