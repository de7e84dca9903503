// Sends an HTTP request through the client's ky instance. ky runs the attempts, the waits between
// them, the time limits and the hooks; the SDK's rules reach it through ky's own options:
// `shouldRetry` decides every retry (statuses, idempotency, Retry-After, the budget, the one 401
// refresh), the SDK's hooks (first in line) attach the token and turn every failure into a typed
// error, and a per-call `fetch` reads the body inside the attempt (so ky's `timeout` covers it and a
// body cut short is retried) and logs the attempt. What ky has no option for stays here: the time
// limit on the token. docs/HOW_IT_WORKS.md walks through a call.

import ky, { HTTPError, NetworkError, type Options, TimeoutError } from "ky";
import type { TokenSource } from "./auth";
import { readText } from "./body";
import type { CallContext, CoreClient, HttpRequest, Transport } from "./context";
import { isSuccess, type OperationDescriptor } from "./descriptor";
import {
  apiErrorFrom,
  FormanceAbortError,
  FormanceAuthError,
  FormanceConnectionError,
  type FormanceError,
  FormanceIncompleteResponseError,
  FormanceRedirectError,
  FormanceTimeoutError,
  isFormanceError,
  type OperationRef,
} from "./errors";
import type { HookContext, Hooks } from "./hooks";
import { parseJSON } from "./json";
import { logAttempt, redactHeaders, redactURL } from "./logger";
import { DEFAULT_MAX_RESPONSE_SIZE, DEFAULT_TIMEOUT, headerIssues, MAX_TIMER } from "./options";
import { methodIsRetryable, type ResolvedRetry, resolveRetry, retryDelay } from "./retry";

const CALL = Symbol("formance.call");
/** ky checks `retry.methods` before asking `shouldRetry`: every method passes, our rules decide. */
const ALL_METHODS = ["get", "head", "put", "delete", "options", "post", "patch"];
/** Errors thrown by fetch itself (not by a hook): connection failures. */
const fetchFailures = new WeakSet<object>();
/** Bodies read inside the attempt, by the response handed to ky. */
const texts = new WeakMap<Response, string>();

/** One call, as the SDK's hooks see it. It holds no secret: user hooks can reach it too. */
export interface Call {
  d: OperationDescriptor;
  op: OperationRef;
  policy: ResolvedRetry;
  /** The caller's signal. */
  signal: AbortSignal | undefined;
  timeout: number;
  maxResponseSize: number;
  canRetry: boolean;
  /** Give ky a fresh copy of a body read in the attempt (afterResponse hooks clone the response). */
  rebuild: boolean;
  started: number;
  attempt: number;
  /** The last attempt's time limit, and whether what was left of the budget set it. */
  limit: number;
  byBudget: boolean;
  retries: number;
  refreshed: boolean;
  token: string | undefined;
  /** The wait `shouldRetry` chose, handed to ky through `retry.delay`. */
  delay: number;
  /** From a retry decision until the next attempt starts: an abort then is "while waiting to retry". */
  waiting: boolean;
  /** Set once the SDK's `beforeError` hook has typed the error. */
  typed: boolean;
  /** The body ky was given (null: none), when it can be sent again as it is; undefined for a one-shot stream. */
  body: BodyInit | null | undefined;
  /** The first attempt's Request as ky built it from `body`, before any user hook ran. */
  built: Request | undefined;
}

export interface TransportInit {
  serverURL: string;
  fetch: typeof fetch;
  auth: TokenSource | undefined;
  hooks: Hooks | undefined;
}

/** The global fetch, looked up at each call (a test or polyfill may install it after the client is made). */
export const defaultFetch: typeof fetch = (input, init) => globalThis.fetch(input, init);

/** The client's ky instance: the SDK's hooks first, then the client's own. */
export function createTransport(init: TransportInit): Transport {
  const { auth, hooks = {} } = init;
  const user = hooks as Required<Options>["hooks"];
  const instance = ky.create({
    prefix: init.serverURL,
    fetch: init.fetch,
    timeout: false,
    retry: { methods: ALL_METHODS },
    // A redirect is an error, never followed: see FormanceRedirectError.
    redirect: "manual",
    // `response.json()` in a hook, and ky's own read of error bodies, keep big integers exact.
    parseJson: (text) => parseJSON(text),
    hooks: {
      beforeRequest: [
        // The first attempt's request as ky built it, before any user hook: see `fetchArguments`.
        async ({ request, options }: BeforeRequestArgs) => {
          const call = callOf(options);
          if (!call) return;
          call.built = request;
          await attachToken(auth, call, request);
        },
        ...(user.beforeRequest ?? []),
      ],
      beforeRetry: [
        async ({ request, options }) => {
          const call = callOf(options);
          if (!call) return;
          call.waiting = false;
          await attachToken(auth, call, request);
        },
        ...(user.beforeRetry ?? []),
      ],
      afterResponse: [...(user.afterResponse ?? [])],
      beforeError: [
        ({ error, options }) => {
          const call = callOf(options);
          if (!call) return error;
          call.typed = true;
          return typed(call, error) as Error;
        },
        ...(user.beforeError ?? []),
      ],
    },
  });
  return instance as unknown as Transport;
}

