// Reads a response: the typed error for a failure, else the body parsed, unwrapped and validated.
import * as v from "valibot";
import type { CallContext, CoreClient, HttpRequest } from "./context";
import { isSuccess } from "./descriptor";
import {
  apiErrorFrom,
  FormanceResponseValidationError,
  type OperationRef,
  type ValidationIssue,
} from "./errors";
import { parseJSON } from "./json";
import { redactURL } from "./logger";
import { type Schema, toIssues, undeclared } from "./schema";

/** Turns an operation's answer into its result; `execute` runs one per operation kind. */
export type Reader = (
  context: CallContext,
  response: Response,
  text: string | undefined,
  http: HttpRequest,
) => unknown;

/**
 * The reader of plain operations: a JSON result (unwrapped and validated), a `count` from the Count
 * header, or nothing (`void`). Pages and NDJSON streams have their own (pagination.ts, stream.ts).
 * `text` is the body, already read (with the size limit) by `send`, for every result built from it.
 */
export async function read(
  context: CallContext,
  response: Response,
  text: string | undefined,
  http: HttpRequest,
): Promise<unknown> {
  const { client, d, op } = context;
  throwIfFailed(context, response, text, http);
  if (d.kind === "count") {
    await response.body?.cancel();
    const count = response.headers.get("count");
    if (count === null || !/^\d+$/.test(count.trim())) {
      throw new FormanceResponseValidationError(
        [{ path: "headers.Count", message: `Expected an integer, got ${count}` }],
        { rawBody: "", status: response.status, operation: op },
      );
    }
    return BigInt(count.trim());
  }
  if (d.kind === "void") {
    await response.body?.cancel();
    return undefined;
  }
  const body = parseBody(context, response, text, "body");
  if (!body) return undefined;
  return d.output ? check(client, d.output, body.value, body.rawBody, response.status, op) : body.value;
}

/** Throws the typed API error when the status is not the operation's success. */
export function throwIfFailed(
  { d, op }: CallContext,
  response: Response,
  text: string | undefined,
  http: HttpRequest,
): void {
  const status = response.status;
  if (isSuccess(d, status)) return;
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

/**
 * Parses a JSON body and unwraps its envelope. Undefined for a body that is empty by definition
 * (204, 205, 304, or a status the operation declares) when `what` may be empty (not a page).
 */
export function parseBody(
  { d, op }: CallContext,
  response: Response,
  text: string | undefined,
  what: "body" | "page",
): { value: unknown; rawBody: string } | undefined {
  const status = response.status;
  const rawBody = text ?? "";
  if (!rawBody.trim()) {
    // 204, 205 and 304 carry no body by definition, and a status the operation declares (e.g. 304
    // for a conditional GET) means "nothing new". Any other empty success is not the promised result.
    const declaredEmpty = status === 204 || status === 205 || status === 304 || d.success?.includes(status);
    if (declaredEmpty && what === "body") return undefined;
    throw new FormanceResponseValidationError(
      [{ path: "", message: `Expected a JSON ${what}, got an empty body` }],
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
  return { value: d.unwrap && isObject(parsed) ? parsed[d.unwrap] : parsed, rawBody };
}

/** Validates (unless `validate` is off) and converts a result. `rawBody` may be a function: it is only needed for an error (NDJSON items are re-serialised then). */
export function check(
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

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
