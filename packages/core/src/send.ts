// Sends an HTTP request: attempts with a deadline each, the bearer token, logging, 401 refresh and retries.

import { readText } from "./body";
import type { HttpRequest } from "./build";
import type { CoreClient } from "./client";
import type { OperationDescriptor } from "./descriptor";
import {
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
import { logAttempt, redactHeaders, redactURL } from "./logger";
import {
  DEFAULT_MAX_RESPONSE_SIZE,
  DEFAULT_TIMEOUT,
  headerIssues,
  MAX_TIMER,
  type RequestOptions,
} from "./options";
import {
  backoffDelay,
  methodIsRetryable,
  parseRetryAfter,
  RETRYABLE_STATUSES,
  resolveRetry,
  sleep,
} from "./retry";

/** The answer of the last attempt; `text` is its body, read within the attempt, when the result needs it. */
export interface Sent {
  response: Response;
  deadline: Deadline;
  text: string | undefined;
}

export async function send(
  client: CoreClient,
  d: OperationDescriptor,
  http: HttpRequest,
  options: RequestOptions,
  op: OperationRef,
): Promise<Sent> {
  const policy = resolveRetry(client.options.retry, options.retry);
  // Only a key the operation's server honours makes a retried POST safe.
  const keyed = d.idempotencyHeader !== undefined && http.headers.has(d.idempotencyHeader);
  const canRetry = http.replayable && methodIsRetryable(http.method, keyed);
  const timeout = options.timeout ?? client.options.timeout ?? DEFAULT_TIMEOUT;
  const limit = client.options.maxResponseSize ?? DEFAULT_MAX_RESPONSE_SIZE;
  const started = Date.now();
  let authRetried = false;

  for (let attempt = 1; ; attempt++) {
    // One timer per attempt covers the token, the response and its body (cleared once the body is
    // read); it never runs past what is left of the retry budget.
    const deadline = startDeadline(
      options.signal,
      timeout,
      policy.budget,
      policy.budget - (Date.now() - started),
    );
    let handedOver = false;
    try {
      const token = await getToken(client, d, options.signal, deadline, op);
      const headers = new Headers(http.headers);
      if (token) headers.set("authorization", `Bearer ${token}`);
      const t0 = Date.now();
      let response: Response | undefined;
      let failure: FormanceError | undefined;
      try {
        response = await client.fetch(http.url, {
          method: http.method,
          headers,
          body: http.body(),
          signal: deadline.signal,
          // A redirect is an error, never followed: see FormanceRedirectError.
          redirect: "manual",
          // Streaming request bodies need half duplex in Node's fetch.
          ...(http.replayable ? {} : { duplex: "half" }),
        } as RequestInit);
      } catch (error) {
        failure = classify(error, options.signal, deadline, op);
      }
      if (client.options.logger) {
        logAttempt(client.options.logger, {
          method: http.method,
          url: redactURL(http.url),
          status: response?.status,
          durationMs: Date.now() - t0,
          attempt,
          operation: d.name,
          headers: redactHeaders(headers),
          ...(failure ? { error: failure.message } : {}),
        });
      }
      if (failure instanceof FormanceAbortError) throw failure;
      if (response && isRedirect(response, d)) {
        await response.body?.cancel().catch(() => {});
        throw redirectError(response, http, op);
      }

      if (response?.status === 401 && token && client.auth && !authRetried && http.replayable) {
        // The token may have been revoked or expired early: fetch a fresh one and try once more.
        authRetried = true;
        client.auth.invalidate(d.scopes, token);
        await response.body?.cancel();
        attempt--;
        continue;
      }

      let retryable = failure ? true : RETRYABLE_STATUSES.has(response!.status);
      let text: string | undefined;
      if (!failure && !retryable && needsBody(d, response!)) {
        // Read here, inside the attempt: a body cut after the status line is a failed attempt too.
        try {
          text = await readText(response!, limit, op);
        } catch (error) {
          failure = bodyFailure(error, response!, options.signal, deadline, op);
          if (!(failure instanceof FormanceConnectionError || failure instanceof FormanceTimeoutError)) {
            throw failure;
          }
          retryable = true;
        }
      }
      const retryAfter = response ? parseRetryAfter(response.headers.get("retry-after")) : undefined;
      const delay = retryAfter ?? backoffDelay(attempt - 1, policy);
      if (
        !retryable ||
        !canRetry ||
        attempt > policy.maxRetries ||
        (retryAfter !== undefined && retryAfter > policy.maxRetryAfter) ||
        Date.now() - started + delay > policy.budget
      ) {
        if (failure) throw failure;
        if (text === undefined && needsBody(d, response!)) {
          try {
            text = await readText(response!, limit, op);
          } catch (error) {
            throw bodyFailure(error, response!, options.signal, deadline, op);
          }
        }
        handedOver = true;
        return { response: response!, deadline, text };
      }
      await response?.body?.cancel().catch(() => {});
      try {
        await sleep(delay, options.signal);
      } catch (reason) {
        throw new FormanceAbortError(`${op.name}: aborted while waiting to retry`, {
          cause: reason,
          operation: op,
        });
      }
    } finally {
      if (!handedOver) deadline.clear();
    }
  }
}

function isSuccess(d: OperationDescriptor, status: number): boolean {
  return (status >= 200 && status < 300) || d.success?.includes(status) === true;
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

function redirectError(response: Response, http: HttpRequest, op: OperationRef): FormanceRedirectError {
  const raw = response.headers.get("location");
  let location: string | undefined;
  if (raw) {
    try {
      const url = new URL(raw, http.url);
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
    method: http.method,
    url: redactURL(http.url),
    location,
  });
}

/** Why reading a body failed: the caller, the timeout, the size limit, or the connection after the status line. */
function bodyFailure(
  error: unknown,
  response: Response,
  signal: AbortSignal | undefined,
  deadline: Deadline,
  op: OperationRef,
): FormanceError {
  if (isFormanceError(error) || signal?.aborted || deadline.expired)
    return classify(error, signal, deadline, op);
  return new FormanceIncompleteResponseError(
    `${op.name}: the server answered ${response.status} but the connection broke while reading the body: ${detailOf(error)}`,
    { status: response.status, headers: response.headers, cause: error, operation: op },
  );
}

/** The end of one attempt: the caller's signal or the timeout, whichever comes first. */
export interface Deadline {
  signal: AbortSignal;
  /** The attempt's limit in ms: the timeout, or what was left of the retry budget. */
  timeout: number;
  /** True when the retry budget, not the timeout, set the limit. */
  byBudget: boolean;
  budget: number;
  /** True when the timeout (not the caller) ended the attempt. */
  readonly expired: boolean;
  clear(): void;
}

function startDeadline(
  signal: AbortSignal | undefined,
  timeout: number,
  budget: number,
  budgetLeft: number,
): Deadline {
  const byBudget = budgetLeft < timeout;
  const limit = byBudget ? Math.max(1, Math.floor(budgetLeft)) : timeout;
  const timer = new AbortController();
  // Infinity means none (options are checked to stay within setTimeout's range otherwise).
  const id = limit > 0 && limit <= MAX_TIMER ? setTimeout(() => timer.abort(), limit) : undefined;
  return {
    signal: signal ? AbortSignal.any([signal, timer.signal]) : timer.signal,
    timeout: limit,
    byBudget,
    budget,
    get expired() {
      return timer.signal.aborted;
    },
    clear: () => clearTimeout(id),
  };
}

/** The bearer token for this attempt, bounded like the attempt itself by the caller's signal and the timeout. */
async function getToken(
  client: CoreClient,
  d: OperationDescriptor,
  signal: AbortSignal | undefined,
  deadline: Deadline,
  op: OperationRef,
): Promise<string | undefined> {
  if (!client.auth) return undefined;
  let token: string | undefined;
  try {
    token = await client.auth.getToken(d.scopes, deadline.signal);
  } catch (error) {
    if (isFormanceError(error)) throw error;
    if (signal?.aborted) {
      throw new FormanceAbortError(`${op.name}: aborted`, { cause: signal.reason, operation: op });
    }
    if (deadline.expired) {
      throw new FormanceTimeoutError(`${op.name}: no access token within ${limitText(deadline)}`, {
        operation: op,
      });
    }
    throw new FormanceAuthError(`${op.name}: could not get an access token: ${detailOf(error)}`, {
      cause: error,
      operation: op,
    });
  }
  if (token !== undefined && (typeof token !== "string" || headerIssues("authorization", token, "").length)) {
    // Never echo the value: it is a credential.
    throw new FormanceAuthError(
      `${op.name}: the access token is not a string that can be sent in a header (CR, LF, NUL or non-Latin-1 characters)`,
      { operation: op },
    );
  }
  return token;
}

function limitText(deadline: Deadline): string {
  return deadline.byBudget
    ? `${deadline.timeout} ms (what was left of the ${deadline.budget} ms retry budget)`
    : `${deadline.timeout} ms`;
}

function detailOf(error: unknown): string {
  return error instanceof Error
    ? error.cause instanceof Error
      ? error.cause.message
      : error.message
    : String(error);
}

export function classify(
  error: unknown,
  signal: AbortSignal | undefined,
  deadline: Deadline,
  op: OperationRef,
): FormanceError {
  if (isFormanceError(error)) return error;
  if (signal?.aborted) {
    return new FormanceAbortError(`${op.name}: aborted`, { cause: signal.reason, operation: op });
  }
  if (deadline.expired) {
    return new FormanceTimeoutError(`${op.name}: no response within ${limitText(deadline)}`, {
      cause: error,
      operation: op,
    });
  }
  return new FormanceConnectionError(`${op.name}: connection failed: ${detailOf(error)}`, {
    cause: error,
    operation: op,
  });
}