type BeforeRequestArgs = { request: Request; options: { context: object } };

function callOf(options: { context: object }): Call | undefined {
  return (options.context as { [CALL]?: Call })[CALL];
}

/** The answer of the last attempt; `text` is its body, read within the attempt, when the result needs it. */
export interface Sent {
  response: Response;
  call: Call;
  text: string | undefined;
}

export async function send({ client, d, op, options }: CallContext, http: HttpRequest): Promise<Sent> {
  const policy = resolveRetry(client.options.retry, options.retry);
  const timeout = options.timeout ?? client.options.timeout ?? DEFAULT_TIMEOUT;
  // Only a key the operation's server honours makes a retried POST safe.
  const keyed = d.idempotencyHeader !== undefined && http.headers.has(d.idempotencyHeader);
  const call: Call = {
    d,
    op,
    policy,
    signal: options.signal,
    timeout,
    maxResponseSize: client.options.maxResponseSize ?? DEFAULT_MAX_RESPONSE_SIZE,
    canRetry: http.replayable && methodIsRetryable(http.method, keyed),
    rebuild: Boolean(client.options.hooks?.afterResponse?.length || options.hooks?.afterResponse?.length),
    started: Date.now(),
    attempt: 0,
    limit: timeout,
    byBudget: false,
    retries: 0,
    refreshed: false,
    token: undefined,
    delay: 0,
    waiting: false,
    typed: false,
    body: undefined,
    built: undefined,
  };
  // ky's limit is only a ceiling: our retries plus the one after a 401. Zero when nothing can be
  // retried, so ky does not copy the request body for a retry that cannot happen.
  const refreshable = client.auth !== undefined && http.replayable;
  const limit = (call.canRetry ? policy.maxRetries : 0) + (refreshable ? 1 : 0);
  const context: HookContext & { [CALL]: Call } = {
    operation: { ...op, method: d.method, route: d.path },
    [CALL]: call,
  };
  const body = http.body();
  if (http.replayable) call.body = body ?? null;
  const kyOptions: Options = {
    method: http.method,
    headers: http.headers,
    body,
    // ky's timeout covers fetch and, since `attempt` reads it, the body; it never runs past what is
    // left of the budget (`totalTimeout`).
    timeout: timer(timeout),
    totalTimeout: timer(policy.budget),
    retry: {
      limit,
      shouldRetry: ({ error }) => shouldRetry(client, call, error),
      delay: () => call.delay,
    },
    fetch: (request) => attempt(client, call, request as Request),
    // ky asks only about answers outside 2xx: a status the operation declares (e.g. 304) is a result.
    throwHttpErrors: (status) => !isSuccess(d, status),
    context: context as unknown as Record<string, unknown>,
  };
  if (options.signal) kyOptions.signal = options.signal;
  if (options.hooks) kyOptions.hooks = options.hooks as Options["hooks"];
  let response: Response;
  try {
    response = await client.http(http.path, kyOptions);
  } catch (error) {
    // What did not pass through the SDK's beforeError hook (thrown by a beforeRetry hook) is typed here.
    throw call.typed ? error : typed(call, error);
  }
  let text = texts.get(response);
  if (text === undefined && needsBody(d, response)) {
    // A response a hook made up (or replaced) was not read in an attempt.
    try {
      text = await readText(response, call.maxResponseSize, op);
    } catch (error) {
      throw bodyFailure(call, error, response);
    }
  }
  return { response, call, text };
}

/** ky's time limits: a number of ms within setTimeout's range, or false for none. */
function timer(ms: number): number | false {
  return ms > 0 && ms <= MAX_TIMER ? ms : false;
}

/** ky's `shouldRetry`: the one 401 refresh, else the retry policy (retry.ts). `true` retries after `call.delay`. */
function shouldRetry(client: CoreClient, call: Call, error: unknown): boolean {
  if (call.signal?.aborted) return false;
  if (isFormanceError(error) && !(error instanceof FormanceConnectionError)) return false;
  const answer = error instanceof HTTPError ? error.response : undefined;
  if (answer?.status === 401 && call.token && client.auth && !call.refreshed) {
    // The token may have been revoked or expired early: fetch a fresh one and try once more.
    call.refreshed = true;
    client.auth.invalidate(call.d.scopes, call.token);
    return wait(call, 0);
  }
  // Anything else failed in the attempt: a status, the connection, the body cut short, or the time limit.
  const delay = retryDelay(call, answer);
  if (delay === undefined) return false;
  call.retries++;
  return wait(call, delay);
}

