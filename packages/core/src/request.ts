// `request`: runs one operation descriptor. Validates the input, builds the HTTP request, sends it
// with retries and auth, then reads, unwraps and validates the result.
import * as v from "valibot";
import { APIPromise } from "./api-promise";
import type { CoreClient } from "./client";
import type { OperationDescriptor } from "./descriptor";
import {
  apiErrorFrom,
  FormanceAbortError,
  FormanceConnectionError,
  type FormanceError,
  FormanceResponseValidationError,
  FormanceTimeoutError,
  FormanceValidationError,
  isFormanceError,
  type OperationRef,
  type ValidationIssue,
} from "./errors";
import { parseJSON, parseNDJSON, stringifyJSON } from "./json";
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
import { type Schema, toIssues, undeclared } from "./schema";

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

/** Runs an operation and returns an awaitable result with `.withResponse()`. */
export function request<T>(
  client: CoreClient,
  descriptor: OperationDescriptor,
  input: Input | undefined,
  options: RequestOptions = {},
): APIPromise<T> {
  return new APIPromise(execute<T>(client, descriptor, input, options));
}

export async function execute<T>(
  client: CoreClient,
  d: OperationDescriptor,
  rawInput: Input | undefined,
  options: RequestOptions,
): Promise<Result<T>> {
  const op: OperationRef = { id: d.id, name: d.name };
  let input: Input = rawInput ?? {};
  if (d.input) {
    const parsed = v.safeParse(d.input, input);
    if (!parsed.success) throw new FormanceValidationError(toIssues(parsed.issues), op);
    input = parsed.output as Input;
  }
  const http = build(client, d, input, options);
  const { response, deadline } = await send(client, d, http, options, op);
  try {
    const data = (await read(client, d, response, http, op, options.signal)) as T;
    return { data, response };
  } catch (error) {
    // Reading the body can fail too: the caller aborted, the timeout ran out, the connection dropped.
    throw classify(error, options.signal, deadline, op);
  } finally {
    deadline.clear();
  }
}

interface HttpRequest {
  method: string;
  url: string;
  headers: Headers;
  body: () => BodyInit | undefined;
  /** False when the body is a one-shot stream: such a request is never retried. */
  replayable: boolean;
}

function build(
  client: CoreClient,
  d: OperationDescriptor,
  input: Input,
  options: RequestOptions,
): HttpRequest {
  const query = new URLSearchParams();
  const headers = new Headers(client.options.headers);
  if (!headers.has("user-agent")) headers.set("user-agent", client.userAgent);
  headers.set(
    "accept",
    d.kind === "ndjson" ? "application/x-ndjson, application/octet-stream" : "application/json",
  );
  const pathValues: Record<string, string> = {};

  for (const [field, location] of Object.entries(d.params ?? {})) {
    const value = input[field];
    if (value === undefined || value === null) continue;
    const [where, wire = field, style] = location.split(":") as [string, string?, string?];
    if (where === "path") pathValues[wire] = encodeURIComponent(scalar(value));
    else if (where === "header") headers.set(wire, scalar(value));
    else if (style === "deepObject" && typeof value === "object") {
      for (const [key, item] of Object.entries(value)) query.append(`${wire}[${key}]`, scalar(item));
    } else if (Array.isArray(value)) {
      for (const item of value) query.append(wire, scalar(item));
    } else query.append(wire, scalar(value));
  }

  let body: () => BodyInit | undefined = () => undefined;
  let replayable = true;
  const payload = input.body;
  if (payload !== undefined) {
    if (d.body === "query") {
      if (typeof payload !== "object" || payload === null || Object.keys(payload).length > 0) {
        query.set("query", stringifyJSON(payload));
      }
    } else if (d.body === "stream") {
      const streamed = toStreamBody(payload);
      replayable = !(streamed instanceof ReadableStream);
      headers.set("content-type", "application/octet-stream");
      body = () => streamed;
    } else {
      const text = stringifyJSON(payload);
      headers.set("content-type", "application/json");
      body = () => text;
    }
  }

  if (d.idempotencyHeader && !headers.has(d.idempotencyHeader)) {
    // One key per logical call, reused by every retry, so a retried POST cannot apply twice.
    headers.set(d.idempotencyHeader, options.idempotencyKey ?? globalThis.crypto.randomUUID());
  } else if (options.idempotencyKey) {
    headers.set("idempotency-key", options.idempotencyKey);
  }
  for (const [key, value] of Object.entries(options.headers ?? {})) headers.set(key, value);

  const path = d.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = pathValues[name];
    if (value === undefined)
      throw new FormanceValidationError([{ path: name, message: "Required path parameter" }]);
    return value;
  });
  const search = query.toString();
  return {
    method: d.method,
    url: `${client.serverURL}${client.prefix(d.service)}${path}${search ? `?${search}` : ""}`,
    headers,
    body,
    replayable,
  };
}

function scalar(value: unknown): string {
  if (typeof value === "string") return value;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "object" && value !== null) return stringifyJSON(value);
  return String(value);
}

