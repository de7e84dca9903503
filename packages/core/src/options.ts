// Client options and how they resolve to URLs.
import { FormanceValidationError, type OperationRef, type ValidationIssue } from "./errors";
import type { Hooks } from "./hooks";
import type { Logger } from "./logger";
import type { RetryOptions } from "./retry";

/** Per-attempt timeout when none is given, in ms. */
export const DEFAULT_TIMEOUT = 60_000;
/** Time limit of one token request when none is given, in ms. */
export const DEFAULT_TOKEN_TIMEOUT = 30_000;
/** Largest response body read when none is given: 64 MiB. */
export const DEFAULT_MAX_RESPONSE_SIZE = 64 * 1024 * 1024;
/** setTimeout's range: a longer timer would fire at once. */
export const MAX_TIMER = 2_147_483_647;

export type CloudEnvironment = "eu.sandbox" | "eu-west-1" | "us-east-1";

export interface CloudServer {
  server: "cloud";
  /** `<organizationId>-<stackId>` as shown in the Formance console. */
  organization: string;
  /** Default `eu.sandbox`. */
  environment?: CloudEnvironment;
}

export type ValidationMode = "strict" | "lenient" | "off";

export interface ClientOptions {
  /** Stack origin (default `http://localhost`), or the Formance Cloud server. */
  serverURL?: string | CloudServer;
  /** OAuth2 client credentials. The token is fetched, cached and refreshed for you. */
  clientId?: string;
  clientSecret?: string;
  /** Token endpoint, absolute or relative to `serverURL`. Default `/api/auth/oauth/token`. */
  tokenURL?: string;
  /** A bearer token, or a function returning one (called for every request). Alternative to client credentials. */
  accessToken?: string | (() => string | Promise<string>);
  /**
   * Per-service path prefix, default `/api/<service>`. Use `""` for a service running without the gateway:
   * `{ pathPrefix: { ledger: "" } }`. A plain string applies to every service.
   */
  pathPrefix?: string | Partial<Record<string, string>>;
  /** Retry policy; `false` turns retries off. */
  retry?: RetryOptions | false;
  /**
   * Per-attempt timeout in milliseconds (default 60 000): bounds the wait for the token, then the response and its body.
   * For a streamed (NDJSON) result, also the longest wait for the next chunk. `Infinity` means none.
   */
  timeout?: number;
  /** Time limit of one token request in milliseconds (default 30 000). */
  tokenTimeout?: number;
  /**
   * Largest response body read, in bytes (default 64 MiB); for NDJSON streams, the largest line.
   * A larger one fails with `FormanceResponseTooLargeError`. `Infinity` means no limit.
   */
  maxResponseSize?: number;
  /** Custom fetch (for proxies, tests, or runtimes without a global fetch). API requests reach it as a `Request`, the token request as a URL and init. */
  fetch?: typeof fetch;
  /** Headers added to every request (not `Idempotency-Key`: keys are per call). */
  headers?: Record<string, string>;
  /** Receives one line per attempt: method, URL, status, duration. Secrets are redacted. */
  logger?: Logger;
  /** Response validation: `lenient` (default) keeps unknown fields and enum values, `strict` rejects them, `off` skips checks. */
  validate?: ValidationMode;
  /**
   * Functions called around every request (ky's hooks: `beforeRequest`, `beforeRetry`,
   * `afterResponse`, `beforeError`), after the SDK's own: the token is attached, errors are typed.
   */
  hooks?: Hooks;
}

export interface RequestOptions {
  signal?: AbortSignal;
  /** Per-attempt timeout in milliseconds for this call. */
  timeout?: number;
  retry?: RetryOptions | false;
  /**
   * Idempotency key for operations that accept one (generated when omitted). Rejected when blank, or
   * when the operation has no idempotency header (such a key would not make a retry safe).
   */
  idempotencyKey?: string;
  headers?: Record<string, string>;
  /** Hooks for this call only, run after the client's. */
  hooks?: Hooks;
}

export function resolveServerURL(server: ClientOptions["serverURL"]): string {
  if (server === undefined) return "http://localhost";
  if (typeof server === "string") {
    checkURL(server, "serverURL");
    return server.replace(/\/+$/, "");
  }
  const environment = server.environment ?? "eu.sandbox";
  const fail = (path: string, message: string) => new FormanceValidationError([{ path, message }]);
  if (!["eu.sandbox", "eu-west-1", "us-east-1"].includes(environment)) {
    throw fail(
      "serverURL.environment",
      `serverURL.environment must be one of eu.sandbox, eu-west-1, us-east-1 (got ${environment})`,
    );
  }
  if (!server.organization) {
    throw fail("serverURL.organization", "serverURL.organization is required for the cloud server");
  }
  // It becomes part of the host name: anything else could send credentials to another host.
  if (!/^[a-z0-9][a-z0-9-]*$/i.test(server.organization)) {
    throw fail(
      "serverURL.organization",
      `serverURL.organization must be letters, digits and dashes (got ${server.organization})`,
    );
  }
  return `https://${server.organization}.${environment}.formance.cloud`;
}