function wait(call: Call, delay: number): true {
  call.delay = delay;
  call.waiting = true;
  return true;
}

/** One attempt: the client's fetch, then the body when the result is built from it; logged. */
async function attempt(client: CoreClient, call: Call, request: Request): Promise<Response> {
  const number = ++call.attempt;
  const started = Date.now();
  limitAttempt(call, started);
  let response: Response | undefined;
  let failure: unknown;
  try {
    response = await client.fetch(...fetchArguments(client, call, request));
    if (isRedirect(response, call.d)) {
      await response.body?.cancel().catch(() => {});
      throw redirectError(response, request, call.op);
    }
    if (!needsBody(call.d, response)) return response;
    let text: string;
    try {
      // Read here, inside the attempt: a body cut after the status line is a failed attempt too.
      text = await readText(response, call.maxResponseSize, call.op);
    } catch (error) {
      throw bodyFailure(call, error, response, request);
    }
    const handed = call.rebuild ? copy(response, text) : response;
    texts.set(handed, text);
    return handed;
  } catch (error) {
    if (!isFormanceError(error) && typeof error === "object" && error !== null) fetchFailures.add(error);
    failure = error;
    throw error;
  } finally {
    const logger = client.options.logger;
    if (logger) {
      logAttempt(logger, {
        method: request.method,
        url: redactURL(request.url),
        status: response?.status,
        durationMs: Date.now() - started,
        attempt: number,
        operation: call.op.name,
        headers: redactHeaders(request.headers),
        ...(failure === undefined
          ? {}
          : { error: (typed(call, failure, request.signal.aborted) as Error).message }),
      });
    }
  }
}

/**
 * What the client's fetch is given: ky's Request as it is, except on the default fetch for the
 * first attempt's request as ky built it (no user hook replaced it) from a body that can be sent
 * again. That request goes as its URL and init, the body from `call.body`: handed a Request, fetch
 * copies its body stream into a new one (and ky's copy for a retry splits it in two): in Node that
 * was about a quarter of a createTransaction's CPU (docs/BENCHMARKS.md, section 3). Headers are
 * read from the Request at this point, so changes made by hooks go out. A custom `fetch` always
 * gets the Request.
 */
function fetchArguments(client: CoreClient, call: Call, request: Request): [RequestInfo, RequestInit?] {
  const { body } = call;
  if (client.fetch !== defaultFetch || request !== call.built || body === undefined) return [request];
  const { url, method, headers, signal, redirect } = request;
  return [url, { method, headers, signal, redirect, body }];
}

