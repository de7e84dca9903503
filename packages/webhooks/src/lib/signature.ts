// Webhook signature verification (docs/SERVER-BEHAVIOUR.md, Webhooks) with WebCrypto only, so it runs unchanged in Node >= 20,
// Deno, Bun, browsers and edge workers.
//
//   signature = base64std(HMAC-SHA256(key = UTF-8 bytes of the secret string as configured,
//                                     data = `${webhookId}.${timestamp}.` + raw body bytes))
//   header    = space-separated `version,signature` items; any matching `v1` item is accepted.
import { WebhookMissingHeaderError, WebhookSignatureError, WebhookTimestampError } from "./errors";

/** Header names set by the Formance webhooks service on every delivery (lower case). */
export const WEBHOOK_ID_HEADER = "formance-webhook-id";
export const WEBHOOK_TIMESTAMP_HEADER = "formance-webhook-timestamp";
export const WEBHOOK_SIGNATURE_HEADER = "formance-webhook-signature";
/** `"true"` on deliveries sent by the "test config" endpoint (body `{"data":"test"}`, not an event). */
export const WEBHOOK_TEST_HEADER = "formance-webhook-test";
/** The event's idempotency key, when it has one (payments events). */
export const WEBHOOK_IDEMPOTENCY_KEY_HEADER = "formance-webhook-idempotency-key";

/** Default accepted distance between the delivery's timestamp and now: 5 minutes. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** Request headers as a `Headers` object or a plain record (Node's `req.headers`, framework header maps). */
export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

export interface VerifyOptions {
  /**
   * Accepted distance in seconds between the delivery's timestamp and now, both ways. Default 300.
   * `Infinity` disables the check (not recommended: it allows replaying old deliveries).
   */
  tolerance?: number;
  /** Current Unix time in seconds; defaults to the system clock. For tests. */
  now?: number;
}

export interface TestHeadersOptions {
  /** The `formance-webhook-id` (delivery id). Default: a random UUID. */
  id?: string;
  /** The `formance-webhook-timestamp`, Unix seconds. Default: now. */
  timestamp?: number;
}

const encoder = /* @__PURE__ */ new TextEncoder();

/**
 * Reads one header, case-insensitively. `Headers` (any implementation with `get`) are asked directly; for
 * plain records the exact lower-case key is tried first, then any key that matches ignoring case. Array
 * values (Node's repeated headers) give their first element. Returns undefined for absent or blank values.
 */
export function getHeader(headers: WebhookHeaders, name: string): string | undefined {
  const lower = name.toLowerCase();
  let value: string | string[] | null | undefined;
  if (isHeadersLike(headers)) {
    value = headers.get(lower);
  } else if (headers && typeof headers === "object") {
    value = Object.hasOwn(headers, lower) ? headers[lower] : undefined;
    if (value === undefined) {
      for (const key of Object.keys(headers)) {
        if (key.toLowerCase() === lower && headers[key] !== undefined) {
          value = headers[key];
          break;
        }
      }
    }
  }
  if (Array.isArray(value)) value = value.find((item) => typeof item === "string");
  if (typeof value !== "string") return undefined;
  const trimmed = value.trim();
  return trimmed === "" ? undefined : trimmed;
}

function isHeadersLike(headers: unknown): headers is Headers {
  return (
    typeof headers === "object" &&
    headers !== null &&
    typeof (headers as Headers).get === "function" &&
    typeof (headers as Headers).has === "function"
  );
}

/**
 * Checks that a delivery comes from Formance: the three `formance-webhook-*` headers are present, one of
 * the `v1` signatures matches the raw body, and the timestamp is within `tolerance` of now.
 *
 * Pass the body exactly as received (the raw string or bytes), never re-serialised JSON.
 * Throws a `WebhookVerificationError` subclass (`WebhookMissingHeaderError`, `WebhookSignatureError`,
 * `WebhookTimestampError`) on failure; a timestamp error is only raised for correctly signed deliveries.
 */
