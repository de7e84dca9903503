// Typed webhook events: verify the delivery, parse its JSON body, check the envelope, validate the payload
// of known event types with the generated valibot schemas. Unknown event types are returned as generic
// events, never rejected, so a service that starts emitting a new type does not break receivers.
import { formatIssues, toIssues } from "@formance/sdk-core";
import * as v from "valibot";
import { type EventPayloads, eventPayloadSchemas, type KnownEventType } from "../generated/events";
import { WebhookPayloadError } from "./errors";
import {
  isTestDelivery,
  type VerifyOptions,
  verify,
  WEBHOOK_TEST_HEADER,
  type WebhookHeaders,
} from "./signature";

/**
 * A delivered event (docs/SERVER-BEHAVIOUR.md, Webhooks).
 *
 * Numbers in `payload` went through float64 on the Formance server before delivery: integers above 2^53
 * (Number.MAX_SAFE_INTEGER) arrive rounded, and no client-side parsing can restore them. Amounts typed
 * `number | string` are exact when they arrive as strings (newer payments releases). When the exact amount
 * matters, fetch the transaction, payment or balance from the API, which the SDK reads losslessly as `bigint`.
 */
export interface WebhookEventEnvelope<TType extends string = string, TPayload = unknown> {
  /** `<app>.<type>` in lower case, e.g. `ledger.committed_transactions`, `payments.saved_payment`. */
  type: TType;
  /** Producing service: `ledger`, `payments`, `orchestration`. */
  app: string;
  /** Producer's event version, e.g. `v2` (ledger, orchestration) or `v3` (payments). */
  version: string;
  /** RFC 3339 time at which the producer emitted the event. */
  date: string;
  /** The event's idempotency key; empty or absent when the producer sets none (ledger events). */
  idempotency_key?: string;
  payload: TPayload;
}

/** The event of one known type, e.g. `WebhookEventOf<"ledger.committed_transactions">`. */
export type WebhookEventOf<T extends KnownEventType> = WebhookEventEnvelope<T, EventPayloads[T]>;

/** Any event of a type this SDK knows, discriminated by `type`. */
export type KnownWebhookEvent = { [K in KnownEventType]: WebhookEventOf<K> }[KnownEventType];

/** An event of a type this SDK does not know (yet): payload not validated. */
export type UnknownWebhookEvent = WebhookEventEnvelope<string, unknown>;

/**
 * What `constructEvent` returns. Narrow with `isKnownEvent(event)` (or `isEventType(event, type)`) first:
 * because unknown types are typed `string`, a `switch (event.type)` alone cannot narrow `payload`.
 */
export type WebhookEvent = KnownWebhookEvent | UnknownWebhookEvent;

export interface ConstructEventOptions extends VerifyOptions {
  /**
   * Validate the payload of known event types against their schema (default true). With `false`, known
   * types are still typed but their payload is returned as received.
   */
  validate?: boolean;
}

const EnvelopeSchema = v.looseObject({
  type: v.pipe(v.string(), v.minLength(1)),
  app: v.string(),
  version: v.string(),
  date: v.string(),
  idempotency_key: v.optional(v.string()),
  payload: v.unknown(),
});

/**
 * Verifies a delivery (see `verify`), then parses and validates its body into a typed event.
 *
 * Pass the raw body as received. Throws `WebhookVerificationError` subclasses: verification failures as
 * `verify` does, then `WebhookPayloadError` with reason `invalid_json`, `invalid_envelope`, or
 * `invalid_payload` (a known type whose payload does not match its schema; `error.event` holds the envelope).
 * Unknown event types are returned as `UnknownWebhookEvent`, never thrown.
 */
export async function constructEvent(
  payload: string | Uint8Array,
  headers: WebhookHeaders,
  secret: string,
  options: ConstructEventOptions = {},
): Promise<WebhookEvent> {
  await verify(payload, headers, secret, options);

  let text: string;
  let body: unknown;
  try {
    text = typeof payload === "string" ? payload : new TextDecoder("utf-8", { fatal: true }).decode(payload);
    // Plain JSON.parse on purpose: the server already rounded every number through float64 (docs/SERVER-BEHAVIOUR.md, Webhooks),
    // so a lossless parse would only turn rounded values into misleading bigints.
    body = JSON.parse(text);
  } catch (cause) {
    throw new WebhookPayloadError(
      "invalid_json",
      `webhook body is not valid JSON: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }

  const envelope = v.safeParse(EnvelopeSchema, body);
  if (!envelope.success) {
    const issues = toIssues(envelope.issues, "");
    const hint = isTestDelivery(headers)
      ? ` (this is a test delivery, ${WEBHOOK_TEST_HEADER}: true; check isTestDelivery(headers) before constructEvent)`
      : "";
    throw new WebhookPayloadError(
      "invalid_envelope",
      `webhook body is not an event envelope: ${formatIssues(issues, "(body)")}${hint}`,
      {
        issues,
      },
    );
  }
  const event = envelope.output as UnknownWebhookEvent;
  if (!isKnownType(event.type) || options.validate === false) return event;

  const result = v.safeParse(
    eventPayloadSchemas[event.type] as v.GenericSchema<unknown, unknown>,
    event.payload,
  );
  if (!result.success) {
    const issues = toIssues(result.issues, "payload");
    throw new WebhookPayloadError(
      "invalid_payload",
      `invalid ${event.type} payload: ${formatIssues(issues, "(body)")}`,
      {
        issues,
        event,
      },
    );
  }
  return { ...event, payload: result.output } as WebhookEvent;
}

/** True when the event's type is one this SDK knows; narrows `event` so `switch (event.type)` types `payload`. */
export function isKnownEvent(event: WebhookEvent): event is KnownWebhookEvent {
  return isKnownType(event.type);
}

/** True when the event is of the given known type; narrows `event` to `WebhookEventOf<T>`. */
export function isEventType<T extends KnownEventType>(
  event: WebhookEvent,
  type: T,
): event is WebhookEventOf<T> {
  return event.type === type && isKnownType(type);
}

function isKnownType(type: string): type is KnownEventType {
  return Object.hasOwn(eventPayloadSchemas, type);
}
