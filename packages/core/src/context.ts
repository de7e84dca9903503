// The types the request path passes down: the client as an operation sees it, and one call's
// context. Types only (no code), below build.ts, send.ts and response.ts, so they import it and
// not each other.
import type { TokenSource } from "./auth";
import type { OperationDescriptor } from "./descriptor";
import type { OperationRef } from "./errors";
import type { ClientOptions, RequestOptions, ValidationMode } from "./options";

/** The client's ky instance, as the client exposes it (ky's own types are ES-module only). */
export type Transport = (input: string, options?: object) => Promise<Response>;

export interface CoreClient {
  readonly options: Readonly<ClientOptions>;
  /** The stack origin requests go to. */
  readonly serverURL: string;
  /** The fetch every request goes through (the `fetch` option, or the global one). */
  readonly fetch: typeof fetch;
  /** The ky instance every API request goes through (the token request does not: it carries the secret). */
  readonly http: Transport;
  readonly auth: TokenSource | undefined;
  readonly validate: ValidationMode;
  readonly userAgent: string;
  /** Path prefix of a service (`/api/ledger`, or `""` without the gateway). */
  prefix(service: string): string;
}

/** An operation's HTTP request, as build.ts makes it. */
export interface HttpRequest {
  method: string;
  /** Path and query under the server URL (ky's `prefix`): `/api/ledger/v2/main/transactions?dryRun=true`. */
  path: string;
  url: string;
  headers: Headers;
  body: () => BodyInit | undefined;
  /** False when the body is a one-shot stream: such a request is never retried. */
  replayable: boolean;
}

/** One call of one operation, handed from `execute` to build, send and read. */
export interface CallContext {
  client: CoreClient;
  d: OperationDescriptor;
  /** How errors name the operation (`d.id`, `d.name`), made once per call. */
  op: OperationRef;
  options: RequestOptions;
}
