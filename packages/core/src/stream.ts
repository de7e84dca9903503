// NDJSON streams. Out: operations whose result is an async iterable of items (the ledger's log
// export), each parsed losslessly and validated as it arrives (the parser itself is ndjson.ts).
// In: `streamBody`, the input schema of a streamed request body (the ledger's log import).
import * as v from "valibot";
import type { CallContext, CoreClient, HttpRequest } from "./context";
import type { Input, OperationDescriptor } from "./descriptor";
import type { OperationRef } from "./errors";
import { stringifyJSON } from "./json";
import { parseNDJSON } from "./ndjson";
import { DEFAULT_MAX_RESPONSE_SIZE, DEFAULT_TIMEOUT, type RequestOptions } from "./options";
import { request } from "./request";
import { check, throwIfFailed } from "./response";
import type { Schema } from "./schema";

/** A streamed request body as it is sent: NDJSON text or bytes. */
export type StreamBody = ReadableStream<Uint8Array> | Blob | Uint8Array | ArrayBuffer | string;
/** What a streamed request body may be given as: NDJSON text or bytes, or an async iterable of items. */
export type StreamBodyInput = StreamBody | AsyncIterable<unknown>;

function isStreamBody(payload: unknown): payload is StreamBodyInput {
  return (
    typeof payload === "string" ||
    payload instanceof Uint8Array ||
    payload instanceof ArrayBuffer ||
    payload instanceof Blob ||
    payload instanceof ReadableStream ||
    (typeof payload === "object" && payload !== null && Symbol.asyncIterator in payload)
  );
}

/**
 * The input schema of a streamed body: bytes and text are sent as they are; an async iterable
 * (e.g. logs from an export) is written as newline-delimited JSON, one item a line, as it is read.
 */
export const streamBody: v.GenericSchema<StreamBodyInput, StreamBody> = /* @__PURE__ */ v.pipe(
  /* @__PURE__ */ v.custom<StreamBodyInput>(
    isStreamBody,
    "Expected a string, Uint8Array, ArrayBuffer, Blob, ReadableStream or async iterable",
  ),
  /* @__PURE__ */ v.transform((payload): StreamBody => {
    if (payload instanceof ReadableStream || !(Symbol.asyncIterator in Object(payload))) {
      return payload as StreamBody;
    }
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
  }),
);

/** A standalone operation whose result is a stream of NDJSON items (`AsyncIterable`). */
/* @__NO_SIDE_EFFECTS__ */
export function streamOperation<F>(descriptor: OperationDescriptor): F {
  const run = (client: CoreClient, input?: Input, options?: RequestOptions) =>
    request(client, descriptor, input, options, readStream);
  return Object.assign(run, { descriptor }) as F;
}

/** The reader of a stream: the body is not read by `send`; items are parsed as they arrive. */
function readStream(
  context: CallContext,
  response: Response,
  text: string | undefined,
  http: HttpRequest,
): AsyncIterable<unknown> {
  const { client, d, op, options } = context;
  throwIfFailed(context, response, text, http);
  const status = response.status;
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
