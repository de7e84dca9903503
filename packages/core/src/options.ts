// Client options and how they resolve to URLs.
import { FormanceValidationError, type OperationRef, type ValidationIssue } from "./errors";
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
   * Per-attempt timeout in milliseconds (default 60 000): covers the token, the response and its body.
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
  /** Custom fetch (for proxies, tests, or runtimes without a global fetch). */
  fetch?: typeof fetch;
  /** Headers added to every request (not `Idempotency-Key`: keys are per call). */
  headers?: Record<string, string>;
  /** Receives one line per attempt: method, URL, status, duration. Secrets are redacted. */
  logger?: Logger;
  /** Response validation: `lenient` (default) keeps unknown fields and enum values, `strict` rejects them, `off` skips checks. */
  validate?: ValidationMode;
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
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new FormanceValidationError([{ path, message: "Expected an absolute http(s) URL" }]);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new FormanceValidationError([
      { path, message: `Expected an http(s) URL, got the ${url.protocol} scheme` },
    ]);
  }
  if (url.username || url.password) {
    throw new FormanceValidationError([
      {
        path,
        message:
          "Credentials in the URL are not accepted (they would leak into logs and errors); use clientId/clientSecret or accessToken",
      },
    ]);
  }
}

const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Headers rejects CR, LF and NUL in a value, and anything beyond Latin-1. */
function badHeaderValue(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code === 0 || code === 10 || code === 13 || code > 0xff) return true;
  }
  return false;
}

/** Issues for one header: a token name, and a value fetch can send (no CR/LF/NUL, Latin-1 only). */
export function headerIssues(name: string, value: unknown, path: string): ValidationIssue[] {
  if (!HEADER_NAME.test(name)) return [{ path, message: `Invalid header name ${JSON.stringify(name)}` }];
  if (typeof value !== "string")
    return [{ path, message: `Expected a string header value, got ${typeof value}` }];
  if (badHeaderValue(value)) {
    return [
      {
        path,
        message: "Header values cannot hold CR, LF, NUL or characters beyond Latin-1 (U+00FF)",
      },
    ];
  }
  return [];
}

/** A duration in ms: positive and within setTimeout's range, or Infinity (none). */
function durationIssues(value: unknown, path: string, allowInfinity: boolean): ValidationIssue[] {
  if (value === undefined) return [];
  if (typeof value === "number" && value === Number.POSITIVE_INFINITY && allowInfinity) return [];
  if (typeof value !== "number" || !(value > 0) || value > MAX_TIMER) {
    return [
      {
        path,
        message: `Expected a number of milliseconds above 0 and at most ${MAX_TIMER}${
          allowInfinity ? " (or Infinity for none)" : ""
        }, got ${String(value)}`,
      },
    ];
  }
  return [];
}

function delayIssues(value: unknown, path: string): ValidationIssue[] {
  if (value === undefined) return [];
  if (typeof value !== "number" || !(value >= 0) || value > MAX_TIMER) {
    return [
      { path, message: `Expected a number of milliseconds from 0 to ${MAX_TIMER}, got ${String(value)}` },
    ];
  }
  return [];
}

function retryIssues(retry: unknown, path: string): ValidationIssue[] {
  if (retry === undefined || retry === false) return [];
  if (typeof retry !== "object" || retry === null) {
    return [{ path, message: "Expected retry options or false" }];
  }
  const r = retry as RetryOptions;
  const issues: ValidationIssue[] = [];
  if (r.maxRetries !== undefined && !(Number.isInteger(r.maxRetries) && r.maxRetries >= 0)) {
    issues.push({
      path: `${path}.maxRetries`,
      message: `Expected an integer of 0 or more, got ${String(r.maxRetries)}`,
    });
  }
  issues.push(...delayIssues(r.initialDelay, `${path}.initialDelay`));
  issues.push(...delayIssues(r.maxDelay, `${path}.maxDelay`));
  issues.push(...delayIssues(r.maxRetryAfter, `${path}.maxRetryAfter`));
  issues.push(...durationIssues(r.budget, `${path}.budget`, true));
  return issues;
}

function headersIssues(headers: unknown, path: string, allowIdempotencyKey: boolean): ValidationIssue[] {
  if (headers === undefined) return [];
  if (typeof headers !== "object" || headers === null) return [{ path, message: "Expected an object" }];
  const issues: ValidationIssue[] = [];
  for (const [name, value] of Object.entries(headers)) {
    issues.push(...headerIssues(name, value, `${path}.${name}`));
    if (!allowIdempotencyKey && name.toLowerCase() === "idempotency-key") {
      issues.push({
        path: `${path}.${name}`,
        message:
          "A client-wide Idempotency-Key would make every call share one key (later calls would replay the first); pass idempotencyKey per call",
      });
    }
  }
  return issues;
}

/** Checks client options at construction: anything wrong fails here, before any request. */
export function checkClientOptions(options: ClientOptions): void {
  const issues: ValidationIssue[] = [
    ...durationIssues(options.timeout, "timeout", true),
    ...durationIssues(options.tokenTimeout, "tokenTimeout", false),
    ...retryIssues(options.retry, "retry"),
    ...headersIssues(options.headers, "headers", false),
  ];
  const size = options.maxResponseSize;
  if (
    size !== undefined &&
    size !== Number.POSITIVE_INFINITY &&
    !(typeof size === "number" && Number.isInteger(size) && size > 0)
  ) {
    issues.push({
      path: "maxResponseSize",
      message: `Expected a whole number of bytes above 0 (or Infinity), got ${String(size)}`,
    });
  }
  if (options.validate !== undefined && !["strict", "lenient", "off"].includes(options.validate)) {
    issues.push({
      path: "validate",
      message: `Expected strict, lenient or off, got ${String(options.validate)}`,
    });
  }
  if (issues.length) throw new FormanceValidationError(issues);
}

/** Checks per-call options before anything is sent. */
export function checkRequestOptions(options: RequestOptions, op: OperationRef): void {
  const issues: ValidationIssue[] = [
    ...durationIssues(options.timeout, "options.timeout", true),
    ...retryIssues(options.retry, "options.retry"),
    ...headersIssues(options.headers, "options.headers", true),
  ];
  if (issues.length) throw new FormanceValidationError(issues, op);
}

export function resolvePathPrefix(pathPrefix: ClientOptions["pathPrefix"], service: string): string {
  const given = typeof pathPrefix === "string" ? pathPrefix : pathPrefix?.[service];
  return (given ?? `/api/${service}`).replace(/\/+$/, "");
}
