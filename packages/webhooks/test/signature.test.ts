// Signature verification. Expected signatures are computed independently with node:crypto, the way the
// Formance webhooks service does (docs/SERVER-BEHAVIOUR.md, Webhooks): HMAC-SHA256 keyed with the secret string's bytes over
// `${id}.${timestamp}.${rawBody}`, standard base64 with padding, header `v1,<sig>`.
import { createHmac } from "node:crypto";
import { FormanceError, isFormanceError } from "@formance/sdk-core";
import { describe, expect, it } from "vitest";
import {
  generateTestHeaders,
  getHeader,
  isTestDelivery,
  verify,
  WebhookMissingHeaderError,
  WebhookSignatureError,
  WebhookTimestampError,
  WebhookVerificationError,
} from "../src/lib/index";

// A secret as the webhooks service generates it: 24 random bytes, standard base64 (32 characters).
const SECRET = "EW+81IbFC9uO6wCwyXUVL49N98eKi2lp";
const OTHER_SECRET = "jsp7jmTcppFWSd9cP5iP//yt2QrHfOFv";
const ID = "0d7a53b4-2a4e-4a3e-9a85-8a1f0cbb4c1e";
const NOW = 1_732_190_400; // 2024-11-21T12:00:00Z
const BODY = JSON.stringify({
  app: "ledger",
  version: "v2",
  date: "2024-11-21T12:00:00.123456Z",
  type: "ledger.committed_transactions",
  payload: { ledger: "main", transactions: [] },
  idempotency_key: "",
});

function sign(secret: string, id: string, timestamp: number | string, body: string | Uint8Array): string {
  return createHmac("sha256", secret).update(`${id}.${timestamp}.`).update(body).digest("base64");
}

