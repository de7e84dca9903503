// Every error the SDK throws. One base class with a brand that survives duplicate installs,
// one factory (`apiErrorFrom`) that picks the API error class from the HTTP status.

const BRAND = Symbol.for("formance.sdk.error");

export interface OperationRef {
  /** The spec's operationId, e.g. `v2CreateTransaction`. */
  id: string;
  /** The SDK method, e.g. `ledger.v2.createTransaction`. */
  name: string;
}

export class FormanceError extends Error {
  /** @internal */ readonly [BRAND] = true;
  override name = "FormanceError";
  readonly operation: OperationRef | undefined;

  constructor(message: string, options: { cause?: unknown; operation?: OperationRef | undefined } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.operation = options.operation;
  }

  toJSON(): Record<string, unknown> {
    const { stack: _stack, ...own } = Object.fromEntries(Object.entries(this));
    return { name: this.name, message: this.message, ...own };
  }
}

/** True for any error thrown by this SDK, even across duplicate installs of the package. */
export function isFormanceError(value: unknown): value is FormanceError {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}

export interface APIErrorInit {
  status: number;
  headers: Headers;
  body: unknown;
  rawBody: string;
  operation?: OperationRef | undefined;
  method: string;
  url: string;
}

/** The server answered with a non-success status. */
export class FormanceAPIError extends FormanceError {
  override name = "FormanceAPIError";
  /** HTTP status. */
  readonly status: number;
  /** The server's `errorCode` (e.g. `CONFLICT`, `INSUFFICIENT_FUND`), or undefined for bodiless errors. */
  readonly code: string | undefined;
  /** The server's `details`, when given. */
  readonly details: unknown;
  /** The parsed error body (or the raw text when it is not JSON). */
  readonly body: unknown;
  readonly headers: Headers;
  readonly method: string;
  readonly url: string;

  constructor(init: APIErrorInit) {
    const body = init.body as Record<string, unknown> | undefined;
    const code = typeof body?.errorCode === "string" ? body.errorCode : undefined;
    const serverMessage =
      typeof body?.errorMessage === "string"
        ? body.errorMessage
        : typeof body?.errorDescription === "string"
          ? body.errorDescription
          : init.rawBody.trim().slice(0, 200);
    const what = init.operation ? `${init.operation.name}: ` : "";
    const message = `${what}${[init.status, statusText(init.status), code].filter(Boolean).join(" ")}${
      serverMessage ? `: ${serverMessage}` : " (empty response body)"
    }`;
    super(message, { operation: init.operation });
    this.status = init.status;
    this.code = code;
    this.details = body?.details;
    this.body = init.body;
    this.headers = init.headers;
    this.method = init.method;
    this.url = init.url;
  }

  override toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      message: this.message,
      status: this.status,
      code: this.code,
      details: this.details,
      body: this.body,
      method: this.method,
      url: this.url,
      operation: this.operation,
    };
  }
}

export class FormanceBadRequestError extends FormanceAPIError {
  override name = "FormanceBadRequestError";
}
export class FormanceUnauthorizedError extends FormanceAPIError {
  override name = "FormanceUnauthorizedError";
}
export class FormanceForbiddenError extends FormanceAPIError {
  override name = "FormanceForbiddenError";
}
export class FormanceNotFoundError extends FormanceAPIError {
  override name = "FormanceNotFoundError";
}
export class FormanceConflictError extends FormanceAPIError {
  override name = "FormanceConflictError";
}
export class FormanceRateLimitError extends FormanceAPIError {
  override name = "FormanceRateLimitError";
}
export class FormanceServerError extends FormanceAPIError {
  override name = "FormanceServerError";
}

export function apiErrorFrom(init: APIErrorInit): FormanceAPIError {
  const s = init.status;
  const Class =
    s === 400
      ? FormanceBadRequestError
      : s === 401
        ? FormanceUnauthorizedError
        : s === 403
          ? FormanceForbiddenError
          : s === 404
            ? FormanceNotFoundError
            : s === 409
              ? FormanceConflictError
              : s === 429
                ? FormanceRateLimitError
                : s >= 500
                  ? FormanceServerError
                  : FormanceAPIError;
  return new Class(init);
}

/**
 * The server answered with a redirect (3xx). Redirects are never followed: a POST turned into a GET
 * would lose the write, and a 307/308 would re-send the body and credentials elsewhere.
 */
export class FormanceRedirectError extends FormanceAPIError {
  override name = "FormanceRedirectError";
  /** The `Location` header (credentials and token query parameters removed), when readable. */
  readonly location: string | undefined;
  constructor(init: APIErrorInit & { location: string | undefined }) {
    super(init);
    this.location = init.location;
    const what = init.operation ? `${init.operation.name}: ` : "";
    this.message = `${what}the server redirected (${init.status || "opaque redirect"}) to ${
      init.location ?? "an unknown location"
    }; redirects are not followed (check serverURL and pathPrefix)`;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), location: this.location };
  }
}

