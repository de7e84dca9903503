// Newline-delimited JSON from a byte stream: linear in the input (each byte is scanned once), every
// line bounded in size, an idle timeout between chunks, and only FormanceErrors out.
import { concat, tooLarge } from "./body";
import {
  FormanceAbortError,
  FormanceConnectionError,
  FormanceIncompleteResponseError,
  FormanceResponseValidationError,
  FormanceTimeoutError,
  isFormanceError,
  type OperationRef,
} from "./errors";
import { parseJSON } from "./json";
import { DEFAULT_MAX_RESPONSE_SIZE, MAX_TIMER } from "./options";

export interface NDJSONOptions {
  /** Largest line in bytes (default 64 MiB): a longer one fails with `FormanceResponseTooLargeError`. */
  maxLineSize?: number;
  /** Longest wait for the next chunk, in ms (default none): then `FormanceTimeoutError`. */
  idleTimeout?: number;
  /** Stops the stream with `FormanceAbortError` when it aborts. */
  signal?: AbortSignal;
  /** The response the stream is the body of, for error details. */
  response?: { status: number; headers: Headers };
  operation?: OperationRef;
}

const IDLE = Symbol("idle");
const BLANK = Symbol("blank");
const LF = 0x0a;

/**
 * Parses newline-delimited JSON losslessly (big integers become bigints), yielding each value as
 * soon as its line is complete. Blank lines are skipped; CRLF is accepted.
 */
export async function* parseNDJSON(
  stream: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>,
  options: NDJSONOptions = {},
): AsyncGenerator<unknown> {
  const limit = options.maxLineSize ?? DEFAULT_MAX_RESPONSE_SIZE;
  const op = options.operation;
  const status = options.response?.status ?? 200;
  const reader = "getReader" in stream ? stream.getReader() : undefined;
  const iterator = reader ? undefined : (stream as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
  const read = () => (reader ? reader.read() : iterator!.next());
  const decoder = new TextDecoder();
  let parts: Uint8Array[] = [];
  let pending = 0;
  let line = 0;

  const parseLine = (bytes: Uint8Array): unknown => {
    line++;
    const text = decoder.decode(bytes).trim();
    if (!text) return BLANK;
    try {
      return parseJSON(text);
    } catch (error) {
      throw new FormanceResponseValidationError(
        [{ path: `line ${line}`, message: `Invalid JSON: ${(error as Error).message}` }],
        { rawBody: text, status, operation: op },
      );
    }
  };

  try {
    for (;;) {
      const { value, done } = await within(read, options.idleTimeout);
      if (done) break;
      if (!value?.byteLength) continue;
      let start = 0;
      for (let lf = value.indexOf(LF); lf !== -1; lf = value.indexOf(LF, start)) {
        const piece = value.subarray(start, lf);
        start = lf + 1;
        const size = pending + piece.byteLength;
        if (size > limit) throw tooLarge(limit, status, op, `NDJSON line ${line + 1}`);
        parts.push(piece);
        const bytes = concat(parts, size);
        parts = [];
        pending = 0;
        const item = parseLine(bytes);
        if (item !== BLANK) yield item;
      }
      if (start < value.byteLength) {
        pending += value.byteLength - start;
        if (pending > limit) throw tooLarge(limit, status, op, `NDJSON line ${line + 1}`);
        parts.push(value.subarray(start));
      }
    }
    if (pending) {
      const item = parseLine(concat(parts, pending));
      if (item !== BLANK) yield item;
    }
  } catch (error) {
    throw streamError(error, options, line);
  } finally {
    if (reader) await reader.cancel().catch(() => {});
    else await iterator!.return?.();
  }
}

/** One read, bounded by the idle timeout. */
function within<T>(read: () => Promise<T>, ms: number | undefined): Promise<T> {
  if (ms === undefined || !(ms > 0 && ms <= MAX_TIMER)) return read();
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(IDLE), ms);
    read().then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

function streamError(error: unknown, options: NDJSONOptions, line: number): unknown {
  const op = options.operation;
  const what = op ? `${op.name}: ` : "";
  if (isFormanceError(error)) return error;
  if (options.signal?.aborted) {
    return new FormanceAbortError(`${what}aborted`, { cause: options.signal.reason, operation: op });
  }
  if (error === IDLE) {
    return new FormanceTimeoutError(
      `${what}the NDJSON stream sent nothing for ${options.idleTimeout} ms (after line ${line})`,
      { operation: op },
    );
  }
  const detail =
    error instanceof Error
      ? error.cause instanceof Error
        ? error.cause.message
        : error.message
      : String(error);
  const message = `${what}the NDJSON stream broke after line ${line}: ${detail}`;
  return options.response
    ? new FormanceIncompleteResponseError(message, { ...options.response, cause: error, operation: op })
    : new FormanceConnectionError(message, { cause: error, operation: op });
}
