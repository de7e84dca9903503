// Hooks: functions you give the client (or one call) to observe or change each request, in the
// shape of ky's hooks (the library the transport runs on). They run after the SDK's own hooks,
// so a `beforeRequest` hook sees the Authorization header and a `beforeError` hook sees the
// SDK's typed error. The client secret is never within their reach: the token request does not
// go through the hooks at all.
//
// The types are written here rather than imported from ky: ky ships ES modules only, and the
// CommonJS type declarations of this package must not import it.
import type { HttpMethod } from "./descriptor";

/** The operation a request belongs to, as hooks see it in `options.context.operation`. */
export interface HookOperation {
  /** The spec's operationId, e.g. `v2CreateTransaction`. */
  readonly id: string;
  /** The SDK method, e.g. `ledger.v2.createTransaction`. */
  readonly name: string;
  readonly method: HttpMethod;
  /** The path template, without the service prefix, e.g. `/v2/{ledger}/transactions`. */
  readonly route: string;
}

/** `options.context` in every hook. One object per call: a good `WeakMap` key for per-call state. */
export interface HookContext {
  readonly operation: HookOperation;
}

/** The request options as hooks see them (read-only): ky's normalized options, with our context. */
export interface HookOptions {
  readonly context: HookContext;
  readonly method: string;
  readonly headers: Headers;
  /** ky's retry options; `limit` is a ceiling, the SDK's `retry` policy decides each retry. */
  readonly retry: { readonly limit: number; readonly [key: string]: unknown };
  readonly signal?: AbortSignal | null;
  readonly [key: string]: unknown;
}

export interface BeforeRequestState {
  /** The request about to be sent, Authorization header included. Change its headers in place, or return a new `Request`. */
  request: Request;
  options: HookOptions;
  /** Always 0: `beforeRequest` runs once per call; retries go through `beforeRetry`. */
  retryCount: 0;
}

export interface BeforeRetryState {
  /** The request about to be sent again (a fresh token already attached). */
  request: Request;
  options: HookOptions;
  /**
   * Why the previous attempt failed: ky's `HTTPError` (with `response`), `NetworkError` or
   * `TimeoutError`, or a `FormanceIncompleteResponseError` when the body was cut short.
   */
  error: Error;
  /** 1 for the first retry. */
  retryCount: number;
}

export interface AfterResponseState {
  request: Request;
  options: HookOptions;
  /** A clone of the response: reading its body does not consume the SDK's. Every HTTP response is seen, retried ones too. */
  response: Response;
  /** 0 for the first attempt. */
  retryCount: number;
}

export interface BeforeErrorState {
  request: Request;
  options: HookOptions;
  /**
   * The error the call is about to reject with: a `FormanceError` subclass (`FormanceAPIError`,
   * `FormanceConnectionError`, `FormanceTimeoutError`, `FormanceAbortError`, ...), or whatever an
   * earlier hook of yours returned instead.
   */
  error: Error;
  retryCount: number;
}

type MaybePromise<T> = T | Promise<T>;

/** Runs once before the first attempt. Return a `Request` to replace it, or a `Response` to skip the network. */
// biome-ignore lint/suspicious/noConfusingVoidType: hooks are often written as expressions that return void.
export type BeforeRequestHook = (state: BeforeRequestState) => MaybePromise<Request | Response | void>;
/** Runs before each retry. Throw (or return ky's `stop`) to give up; return a `Request` to replace it. */
/** ky's `stop` symbol (`ky.stop`): give up retrying without an error. */
type RetryAnswer = Request | Response | symbol;
// biome-ignore lint/suspicious/noConfusingVoidType: hooks are often written as expressions that return void.
export type BeforeRetryHook = (state: BeforeRetryState) => MaybePromise<RetryAnswer | void>;
/** Runs on each response before the SDK reads it. Return a `Response` to replace it. */
// biome-ignore lint/suspicious/noConfusingVoidType: hooks are often written as expressions that return void.
export type AfterResponseHook = (state: AfterResponseState) => MaybePromise<Response | void>;
/** Runs once when the call fails; return the error to throw (the same one, or another). */
export type BeforeErrorHook = (state: BeforeErrorState) => MaybePromise<Error>;

export interface Hooks {
  beforeRequest?: BeforeRequestHook[];
  beforeRetry?: BeforeRetryHook[];
  afterResponse?: AfterResponseHook[];
  beforeError?: BeforeErrorHook[];
}
