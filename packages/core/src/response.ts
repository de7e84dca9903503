// Reads a response: typed errors for failures, then parsing, unwrapping and validation by kind.
import * as v from "valibot";
import type { CallContext, CoreClient, HttpRequest } from "./context";
import { isSuccess, type RawPage } from "./descriptor";
import {
  apiErrorFrom,
  FormanceResponseValidationError,
  type OperationRef,
  type ValidationIssue,
} from "./errors";
import { parseJSON, stringifyJSON } from "./json";
import { redactURL } from "./logger";
import { parseNDJSON } from "./ndjson";
import { DEFAULT_MAX_RESPONSE_SIZE, DEFAULT_TIMEOUT } from "./options";
import { type Schema, toIssues, undeclared } from "./schema";

/** `text` is the body, already read (with the size limit) by `send`, for every result built from it. */
export async function read(
  { client, d, op, options }: CallContext,
  response: Response,
  text: string | undefined,
  http: HttpRequest,
): Promise<unknown> {
  const status = response.status;
  if (!isSuccess(d, status)) {
    const rawBody = text ?? "";
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
        ? parseNDJSON(response.body, {
            maxLineSize: client.options.maxResponseSize ?? DEFAULT_MAX_RESPONSE_SIZE,
            idleTimeout: options.timeout ?? client.options.timeout ?? DEFAULT_TIMEOUT,
            signal: options.signal,
            response: { status, headers: response.headers },
            operation: op,
          })
        : (async function* () {})();
      return d.output ? checkEach(client, d.output, items, status, op) : items;
    }
  }
  const rawBody = text ?? "";
  if (!rawBody.trim()) {
    // 204, 205 and 304 carry no body by definition, and a status the operation declares (e.g. 304
    // for a conditional GET) means "nothing new". Any other empty success is not the promised result.
    const declaredEmpty = status === 204 || status === 205 || status === 304 || d.success?.includes(status);
    if (declaredEmpty && d.kind !== "page") return undefined;
    throw new FormanceResponseValidationError(
      [{ path: "", message: `Expected a JSON ${d.kind === "page" ? "page" : "body"}, got an empty body` }],
      { rawBody, status, operation: op },
    );
  }
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
