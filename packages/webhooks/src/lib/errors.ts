// Errors thrown by webhook verification and event parsing. All extend FormanceError (brand-checked with
// `isFormanceError`) and carry a `reason` discriminant; each family also has its own class for `instanceof`.
import { FormanceError, type ValidationIssue } from "@formance/sdk-core";

export type WebhookVerificationErrorReason =
  /** One or more of the `formance-webhook-*` headers is absent or empty. */
  | "missing_header"
  /** No `v1` signature in the header matches the payload (tampered body, wrong secret, or no `v1` entry). */
  | "invalid_signature"
  /** `formance-webhook-timestamp` is not a Unix time in seconds. */
  | "invalid_timestamp"
  /** Correctly signed, but older than the tolerance (a replayed or long-delayed delivery). */
  | "timestamp_too_old"
  /** Correctly signed, but later than now plus the tolerance (clock skew). */
  | "timestamp_in_future"
  /** Correctly signed, but the body is not JSON. */
  | "invalid_json"
  /** Correctly signed JSON, but not an event envelope (`type`, `app`, `version`, `date`, `payload`). */
  | "invalid_envelope"
  /** Correctly signed event of a known type whose payload does not match that type's schema. */
  | "invalid_payload";

/** Base class of every error thrown by `verify` and `constructEvent`. */
export class WebhookVerificationError extends FormanceError {
  override name = "WebhookVerificationError";
  readonly reason: WebhookVerificationErrorReason;

  constructor(reason: WebhookVerificationErrorReason, message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.reason = reason;
  }
}

/** Required webhook headers are missing. */
export class WebhookMissingHeaderError extends WebhookVerificationError {
  override name = "WebhookMissingHeaderError";
  declare readonly reason: "missing_header";
  /** Lower-case names of the missing headers. */
  readonly headers: readonly string[];

  constructor(headers: readonly string[]) {
    super(
      "missing_header",
      `missing webhook header${headers.length > 1 ? "s" : ""}: ${headers.join(", ")} (is this a Formance webhook delivery?)`,
    );
    this.headers = headers;
  }
}

/** The signature does not match: the body was altered, the secret is wrong, or no `v1` signature was sent. */
export class WebhookSignatureError extends WebhookVerificationError {
  override name = "WebhookSignatureError";
  declare readonly reason: "invalid_signature";

  constructor(message: string) {
    super("invalid_signature", message);
  }
}

/** The timestamp header is malformed or outside the tolerance. */
export class WebhookTimestampError extends WebhookVerificationError {
  override name = "WebhookTimestampError";
  declare readonly reason: "invalid_timestamp" | "timestamp_too_old" | "timestamp_in_future";
  /** The delivery's timestamp (Unix seconds), or undefined when it could not be read. */
  readonly timestamp: number | undefined;
  /** The verifier's current time (Unix seconds). */
  readonly now: number;
  /** The accepted distance from `now`, in seconds. */
  readonly tolerance: number;
  /** `timestamp - now` in seconds: negative when stale, positive when in the future. */
  readonly offset: number | undefined;

  constructor(
    reason: "invalid_timestamp" | "timestamp_too_old" | "timestamp_in_future",
    message: string,
    init: { timestamp?: number | undefined; now: number; tolerance: number },
  ) {
    super(reason, message);
    this.timestamp = init.timestamp;
    this.now = init.now;
    this.tolerance = init.tolerance;
    this.offset = init.timestamp === undefined ? undefined : init.timestamp - init.now;
  }
}

/** The delivery is authentic but its body is not a (valid) event. */
export class WebhookPayloadError extends WebhookVerificationError {
  override name = "WebhookPayloadError";
  declare readonly reason: "invalid_json" | "invalid_envelope" | "invalid_payload";
  /** Schema issues, each with its dotted path (empty for `invalid_json`). */
  readonly issues: readonly ValidationIssue[];
  /**
   * For `invalid_payload`: the parsed envelope with its payload as received, so a handler can still
   * log or store it. Undefined for the other reasons.
   */
  readonly event: { type: string; app: string; version: string; date: string; payload: unknown } | undefined;

  constructor(
    reason: "invalid_json" | "invalid_envelope" | "invalid_payload",
    message: string,
    init: {
      issues?: readonly ValidationIssue[];
      event?: { type: string; app: string; version: string; date: string; payload: unknown };
      cause?: unknown;
    } = {},
  ) {
    super(reason, message, { cause: init.cause });
    this.issues = init.issues ?? [];
    this.event = init.event;
  }
}
