// Public surface of the hand-written webhook helpers (signature verification, typed events, errors), plus
// the generated event payload schemas and types.

export * from "../generated/events";
export {
  WebhookMissingHeaderError,
  WebhookPayloadError,
  WebhookSignatureError,
  WebhookTimestampError,
  WebhookVerificationError,
  type WebhookVerificationErrorReason,
} from "./errors";
export {
  type ConstructEventOptions,
  constructEvent,
  isEventType,
  isKnownEvent,
  type KnownWebhookEvent,
  type UnknownWebhookEvent,
  type WebhookEvent,
  type WebhookEventEnvelope,
  type WebhookEventOf,
} from "./events";
export {
  DEFAULT_TOLERANCE_SECONDS,
  generateTestHeaders,
  getHeader,
  isTestDelivery,
  type TestHeadersOptions,
  type VerifyOptions,
  verify,
  WEBHOOK_ID_HEADER,
  WEBHOOK_IDEMPOTENCY_KEY_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TEST_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
  type WebhookHeaders,
} from "./signature";
