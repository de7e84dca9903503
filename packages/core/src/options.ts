// Client options and how they resolve to URLs.
import type { Logger } from "./logger";
import type { RetryOptions } from "./retry";

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
  /** Per-attempt timeout in milliseconds (default 60 000). */
  timeout?: number;
  /** Custom fetch (for proxies, tests, or runtimes without a global fetch). */
  fetch?: typeof fetch;
  /** Headers added to every request. */
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
  /** Idempotency key for operations that accept one; generated when omitted. */
  idempotencyKey?: string;
  headers?: Record<string, string>;
}

export function resolveServerURL(server: ClientOptions["serverURL"]): string {
  if (server === undefined) return "http://localhost";
  if (typeof server === "string") return server.replace(/\/+$/, "");
  const environment = server.environment ?? "eu.sandbox";
  if (!["eu.sandbox", "eu-west-1", "us-east-1"].includes(environment)) {
    throw new TypeError(
      `serverURL.environment must be one of eu.sandbox, eu-west-1, us-east-1 (got ${environment})`,
    );
  }
  if (!server.organization) throw new TypeError("serverURL.organization is required for the cloud server");
  // It becomes part of the host name: anything else could send credentials to another host.
  if (!/^[a-z0-9][a-z0-9-]*$/i.test(server.organization)) {
    throw new TypeError(
      `serverURL.organization must be letters, digits and dashes (got ${server.organization})`,
    );
  }
  return `https://${server.organization}.${environment}.formance.cloud`;
}

/** The token endpoint: an absolute URL as given, otherwise under `serverURL` (keeping its base path, like API paths). */
export function resolveTokenURL(serverURL: string, tokenURL = "/api/auth/oauth/token"): string {
  if (tokenURL.startsWith("/") && !tokenURL.startsWith("//")) return `${serverURL}${tokenURL}`;
  return new URL(tokenURL, `${serverURL}/`).toString();
}

export function resolvePathPrefix(pathPrefix: ClientOptions["pathPrefix"], service: string): string {
  const given = typeof pathPrefix === "string" ? pathPrefix : pathPrefix?.[service];
  return (given ?? `/api/${service}`).replace(/\/+$/, "");
}