/** The same answer with its body in memory, for ky to clone for afterResponse hooks. */
function copy(response: Response, text: string): Response {
  const fresh = new Response(text === "" ? null : text, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
  Object.defineProperty(fresh, "url", { value: response.url });
  return fresh;
}

/** Whether the result is built from the body text; streamed, void and count results are not. */
function needsBody(d: OperationDescriptor, response: Response): boolean {
  // A HEAD answer has no body (its Content-Length describes the GET's).
  if (d.method === "HEAD") return false;
  if (!isSuccess(d, response.status)) return true;
  return d.kind !== "ndjson" && d.kind !== "void" && d.kind !== "count";
}

/** A 3xx other than 304 (or a declared status), or the opaque redirect a browser gives under `redirect: "manual"`. */
function isRedirect(response: Response, d: OperationDescriptor): boolean {
  if (response.type === "opaqueredirect") return true;
  return (
    response.status >= 300 &&
    response.status < 400 &&
    response.status !== 304 &&
    !isSuccess(d, response.status)
  );
}

function redirectError(response: Response, request: Request, op: OperationRef): FormanceRedirectError {
  const raw = response.headers.get("location");
  let location: string | undefined;
  if (raw) {
    try {
      const url = new URL(raw, request.url);
      url.username = "";
      url.password = "";
      location = redactURL(url.toString());
    } catch {
      location = "(unreadable Location header)";
    }
  }
  return new FormanceRedirectError({
    status: response.status,
    headers: response.headers,
    body: undefined,
    rawBody: "",
    operation: op,
    method: request.method,
    url: redactURL(request.url),
    location,
  });
}

/** Why reading a body failed: the caller, the time limit, the size limit, or the connection after the status line. */
function bodyFailure(call: Call, error: unknown, response: Response, req?: Request): FormanceError {
  if (isFormanceError(error) || call.signal?.aborted || req?.signal.aborted) {
    return typed(call, error, req?.signal.aborted) as FormanceError;
  }
  return new FormanceIncompleteResponseError(
    `${call.op.name}: the server answered ${response.status} but the connection broke while reading the body: ${detailOf(error)}`,
    { status: response.status, headers: response.headers, cause: error, operation: call.op },
  );
}

/** Attaches the bearer token, waiting for it at most the attempt's time limit. */
async function attachToken(auth: TokenSource | undefined, call: Call, request: Request): Promise<void> {
  if (!auth) return;
  limitAttempt(call, Date.now());
  const expiry = new AbortController();
  const timer = call.limit <= MAX_TIMER ? setTimeout(() => expiry.abort(), call.limit) : undefined;
  const signal = call.signal ? AbortSignal.any([call.signal, expiry.signal]) : expiry.signal;
  let token: string | undefined;
  try {
    token = await auth.getToken(call.d.scopes, signal);
  } catch (error) {
    if (isFormanceError(error)) throw error;
    if (call.signal?.aborted) throw typed(call, error);
    if (expiry.signal.aborted) {
      throw new FormanceTimeoutError(`${call.op.name}: no access token within ${limitText(call)}`, {
        operation: call.op,
      });
    }
    throw new FormanceAuthError(`${call.op.name}: could not get an access token: ${detailOf(error)}`, {
      cause: error,
      operation: call.op,
    });
  } finally {
    clearTimeout(timer);
  }
  if (token !== undefined && (typeof token !== "string" || headerIssues("authorization", token, "").length)) {
    // Never echo the value: it is a credential.
    throw new FormanceAuthError(
      `${call.op.name}: the access token is not a string that can be sent in a header (CR, LF, NUL or non-Latin-1 characters)`,
      { operation: call.op },
    );
  }
  call.token = token;
  if (token) request.headers.set("authorization", `Bearer ${token}`);
  else request.headers.delete("authorization");
}

/** Sets the attempt's time limit: the timeout, or what is left of the budget when that is less. */
function limitAttempt(call: Call, now: number): void {
  const left = call.policy.budget - (now - call.started);
  call.byBudget = left < call.timeout;
  call.limit = call.byBudget ? Math.max(1, Math.floor(left)) : call.timeout;
}

function limitText(call: Call): string {
  return call.byBudget
    ? `${call.limit} ms (what was left of the ${call.policy.budget} ms retry budget)`
    : `${call.limit} ms`;
}

function detailOf(error: unknown): string {
  return error instanceof Error
    ? error.cause instanceof Error
      ? error.cause.message
      : error.message
    : String(error);
}

/**
 * The typed error for what ended a call: ky's HTTPError, TimeoutError and NetworkError, the
 * caller's abort, a failure of fetch or of reading the body. An error thrown by one of the
 * caller's hooks is the caller's own: it is returned as it is.
 */
export function typed(call: Call, error: unknown, attemptAborted = false, network = false): unknown {
  if (isFormanceError(error)) return error;
  const { op } = call;
  if (call.signal?.aborted) {
    return new FormanceAbortError(`${op.name}: aborted${call.waiting ? " while waiting to retry" : ""}`, {
      cause: call.signal.reason,
      operation: op,
    });
  }
  if (error instanceof HTTPError) return apiError(call, error);
  if (error instanceof TimeoutError || attemptAborted) {
    return new FormanceTimeoutError(`${op.name}: no response within ${limitText(call)}`, {
      cause: error,
      operation: op,
    });
  }
  if (
    !network &&
    !(error instanceof NetworkError) &&
    !(typeof error === "object" && error !== null && fetchFailures.has(error))
  ) {
    return error;
  }
  const cause = error instanceof NetworkError ? error.cause : error;
  return new FormanceConnectionError(`${op.name}: connection failed: ${detailOf(cause)}`, {
    cause: error,
    operation: op,
  });
}

function apiError(call: Call, error: HTTPError): FormanceError {
  const { response, request } = error;
  const data: unknown = error.data;
  // The body read in the attempt; else (a response from a hook) what ky read.
  const rawBody = texts.get(response) ?? (typeof data === "string" ? data : "");
  let body: unknown = rawBody || (data ?? undefined);
  try {
    if (rawBody) body = parseJSON(rawBody);
  } catch {}
  return apiErrorFrom({
    status: response.status,
    headers: response.headers,
    body,
    rawBody,
    operation: call.op,
    method: request.method,
    url: redactURL(request.url),
  });
}
