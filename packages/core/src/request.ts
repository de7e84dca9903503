// `request`: runs one operation descriptor. Validates the input, builds the HTTP request (build.ts),
// sends it with retries and auth (send.ts), then reads, unwraps and validates the result with the
// operation kind's reader (response.ts; pages: pagination.ts; NDJSON streams: stream.ts).
import * as v from "valibot";
import { APIPromise } from "./api-promise";
import { build } from "./build";
import type { CallContext, CoreClient } from "./context";
import type { Input, OperationDescriptor, Result } from "./descriptor";
import { FormanceValidationError, type OperationRef } from "./errors";
import { checkRequestOptions, type RequestOptions } from "./options";
import { type Reader, read } from "./response";
import { toIssues } from "./schema";
import { send, typed } from "./send";

/** Runs an operation and returns an awaitable result with `.withResponse()`. */
export function request<T>(
  client: CoreClient,
  descriptor: OperationDescriptor,
  input: Input | undefined,
  options: RequestOptions = {},
  reader: Reader = read,
): APIPromise<T> {
  return new APIPromise(execute<T>(client, descriptor, input, options, reader));
}

export async function execute<T>(
  client: CoreClient,
  d: OperationDescriptor,
  rawInput: Input | undefined,
  options: RequestOptions,
  reader: Reader,
): Promise<Result<T>> {
  const op: OperationRef = { id: d.id, name: d.name };
  checkRequestOptions(options, op);
  let input: Input = rawInput ?? {};
  if (d.input) {
    const parsed = v.safeParse(d.input, input);
    if (!parsed.success) throw new FormanceValidationError(toIssues(parsed.issues), op);
    input = parsed.output as Input;
  }
  const context: CallContext = { client, d, op, options };
  const http = build(context, input);
  const { response, call, text } = await send(context, http);
  try {
    const data = (await reader(context, response, text, http)) as T;
    return { data, response };
  } catch (error) {
    // Reading the result can fail too: the caller aborted, the connection dropped.
    throw typed(call, error, false, true);
  }
}