/** The token endpoint: an absolute URL as given, otherwise under `serverURL` (keeping its base path, like API paths). */
export function resolveTokenURL(serverURL: string, tokenURL = "/api/auth/oauth/token"): string {
  const resolved =
    tokenURL.startsWith("/") && !tokenURL.startsWith("//")
      ? `${serverURL}${tokenURL}`
      : new URL(tokenURL, `${serverURL}/`).toString();
  checkURL(resolved, "tokenURL");
  return resolved;
}

/** An http(s) URL without credentials: user:password in a URL would end up in logs and error messages. */
function checkURL(text: string, path: string): void {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {}
  const problem =
    !url || !/^https?:$/.test(url.protocol)
      ? "Expected an absolute http(s) URL"
      : url.username || url.password
        ? "Credentials in the URL are not accepted (they would leak into logs); use clientId/clientSecret or accessToken"
        : "";
  if (problem) throw new FormanceValidationError([{ path, message: problem }]);
}

const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Issues for one header: a token name, and a value fetch can send (no CR, LF, NUL; Latin-1 only). */
export function headerIssues(name: string, value: unknown, path: string): ValidationIssue[] {
  let bad = !HEADER_NAME.test(name) || typeof value !== "string";
  for (let i = 0; !bad && i < (value as string).length; i++) {
    const code = (value as string).charCodeAt(i);
    bad = code === 0 || code === 10 || code === 13 || code > 0xff;
  }
  return bad
    ? [
        {
          path,
          message: "Header values cannot hold CR, LF, NUL or characters beyond Latin-1 (names: tokens)",
        },
      ]
    : [];
}

/** A number option: above 0 (or from 0), at most `max`, whole when `whole`; Infinity where allowed. */
function checkNumber(
  issues: ValidationIssue[],
  path: string,
  value: unknown,
  { from0 = false, whole = false, infinity = false, max = MAX_TIMER } = {},
): void {
  if (value === undefined || (infinity && value === Number.POSITIVE_INFINITY)) return;
  const n = value as number;
  if (typeof n !== "number" || !(from0 ? n >= 0 : n > 0) || n > max || (whole && !Number.isInteger(n))) {
    issues.push({
      path,
      message: `Expected ${whole ? "a whole number" : "a number"} ${from0 ? "from" : "above"} 0${
        max < Number.POSITIVE_INFINITY ? ` to ${max}` : ""
      }${infinity ? " (or Infinity: none)" : ""}, got ${String(value)}`,
    });
  }
}

function checkRetry(issues: ValidationIssue[], path: string, retry: RetryOptions | false | undefined): void {
  if (!retry) return;
  checkNumber(issues, `${path}.maxRetries`, retry.maxRetries, { from0: true, whole: true, max: 1e6 });
  for (const key of ["initialDelay", "maxDelay", "maxRetryAfter"] as const) {
    checkNumber(issues, `${path}.${key}`, retry[key], { from0: true });
  }
  checkNumber(issues, `${path}.budget`, retry.budget, { infinity: true });
}

function checkHeaders(
  issues: ValidationIssue[],
  path: string,
  headers: object | undefined,
  perCall: boolean,
): void {
  for (const [name, value] of Object.entries(headers ?? {})) {
    issues.push(...headerIssues(name, value, `${path}.${name}`));
    if (!perCall && name.toLowerCase() === "idempotency-key") {
      issues.push({
        path: `${path}.${name}`,
        message:
          "A client-wide Idempotency-Key would make every call share one key; pass idempotencyKey per call",
      });
    }
  }
}

/** Checks client options at construction: anything wrong fails here, before any request. */
export function checkClientOptions(options: ClientOptions): void {
  const issues: ValidationIssue[] = [];
  checkNumber(issues, "timeout", options.timeout, { infinity: true });
  checkNumber(issues, "tokenTimeout", options.tokenTimeout);
  checkNumber(issues, "maxResponseSize", options.maxResponseSize, {
    whole: true,
    infinity: true,
    max: Number.POSITIVE_INFINITY,
  });
  checkRetry(issues, "retry", options.retry);
  checkHeaders(issues, "headers", options.headers, false);
  if (options.validate !== undefined && !["strict", "lenient", "off"].includes(options.validate)) {
    issues.push({ path: "validate", message: `Expected strict, lenient or off, got ${options.validate}` });
  }
  if (issues.length) throw new FormanceValidationError(issues);
}

/** Checks per-call options before anything is sent. */
export function checkRequestOptions(options: RequestOptions, op: OperationRef): void {
  const issues: ValidationIssue[] = [];
  checkNumber(issues, "options.timeout", options.timeout, { infinity: true });
  checkRetry(issues, "options.retry", options.retry);
  checkHeaders(issues, "options.headers", options.headers, true);
  if (issues.length) throw new FormanceValidationError(issues, op);
}
export function resolvePathPrefix(pathPrefix: ClientOptions["pathPrefix"], service: string): string {
  const given = typeof pathPrefix === "string" ? pathPrefix : pathPrefix?.[service];
  return (given ?? `/api/${service}`).replace(/\/+$/, "");
}