/** The connection failed: the request got no HTTP answer (DNS, refused connection, reset...). */
export class FormanceConnectionError extends FormanceError {
  override name = "FormanceConnectionError";
}

/**
 * The server answered (`status`, `headers`), but the connection broke while the body was being
 * read. For a write, the server may have applied it.
 */
export class FormanceIncompleteResponseError extends FormanceConnectionError {
  override name = "FormanceIncompleteResponseError";
  readonly status: number;
  readonly headers: Headers;
  constructor(
    message: string,
    init: { status: number; headers: Headers; cause?: unknown; operation?: OperationRef | undefined },
  ) {
    super(message, { cause: init.cause, operation: init.operation });
    this.status = init.status;
    this.headers = init.headers;
  }
}

/** A response body (or one NDJSON line) is larger than `maxResponseSize`. Reading stopped at the limit. */
export class FormanceResponseTooLargeError extends FormanceError {
  override name = "FormanceResponseTooLargeError";
  /** The limit in bytes. */
  readonly limit: number;
  readonly status: number;
  constructor(
    message: string,
    init: { limit: number; status: number; operation?: OperationRef | undefined },
  ) {
    super(message, { operation: init.operation });
    this.limit = init.limit;
    this.status = init.status;
  }
}

/** A paginated walk made no progress: the server repeated a cursor, or sent too many empty pages in a row. */
export class FormancePaginationError extends FormanceError {
  override name = "FormancePaginationError";
  /** The cursor that was about to be fetched. */
  readonly cursor: string | undefined;
  constructor(message: string, init: { cursor?: string; operation?: OperationRef | undefined }) {
    super(message, { operation: init.operation });
    this.cursor = init.cursor;
  }
}

/** The call took longer than its `timeout` (per attempt) or the retry budget. */
export class FormanceTimeoutError extends FormanceError {
  override name = "FormanceTimeoutError";
}

/** The caller aborted the call through its `AbortSignal`. */
export class FormanceAbortError extends FormanceError {
  override name = "FormanceAbortError";
}

/** The OAuth2 token endpoint refused or failed. Never carries the client secret. */
export class FormanceAuthError extends FormanceError {
  override name = "FormanceAuthError";
  readonly status: number | undefined;
  readonly body: unknown;
  constructor(
    message: string,
    init: { status?: number; body?: unknown; cause?: unknown; operation?: OperationRef | undefined } = {},
  ) {
    super(message, { cause: init.cause, operation: init.operation });
    this.status = init.status;
    this.body = init.body;
  }
}

export interface ValidationIssue {
  /** Dotted path of the offending field, e.g. `body.postings.0.amount`. */
  path: string;
  /** What was expected and what was received. */
  message: string;
}

/** Issues as one line for a message: the first five `path: message` pairs, `whole` naming an empty path. */
export function formatIssues(issues: readonly ValidationIssue[], whole = "(input)"): string {
  const shown = issues.slice(0, 5).map((i) => `${i.path || whole}: ${i.message}`);
  return shown.join("; ") + (issues.length > 5 ? `; and ${issues.length - 5} more` : "");
}

/** The input given to an operation is invalid. Nothing was sent. */
export class FormanceValidationError extends FormanceError {
  override name = "FormanceValidationError";
  readonly issues: readonly ValidationIssue[];
  constructor(issues: readonly ValidationIssue[], operation?: OperationRef) {
    super(`${operation ? `${operation.name}: ` : ""}invalid input: ${formatIssues(issues)}`, { operation });
    this.issues = issues;
  }
}

/** The server answered successfully but with a body the schema rejects. Carries the raw body. */
export class FormanceResponseValidationError extends FormanceError {
  override name = "FormanceResponseValidationError";
  readonly issues: readonly ValidationIssue[];
  readonly rawBody: string;
  readonly status: number;
  constructor(
    issues: readonly ValidationIssue[],
    init: { rawBody: string; status: number; operation?: OperationRef },
  ) {
    super(`${init.operation ? `${init.operation.name}: ` : ""}unexpected response: ${formatIssues(issues)}`, {
      operation: init.operation,
    });
    this.issues = issues;
    this.rawBody = init.rawBody;
    this.status = init.status;
  }
}

const STATUS_TEXT: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  408: "Request Timeout",
  409: "Conflict",
  412: "Precondition Failed",
  413: "Payload Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Entity",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

function statusText(status: number): string {
  return STATUS_TEXT[status] ?? "";
}