function toStreamBody(payload: unknown): BodyInit {
  if (
    typeof payload === "string" ||
    payload instanceof Uint8Array ||
    payload instanceof ArrayBuffer ||
    payload instanceof Blob ||
    payload instanceof ReadableStream
  ) {
    return payload as BodyInit;
  }
  if (payload && typeof payload === "object" && Symbol.asyncIterator in payload) {
    // Objects (e.g. logs from an export) are written as newline-delimited JSON.
    const iterator = (payload as AsyncIterable<unknown>)[Symbol.asyncIterator]();
    const encoder = new TextEncoder();
    return new ReadableStream<Uint8Array>({
      async pull(controller) {
        const { value, done } = await iterator.next();
        if (done) controller.close();
        else
          controller.enqueue(encoder.encode(`${typeof value === "string" ? value : stringifyJSON(value)}\n`));
      },
      async cancel() {
        await iterator.return?.();
      },
    });
  }
  throw new FormanceValidationError([
    {
      path: "body",
      message: "Expected a string, Uint8Array, ArrayBuffer, Blob, ReadableStream or async iterable",
    },
  ]);
}

async function send(
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
interface Deadline {
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

function classify(
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

/** Streamed items: an abort by the caller mid-stream surfaces as a FormanceAbortError. */
async function* abortable(
  items: AsyncIterable<unknown>,
  signal: AbortSignal | undefined,
  op: OperationRef,
): AsyncGenerator<unknown> {
  try {
    yield* items;
  } catch (error) {
    if (signal?.aborted && !isFormanceError(error)) {
      throw new FormanceAbortError(`${op.name}: aborted`, { cause: signal.reason, operation: op });
    }
    throw error;
  }
}

async function read(
  client: CoreClient,
  d: OperationDescriptor,
  response: Response,
  http: HttpRequest,
  op: OperationRef,
  signal: AbortSignal | undefined,
): Promise<unknown> {
  const status = response.status;
  if (!((status >= 200 && status < 300) || d.success?.includes(status))) {
    const rawBody = await response.text();
    let body: unknown = rawBody || undefined;
    try {
      if (rawBody) body = parseJSON(rawBody);
    } catch {}
    throw apiErrorFrom({
      status,
      headers: response.headers,
      body,
      rawBody,
      operation: op,
      method: http.method,
      url: redactURL(http.url),
    });
  }
  switch (d.kind) {
    case "count": {
      await response.body?.cancel();
      const count = response.headers.get("count");
      if (count === null || !/^\d+$/.test(count.trim())) {
        throw new FormanceResponseValidationError(
          [{ path: "headers.Count", message: `Expected an integer, got ${count}` }],
          { rawBody: "", status, operation: op },
        );
      }
      return BigInt(count.trim());
    }
    case "void":
      await response.body?.cancel();
      return undefined;
    case "ndjson": {
      const items = response.body
        ? abortable(parseNDJSON(response.body), signal, op)
        : (async function* () {})();
      return d.output ? checkEach(client, d.output, items, status, op) : items;
    }
  }
  const rawBody = await response.text();
  if (!rawBody && d.kind !== "page") return undefined;
  let parsed: unknown;
  try {
    parsed = parseJSON(rawBody);
  } catch (error) {
    throw new FormanceResponseValidationError(
      [{ path: "", message: `Invalid JSON: ${(error as Error).message}` }],
      { rawBody, status, operation: op },
    );
  }
  const unwrapped = d.unwrap && isObject(parsed) ? parsed[d.unwrap] : parsed;
  if (d.kind === "page") {
    if (!isObject(unwrapped) && client.validate !== "off") {
      // Most likely not the endpoint we meant (a proxy page, a wrong pathPrefix): don't report "no items".
      throw new FormanceResponseValidationError(
        [
          {
            path: d.unwrap ?? "",
            message: "Expected the page envelope (an object with data, hasMore, next)",
          },
        ],
        { rawBody, status, operation: op },
      );
    }
    const cursor = isObject(unwrapped) ? unwrapped : {};
    const items = Array.isArray(cursor.data) ? cursor.data : [];
    const page: RawPage<unknown> = {
      data: d.output
        ? (check(client, v.array(d.output), items, rawBody, status, op, "data") as unknown[])
        : items,
      hasMore: cursor.hasMore === true,
      next: typeof cursor.next === "string" && cursor.next ? cursor.next : undefined,
      previous: typeof cursor.previous === "string" && cursor.previous ? cursor.previous : undefined,
      pageSize: typeof cursor.pageSize === "number" ? cursor.pageSize : undefined,
    };
    return page;
  }
  return d.output ? check(client, d.output, unwrapped, rawBody, status, op) : unwrapped;
}

/** `rawBody` may be a function: it is only needed for an error (NDJSON items are re-serialised then). */
function check(
  client: CoreClient,
  schema: Schema,
  value: unknown,
  rawBody: string | (() => string),
  status: number,
  op: OperationRef,
  prefix = "",
): unknown {
  if (client.validate === "off") return value;
  const fail = (issues: ValidationIssue[]) =>
    new FormanceResponseValidationError(issues, {
      rawBody: typeof rawBody === "string" ? rawBody : rawBody(),
      status,
      operation: op,
    });
  const result = v.safeParse(schema, value);
  if (!result.success) throw fail(toIssues(result.issues, prefix));
  if (client.validate === "strict") {
    const extra = undeclared(schema, value, prefix);
    if (extra.length) throw fail(extra);
  }
  return result.output;
}

/** Validates and converts each streamed item (bigints...) as it arrives; issue paths start with the item index. */
async function* checkEach(
  client: CoreClient,
  schema: Schema,
  items: AsyncIterable<unknown>,
  status: number,
  op: OperationRef,
): AsyncGenerator<unknown> {
  let index = 0;
  for await (const item of items) {
    yield check(client, schema, item, () => stringifyJSON(item), status, op, String(index++));
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
