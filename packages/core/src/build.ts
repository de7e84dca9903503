// Turns a validated input into an HTTP request: URL with path and query, headers, body.
import type { CoreClient } from "./client";
import type { OperationDescriptor } from "./descriptor";
import { FormanceValidationError } from "./errors";
import { stringifyJSON } from "./json";
import type { RequestOptions } from "./options";
import type { Input } from "./request";

export interface HttpRequest {
  method: string;
  url: string;
  headers: Headers;
  body: () => BodyInit | undefined;
  /** False when the body is a one-shot stream: such a request is never retried. */
  replayable: boolean;
}

export function build(
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
