// The shape of a generated operation descriptor (data only, run by `request`), and the types the
// request path shares: the input, a raw page, a result. This file sits at the bottom of the core.
import type { Schema } from "./schema";

export type HttpMethod = "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE";

/**
 * Where an input field goes: `"path"`, `"query"`, `"header"`, optionally with the wire name
 * (`"query:page_size"`, `"header:Idempotency-Key"`) and a style (`"query:metadata:deepObject"`).
 */
export type ParamLocation = string;

export interface OperationDescriptor {
  /** The spec's operationId. */
  id: string;
  /** SDK method, e.g. `ledger.v2.createTransaction`. */
  name: string;
  /** Service whose path prefix applies (`ledger`, ...); empty for gateway routes. */
  service: string;
  method: HttpMethod;
  /** Path template without the gateway prefix, e.g. `/v2/{ledger}/transactions/{id}`. */
  path: string;
  /** Input fields other than `body`, by SDK (camelCase) name. */
  params?: Record<string, ParamLocation>;
  /** How `input.body` travels: a JSON body, the JSON text of the `query` URL parameter (filters on GET/HEAD), or raw bytes. */
  body?: "json" | "query" | "stream";
  /** Schema of the whole input object (params and body). */
  input?: Schema;
  /** Schema of the result after unwrapping (the page item schema for `page`). */
  output?: Schema;
  /** Envelope property holding the result. */
  unwrap?: "data" | "cursor";
  /** `json` (default), `page` (cursor pagination), `count` (HEAD `Count` header), `ndjson` (log export), `void` (no body). */
  kind?: "json" | "page" | "count" | "ndjson" | "void";
  /** Statuses accepted besides 2xx (e.g. 304). */
  success?: number[];
  /** OAuth2 scopes requested for this call. */
  scopes: string[];
  /** Header that carries the idempotency key, for operations that accept one. */
  idempotencyHeader?: string;
  /** Which inputs are re-sent with `cursor` for the next page (besides path params). */
  keepOnNextPage?: string[];
  /** Spec summary, kept for error messages and docs. */
  summary?: string;
  deprecated?: boolean;
}

/** An operation's input: params by SDK name, and `body`. */
export type Input = Record<string, unknown>;

/** A cursor page as the server sent it, before it becomes a `Page`. */
export interface RawPage<T> {
  data: T[];
  hasMore: boolean;
  next: string | undefined;
  previous: string | undefined;
  pageSize: number | undefined;
}

export interface Result<T> {
  data: T;
  response: Response;
}

/** Whether a status is the operation's success: any 2xx, or one it declares (e.g. 304). */
export function isSuccess(d: OperationDescriptor, status: number): boolean {
  return (status >= 200 && status < 300) || !!d.success?.includes(status);
}
