// Sends an HTTP request: attempts with a deadline each, the bearer token, logging, 401 refresh and retries.

import type { HttpRequest } from "./build";
import type { CoreClient } from "./client";
import type { OperationDescriptor } from "./descriptor";
import {
  FormanceAbortError,
  FormanceConnectionError,
  type FormanceError,
  FormanceTimeoutError,
  isFormanceError,
  type OperationRef,
} from "./errors";
import { logAttempt, redactHeaders, redactURL } from "./logger";
import type { RequestOptions } from "./options";
import {
  backoffDelay,
  methodIsRetryable,
  parseRetryAfter,
  RETRYABLE_STATUSES,
  resolveRetry,
  sleep,
} from "./retry";

export async function send(
  client: CoreClient,
  d: OperationDescriptor,
  http: HttpRequest,
  options: RequestOptions,
  op: OperationRef,
): Promise<{ response: Response; deadline: Deadline }> {
  const policy = resolveRetry(client.options.retry, options.retry);
  const hasKey = d.idempotencyHeader
    ? http.headers.has(d.idempotencyHeader)
    : http.headers.has("idempotency-key");
  const canRetry = http.replayable && methodIsRetryable(http.method, hasKey);
  const timeout = options.timeout ?? client.options.timeout ?? 60_000;
  const started = Date.now();
  let authRetried = false;

  for (let attempt = 1; ; attempt++) {
    // One timer per attempt covers the token, the response and its body (cleared once the body is read).
    const deadline = startDeadline(options.signal, timeout);
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

      if (response?.status === 401 && token && client.auth && !authRetried && http.replayable) {
        // The token may have been revoked or expired early: fetch a fresh one and try once more.
        authRetried = true;
        client.auth.invalidate(d.scopes, token);
        await response.body?.cancel();
        attempt--;
        continue;
      }

      const retryable = failure ? true : RETRYABLE_STATUSES.has(response!.status);
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
        handedOver = true;
        return { response: response!, deadline };
      }
      await response?.body?.cancel();
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

const MAX_TIMER = 2_147_483_647;

/** The end of one attempt: the caller's signal or the timeout, whichever comes first. */
export interface Deadline {
  signal: AbortSignal;
  timeout: number;
  /** True when the timeout (not the caller) ended the attempt. */
  readonly expired: boolean;
  clear(): void;
}

function startDeadline(signal: AbortSignal | undefined, timeout: number): Deadline {
  const timer = new AbortController();
  // Timeouts beyond setTimeout's range (and Infinity) mean none.
  const id = timeout > 0 && timeout <= MAX_TIMER ? setTimeout(() => timer.abort(), timeout) : undefined;
  return {
    signal: signal ? AbortSignal.any([signal, timer.signal]) : timer.signal,
    timeout,
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
  try {
    return await client.auth.getToken(d.scopes, deadline.signal);
  } catch (error) {
    if (isFormanceError(error)) throw error;
    if (signal?.aborted) {
      throw new FormanceAbortError(`${op.name}: aborted`, { cause: signal.reason, operation: op });
    }
    if (deadline.expired) {
      throw new FormanceTimeoutError(`${op.name}: no access token within ${deadline.timeout} ms`, {
        operation: op,
      });
    }
    throw error;
  }
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
    return new FormanceTimeoutError(`${op.name}: no response within ${deadline.timeout} ms`, {
      cause: error,
      operation: op,
    });
  }
  const detail =
    error instanceof Error
      ? error.cause instanceof Error
        ? error.cause.message
        : error.message
      : String(error);
  return new FormanceConnectionError(`${op.name}: connection failed: ${detail}`, {
    cause: error,
    operation: op,
  });
}