function headersFor(
  body: string | Uint8Array,
  opts: { secret?: string; id?: string; timestamp?: number } = {},
) {
  const id = opts.id ?? ID;
  const timestamp = opts.timestamp ?? NOW;
  return {
    "formance-webhook-id": id,
    "formance-webhook-timestamp": String(timestamp),
    "formance-webhook-signature": `v1,${sign(opts.secret ?? SECRET, id, timestamp, body)}`,
  };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

describe("verify", () => {
  it("accepts a correctly signed delivery", async () => {
    await expect(verify(BODY, headersFor(BODY), SECRET, { now: NOW })).resolves.toBeUndefined();
  });

  it("accepts a delivery within the default tolerance using the system clock", async () => {
    const now = Math.floor(Date.now() / 1000);
    await expect(verify(BODY, headersFor(BODY, { timestamp: now - 10 }), SECRET)).resolves.toBeUndefined();
  });

  it("accepts when any v1 entry of a rotated list matches", async () => {
    const good = sign(SECRET, ID, NOW, BODY);
    const wrong = sign(OTHER_SECRET, ID, NOW, BODY);
    const headers = { ...headersFor(BODY), "formance-webhook-signature": `v1,${wrong} v1,${good}` };
    await expect(verify(BODY, headers, SECRET, { now: NOW })).resolves.toBeUndefined();
    headers["formance-webhook-signature"] = `v1,${good} v1,${wrong}`;
    await expect(verify(BODY, headers, SECRET, { now: NOW })).resolves.toBeUndefined();
  });

  it("skips malformed and other-version entries", async () => {
    const good = sign(SECRET, ID, NOW, BODY);
    const headers = { ...headersFor(BODY), "formance-webhook-signature": `garbage v2,${good} ,x v1,${good}` };
    await expect(verify(BODY, headers, SECRET, { now: NOW })).resolves.toBeUndefined();
  });

  it("reads a Headers object", async () => {
    const headers = new Headers(headersFor(BODY));
    headers.set("content-type", "application/json");
    await expect(verify(BODY, headers, SECRET, { now: NOW })).resolves.toBeUndefined();
  });

  it("accepts repeated signature headers joined by Headers.get", async () => {
    const good = sign(SECRET, ID, NOW, BODY);
    const wrong = sign(OTHER_SECRET, ID, NOW, BODY);
    for (const order of [
      [good, wrong],
      [wrong, good],
    ]) {
      const headers = new Headers(headersFor(BODY));
      headers.set("formance-webhook-signature", `v1,${order[0]}`);
      headers.append("formance-webhook-signature", `v1,${order[1]}`);
      await expect(verify(BODY, headers, SECRET, { now: NOW })).resolves.toBeUndefined();
    }
  });

  it("reads a plain record case-insensitively, taking the first of repeated values", async () => {
    const h = headersFor(BODY);
    const record: Record<string, string | string[] | undefined> = {
      "Formance-Webhook-Id": h["formance-webhook-id"],
      "FORMANCE-WEBHOOK-TIMESTAMP": [h["formance-webhook-timestamp"], "1"],
      "formance-Webhook-Signature": h["formance-webhook-signature"],
      "X-Other": undefined,
    };
    await expect(verify(BODY, record, SECRET, { now: NOW })).resolves.toBeUndefined();
    expect(getHeader(record, "formance-webhook-timestamp")).toBe(String(NOW));
  });

  it("verifies the exact bytes of a Uint8Array payload (not UTF-8 re-encoded)", async () => {
    // Invalid UTF-8 (0xff) inside: a decode/re-encode round trip would change the signed bytes.
    const bytes = new Uint8Array([...Buffer.from('{"app":"ledger","x":"'), 0xff, 0xfe, ...Buffer.from('"}')]);
    const headers = headersFor(bytes);
    await expect(verify(bytes, headers, SECRET, { now: NOW })).resolves.toBeUndefined();
    await expect(verify(Buffer.from(bytes), headers, SECRET, { now: NOW })).resolves.toBeUndefined();
    const err = await rejection(verify(new TextDecoder().decode(bytes), headers, SECRET, { now: NOW }));
    expect(err).toBeInstanceOf(WebhookSignatureError);
  });

  it("verifies a UTF-8 body given as a string or as bytes alike", async () => {
    const body = JSON.stringify({
      type: "ledger.saved_metadata",
      payload: { metadata: { city: "Zürich 🏦" } },
    });
    const headers = headersFor(body);
    await expect(verify(body, headers, SECRET, { now: NOW })).resolves.toBeUndefined();
    await expect(
      verify(new TextEncoder().encode(body), headers, SECRET, { now: NOW }),
    ).resolves.toBeUndefined();
  });

  it("rejects a tampered body", async () => {
    const headers = headersFor(BODY);
    const err = await rejection(verify(BODY.replace('"main"', '"evil"'), headers, SECRET, { now: NOW }));
    expect(err).toBeInstanceOf(WebhookSignatureError);
    expect(err).toMatchObject({ reason: "invalid_signature", name: "WebhookSignatureError" });
    expect((err as Error).message).toMatch(/mismatch/);
  });

  it("rejects re-serialised JSON (whitespace differs from the raw body)", async () => {
    const raw = `{ "app": "ledger",  "payload": {} }`;
    const err = await rejection(
      verify(JSON.stringify(JSON.parse(raw)), headersFor(raw), SECRET, { now: NOW }),
    );
    expect(err).toBeInstanceOf(WebhookSignatureError);
  });

  it("rejects the wrong secret, and the secret's decoded bytes used as key", async () => {
    const err = await rejection(verify(BODY, headersFor(BODY), OTHER_SECRET, { now: NOW }));
    expect(err).toBeInstanceOf(WebhookSignatureError);
    // The key is the secret string's UTF-8 bytes, not the 24 bytes its base64 decodes to.
    const decodedKey = createHmac("sha256", Buffer.from(SECRET, "base64"))
      .update(`${ID}.${NOW}.${BODY}`)
      .digest("base64");
    const headers = { ...headersFor(BODY), "formance-webhook-signature": `v1,${decodedKey}` };
    expect(await rejection(verify(BODY, headers, SECRET, { now: NOW }))).toBeInstanceOf(
      WebhookSignatureError,
    );
  });

  it("rejects a signature computed for another delivery id or timestamp", async () => {
    const otherId = headersFor(BODY, { id: "another-id" });
    const swapped = {
      ...headersFor(BODY),
      "formance-webhook-signature": otherId["formance-webhook-signature"],
    };
    expect(await rejection(verify(BODY, swapped, SECRET, { now: NOW }))).toBeInstanceOf(
      WebhookSignatureError,
    );
    const replayed = { ...headersFor(BODY), "formance-webhook-timestamp": String(NOW + 1) };
    expect(await rejection(verify(BODY, replayed, SECRET, { now: NOW }))).toBeInstanceOf(
      WebhookSignatureError,
    );
  });

  it("rejects a header with only non-v1 entries", async () => {
    const sig = sign(SECRET, ID, NOW, BODY);
    const headers = { ...headersFor(BODY), "formance-webhook-signature": `v2,${sig}` };
    const err = await rejection(verify(BODY, headers, SECRET, { now: NOW }));
    expect(err).toBeInstanceOf(WebhookSignatureError);
    expect((err as Error).message).toMatch(/no v1 signature.*v2/);
  });

  it("rejects a stale timestamp, saying by how much", async () => {
    const err = await rejection(
      verify(BODY, headersFor(BODY, { timestamp: NOW - 400 }), SECRET, { now: NOW }),
    );
    expect(err).toBeInstanceOf(WebhookTimestampError);
    expect(err).toMatchObject({
      reason: "timestamp_too_old",
      offset: -400,
      tolerance: 300,
      timestamp: NOW - 400,
      now: NOW,
    });
    expect((err as Error).message).toMatch(/too old: 400 s before now, tolerance 300 s/);
  });

  it("rejects a timestamp in the future, saying by how much", async () => {
    const err = await rejection(
      verify(BODY, headersFor(BODY, { timestamp: NOW + 301 }), SECRET, { now: NOW }),
    );
    expect(err).toBeInstanceOf(WebhookTimestampError);
    expect(err).toMatchObject({ reason: "timestamp_in_future", offset: 301 });
    expect((err as Error).message).toMatch(/future: 301 s after now/);
  });

  it("accepts timestamps exactly at the tolerance bounds", async () => {
    await expect(
      verify(BODY, headersFor(BODY, { timestamp: NOW - 300 }), SECRET, { now: NOW }),
    ).resolves.toBeUndefined();
    await expect(
      verify(BODY, headersFor(BODY, { timestamp: NOW + 300 }), SECRET, { now: NOW }),
    ).resolves.toBeUndefined();
  });

  it("honours a custom tolerance", async () => {
    const old = headersFor(BODY, { timestamp: NOW - 1_000 });
    await expect(verify(BODY, old, SECRET, { now: NOW, tolerance: 3_600 })).resolves.toBeUndefined();
    await expect(
      verify(BODY, old, SECRET, { now: NOW, tolerance: Number.POSITIVE_INFINITY }),
    ).resolves.toBeUndefined();
    const recent = headersFor(BODY, { timestamp: NOW - 100 });
    const err = await rejection(verify(BODY, recent, SECRET, { now: NOW, tolerance: 60 }));
    expect(err).toMatchObject({ reason: "timestamp_too_old", offset: -100, tolerance: 60 });
    await expect(verify(BODY, recent, SECRET, { now: NOW, tolerance: -1 })).rejects.toThrow(TypeError);
  });

  it("checks the signature before the timestamp", async () => {
    const headers = headersFor(BODY, { secret: OTHER_SECRET, timestamp: NOW - 10_000 });
    expect(await rejection(verify(BODY, headers, SECRET, { now: NOW }))).toBeInstanceOf(
      WebhookSignatureError,
    );
  });

  it.each(["abc", "1.7e9", "-5", "1732190400.5", "99999999999999999999"])(
    "rejects a malformed timestamp %j",
    async (ts) => {
      const headers = { ...headersFor(BODY), "formance-webhook-timestamp": ts };
      const err = await rejection(verify(BODY, headers, SECRET, { now: NOW }));
      expect(err).toBeInstanceOf(WebhookTimestampError);
      expect(err).toMatchObject({ reason: "invalid_timestamp", timestamp: undefined });
    },
  );

  it.each(["formance-webhook-id", "formance-webhook-timestamp", "formance-webhook-signature"])(
    "rejects a delivery missing %s, naming it",
    async (name) => {
      const headers: Record<string, string> = headersFor(BODY);
      delete headers[name];
      const err = await rejection(verify(BODY, headers, SECRET, { now: NOW }));
      expect(err).toBeInstanceOf(WebhookMissingHeaderError);
      expect(err).toMatchObject({ reason: "missing_header", headers: [name] });
      expect((err as Error).message).toContain(name);
      // blank counts as missing
      const blank = { ...headersFor(BODY), [name]: "  " };
      expect(await rejection(verify(BODY, blank, SECRET, { now: NOW }))).toMatchObject({ headers: [name] });
    },
  );

  it("names every missing header at once", async () => {
    const err = await rejection(verify(BODY, { "content-type": "application/json" }, SECRET, { now: NOW }));
    expect(err).toMatchObject({
      reason: "missing_header",
      headers: ["formance-webhook-id", "formance-webhook-timestamp", "formance-webhook-signature"],
    });
    expect((err as Error).message).toMatch(/missing webhook headers: formance-webhook-id, /);
  });

  it("throws FormanceError subclasses, brand-checked and serialisable without secrets", async () => {
    const err = await rejection(verify(BODY, headersFor(BODY), OTHER_SECRET, { now: NOW }));
    expect(err).toBeInstanceOf(WebhookVerificationError);
    expect(err).toBeInstanceOf(FormanceError);
    expect(isFormanceError(err)).toBe(true);
    const json = JSON.stringify(err);
    expect(json).toContain("invalid_signature");
    expect(json).not.toContain(SECRET);
    expect(json).not.toContain(OTHER_SECRET);
  });

  it("rejects misuse with TypeErrors", async () => {
    await expect(verify(BODY, headersFor(BODY), "", { now: NOW })).rejects.toThrow(TypeError);
    await expect(verify(JSON.parse(BODY), headersFor(BODY), SECRET, { now: NOW })).rejects.toThrow(
      /raw request body/,
    );
  });
});

describe("generateTestHeaders", () => {
  it("produces the service's headers, matching an independent HMAC", async () => {
    const headers = await generateTestHeaders(BODY, SECRET, { id: ID, timestamp: NOW });
    expect(headers).toEqual({
      "formance-webhook-id": ID,
      "formance-webhook-timestamp": String(NOW),
      "formance-webhook-signature": `v1,${sign(SECRET, ID, NOW, BODY)}`,
    });
    expect(headers["formance-webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
  });

  it("defaults to a random UUID and the current time, and round-trips through verify", async () => {
    const before = Math.floor(Date.now() / 1000);
    const headers = await generateTestHeaders(BODY, SECRET);
    expect(headers["formance-webhook-id"]).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(Number(headers["formance-webhook-timestamp"])).toBeGreaterThanOrEqual(before);
    await expect(verify(BODY, headers, SECRET)).resolves.toBeUndefined();
    const bytes = new Uint8Array([1, 2, 255]);
    await expect(verify(bytes, await generateTestHeaders(bytes, SECRET), SECRET)).resolves.toBeUndefined();
  });
});

describe("isTestDelivery", () => {
  it("recognises the test endpoint's deliveries", () => {
    expect(isTestDelivery({ "Formance-Webhook-Test": "true" })).toBe(true);
    expect(isTestDelivery(new Headers({ "formance-webhook-test": "false" }))).toBe(false);
    expect(isTestDelivery({})).toBe(false);
  });
});