export async function verify(
  payload: string | Uint8Array,
  headers: WebhookHeaders,
  secret: string,
  options: VerifyOptions = {},
): Promise<void> {
  const tolerance = options.tolerance ?? DEFAULT_TOLERANCE_SECONDS;
  if (typeof tolerance !== "number" || Number.isNaN(tolerance) || tolerance < 0) {
    throw new TypeError(
      `verify: tolerance must be a non-negative number of seconds, got ${String(tolerance)}`,
    );
  }
  if (options.now !== undefined && !Number.isFinite(options.now)) {
    throw new TypeError(`verify: now must be a Unix time in seconds, got ${String(options.now)}`);
  }
  checkSecret(secret, "verify");
  const body = bodyBytes(payload, "verify");

  const id = getHeader(headers, WEBHOOK_ID_HEADER);
  const timestampText = getHeader(headers, WEBHOOK_TIMESTAMP_HEADER);
  const signatureHeader = getHeader(headers, WEBHOOK_SIGNATURE_HEADER);
  const missing: string[] = [];
  if (id === undefined) missing.push(WEBHOOK_ID_HEADER);
  if (timestampText === undefined) missing.push(WEBHOOK_TIMESTAMP_HEADER);
  if (signatureHeader === undefined) missing.push(WEBHOOK_SIGNATURE_HEADER);
  if (id === undefined || timestampText === undefined || signatureHeader === undefined) {
    throw new WebhookMissingHeaderError(missing);
  }

  const now = options.now ?? Math.floor(Date.now() / 1000);
  const timestamp = /^\d{1,16}$/.test(timestampText) ? Number(timestampText) : Number.NaN;
  if (!Number.isSafeInteger(timestamp)) {
    throw new WebhookTimestampError(
      "invalid_timestamp",
      `invalid ${WEBHOOK_TIMESTAMP_HEADER} header ${JSON.stringify(timestampText.slice(0, 40))}: expected Unix time in seconds`,
      { now, tolerance },
    );
  }

  const expected = await sign(secret, id, timestampText, body);
  let matched = false;
  let v1Count = 0;
  const otherVersions = new Set<string>();
  // Space-separated items; a trailing comma is dropped too, for repeated headers joined as "a, b" by Headers.get.
  for (const raw of signatureHeader.split(/\s+/)) {
    const item = raw.endsWith(",") ? raw.slice(0, -1) : raw;
    const comma = item.indexOf(",");
    if (comma <= 0) continue; // malformed: skipped, like the reference verifier
    const version = item.slice(0, comma);
    if (version !== "v1") {
      otherVersions.add(version.slice(0, 10));
      continue;
    }
    v1Count++;
    // no early exit: every v1 item is compared in constant time
    matched = timingSafeEqual(item.slice(comma + 1), expected) || matched;
  }
  if (!matched) {
    throw new WebhookSignatureError(
      v1Count === 0
        ? `no v1 signature in the ${WEBHOOK_SIGNATURE_HEADER} header${
            otherVersions.size ? ` (found ${[...otherVersions].join(", ")})` : ""
          }`
        : `webhook signature mismatch: none of the ${v1Count} v1 signature${v1Count > 1 ? "s" : ""} matches (wrong secret, or the body was changed: verify the raw body as received)`,
    );
  }

  const offset = timestamp - now;
  if (offset < -tolerance) {
    throw new WebhookTimestampError(
      "timestamp_too_old",
      `webhook timestamp too old: ${-offset} s before now, tolerance ${tolerance} s (replayed or delayed delivery?)`,
      { timestamp, now, tolerance },
    );
  }
  if (offset > tolerance) {
    throw new WebhookTimestampError(
      "timestamp_in_future",
      `webhook timestamp in the future: ${offset} s after now, tolerance ${tolerance} s (clock skew?)`,
      { timestamp, now, tolerance },
    );
  }
}

/**
 * Signs a payload the way the Formance webhooks service does and returns the three delivery headers, so
 * tests can post realistic deliveries to their own handlers.
 */
export async function generateTestHeaders(
  payload: string | Uint8Array,
  secret: string,
  options: TestHeadersOptions = {},
): Promise<Record<string, string>> {
  checkSecret(secret, "generateTestHeaders");
  const id = options.id ?? randomUUID();
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw new TypeError(`generateTestHeaders: timestamp must be Unix seconds, got ${String(timestamp)}`);
  }
  const signature = await sign(secret, id, String(timestamp), bodyBytes(payload, "generateTestHeaders"));
  return {
    [WEBHOOK_ID_HEADER]: id,
    [WEBHOOK_TIMESTAMP_HEADER]: String(timestamp),
    [WEBHOOK_SIGNATURE_HEADER]: `v1,${signature}`,
  };
}

/** True when the delivery was sent by the webhooks "test config" endpoint (its body is not an event). */
export function isTestDelivery(headers: WebhookHeaders): boolean {
  return getHeader(headers, WEBHOOK_TEST_HEADER)?.toLowerCase() === "true";
}

// ---------------------------------------------------------------------------------------------------------------

function checkSecret(secret: unknown, fn: string): asserts secret is string {
  if (typeof secret !== "string" || secret === "") {
    throw new TypeError(`${fn}: secret must be the webhook config's secret string`);
  }
}

function bodyBytes(payload: unknown, fn: string): Uint8Array {
  if (typeof payload === "string") return encoder.encode(payload);
  if (payload instanceof Uint8Array) return payload;
  // Byte views from another realm (vm contexts, some test environments) fail instanceof.
  if (ArrayBuffer.isView(payload))
    return new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength);
  throw new TypeError(
    `${fn}: payload must be the raw request body as a string or Uint8Array (got ${
      payload === null ? "null" : typeof payload
    }); do not pass parsed JSON`,
  );
}

/** base64std(HMAC-SHA256(secret, `${id}.${timestamp}.` + body)). */
async function sign(secret: string, id: string, timestamp: string, body: Uint8Array): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) {
    throw new Error("WebCrypto is not available (globalThis.crypto.subtle): webhook signatures need it");
  }
  const prefix = encoder.encode(`${id}.${timestamp}.`);
  const data = new Uint8Array(prefix.length + body.length);
  data.set(prefix, 0);
  data.set(body, prefix.length);
  const key = await subtle.importKey(
    "raw",
    encoder.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(await subtle.sign("HMAC", key, data));
  let binary = "";
  for (const byte of mac) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** Constant-time string comparison (the lengths are not secret). */
function timingSafeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

function randomUUID(): string {
  const c = globalThis.crypto;
  if (typeof c?.randomUUID === "function") return c.randomUUID();
  const b = c.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
