// Bulk imports: transactions from an array or any (async) iterable, posted through `createBulk` in
// chunks, a few chunks in flight, results in input order, memory bounded by the chunks in flight.
//
// What the ledger does (ledger v2.4.12, `internal/api/bulking/` and `internal/controller/ledger/log_process.go`):
// - a bulk holds at most `--bulk-max-size` elements (100 by default; more is a 413);
// - with `continueOnFailure`, every element is tried and gets its own result; the answer is a 400
//   carrying all results as soon as one element failed (the others are committed);
// - each element's `ik` is an idempotency key of the ledger: an element whose key was already used
//   with the same input is not posted again, its first result is returned; with a different input it
//   fails with VALIDATION. So a chunk can be sent again safely, and a whole import re-run.
import {
  type CoreClient,
  FormanceAPIError,
  FormanceBadRequestError,
  FormanceConnectionError,
  FormanceError,
  FormanceTimeoutError,
  FormanceValidationError,
  type RequestOptions,
  type RetryOptions,
} from "@formance/sdk-core";
import * as v from "valibot";
import { V2BulkResponseSchema } from "../generated/schemas";
import type {
  V2BulkElementInput,
  V2BulkElementResult,
  V2PostTransactionInput,
  V2Transaction,
} from "../generated/types";
import { createBulk } from "../generated/v2/operations";

export interface ImportOptions {
  /** Transactions per `createBulk` call. Default 100, the ledger's default `--bulk-max-size`. */
  chunkSize?: number;
  /** `createBulk` calls in flight at once. Default 4. */
  concurrency?: number;
  /**
   * The idempotency key of a transaction, which makes a re-run safe. Default: its `reference`.
   * A transaction with neither is refused (FormanceValidationError) before its chunk is sent.
   */
  idempotencyKey?: (transaction: V2PostTransactionInput, index: number) => string | undefined;
  /** Let the ledger process a chunk's elements concurrently (its `parallel` flag). Default false. */
  parallel?: boolean;
  /** Called after each chunk's results have been yielded. */
  onProgress?: (progress: ImportProgress) => void;
  /**
   * Retries of a chunk that got no answer (connection error, timeout) or a 429 / 5xx: safe, as
   * every element carries its key. `false` turns them off. Default 5 retries, 500 ms doubling up to 8 s.
   */
  retry?: Pick<RetryOptions, "maxRetries" | "initialDelay" | "maxDelay"> | false;
  /** Per-call options of each `createBulk` call (signal, timeout, headers). */
  request?: Pick<RequestOptions, "signal" | "timeout" | "headers">;
}

export interface ImportProgress {
  /** Transactions whose result is known (and yielded). */
  done: number;
  succeeded: number;
  failed: number;
  /** `createBulk` calls made, retries included. */
  calls: number;
}

/** The result of one transaction of the source, in input order. */
export type ImportResult =
  | { index: number; key: string; ok: true; transaction: V2Transaction }
  | { index: number; key: string; ok: false; error: { code: string; description: string } };

/** Results as they come (`for await`), or all at once with `collect()` (small imports only). */
export interface TransactionImport extends AsyncIterable<ImportResult> {
  /** Runs the import and returns every result in input order. Holds them all in memory. */
  collect(): Promise<ImportResult[]>;
}

/**
 * A chunk could not be posted: no answer after the retries, or an answer that is not per-element
 * results. Results before `firstIndex` were all yielded; transactions from `firstIndex` on may or
 * may not be in the ledger. Run the import again with the same keys: those already posted are not
 * posted twice.
 */
export class ImportChunkError extends FormanceError {
  override name = "ImportChunkError";
  /** Index in the source of the chunk's first transaction. */
  readonly firstIndex: number;
  readonly count: number;
  /** `createBulk` calls made for this chunk. */
  readonly attempts: number;
  constructor(firstIndex: number, count: number, attempts: number, cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(
      `importTransactions: transactions ${firstIndex}..${firstIndex + count - 1} not posted after ${attempts} attempt${attempts === 1 ? "" : "s"}: ${why}`,
      { cause, operation: cause instanceof FormanceError ? cause.operation : undefined },
    );
    this.firstIndex = firstIndex;
    this.count = count;
    this.attempts = attempts;
  }
}

type Source = Iterable<V2PostTransactionInput> | AsyncIterable<V2PostTransactionInput>;

interface Chunk {
  first: number;
  keys: string[];
  elements: V2BulkElementInput[];
}

/**
 * Posts transactions through `createBulk`, `chunkSize` per call and `concurrency` calls in flight,
 * and yields one result per transaction in input order. Nothing is sent until the result is iterated
 * (or `collect()` is called); memory holds at most `concurrency + 1` chunks, so the source can be a
 * generator of millions. Each transaction carries an idempotency key (its `reference`, or
 * `options.idempotencyKey`), so an interrupted import can simply be run again.
 *
 * A transaction the ledger refuses (insufficient funds, a reused key with other data...) is an
 * `ok: false` result and the import goes on; a chunk that gets no usable answer throws an
 * `ImportChunkError` after the retries. `client` is a core client or anything holding one (`Ledger`,
 * `Formance`).
 */
export function importTransactions(
  client: CoreClient | { readonly client: CoreClient },
  ledger: string,
  source: Source,
  options: ImportOptions = {},
): TransactionImport {
  const core = "prefix" in client ? client : client.client;
  const chunkSize = options.chunkSize ?? 100;
  const concurrency = options.concurrency ?? 4;
  for (const [name, value] of [
    ["chunkSize", chunkSize],
    ["concurrency", concurrency],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new FormanceValidationError([
        { path: `options.${name}`, message: `Expected a positive integer, got ${String(value)}` },
      ]);
    }
  }
  const run = () => runImport(core, ledger, source, options, chunkSize, concurrency);
  return {
    [Symbol.asyncIterator]: () => run()[Symbol.asyncIterator](),
    async collect() {
      const all: ImportResult[] = [];
      for await (const result of run()) all.push(result);
      return all;
    },
  };
}

async function* chunksOf(source: Source, size: number, keyOf: ImportOptions["idempotencyKey"]) {
  let chunk: Chunk = { first: 0, keys: [], elements: [] };
  let index = 0;
  for await (const transaction of source) {
    const key = keyOf ? keyOf(transaction, index) : transaction?.reference;
    if (typeof key !== "string" || key === "") {
      throw new FormanceValidationError([
        {
          path: `source[${index}]`,
          message: `Expected a transaction with a reference, or an idempotencyKey option giving its key (got ${key === "" ? "an empty key" : typeof key})`,
        },
      ]);
    }
    chunk.keys.push(key);
    chunk.elements.push({ action: "CREATE_TRANSACTION", ik: key, data: transaction });
    index++;
    if (chunk.elements.length === size) {
      yield chunk;
      chunk = { first: index, keys: [], elements: [] };
    }
  }
  if (chunk.elements.length) yield chunk;
}

async function* runImport(
  client: CoreClient,
  ledger: string,
  source: Source,
  options: ImportOptions,
  chunkSize: number,
  concurrency: number,
): AsyncGenerator<ImportResult> {
  const progress: ImportProgress = { done: 0, succeeded: 0, failed: 0, calls: 0 };
  // Stops the calls still in flight when the import ends early (an error, or the caller's `break`).
  const stop = new AbortController();
  const signal = options.request?.signal
    ? AbortSignal.any([options.request.signal, stop.signal])
    : stop.signal;
  const inFlight: Promise<ImportResult[]>[] = [];
  const chunks = chunksOf(source, chunkSize, options.idempotencyKey);
  try {
    let exhausted = false;
    while (!exhausted || inFlight.length) {
      while (!exhausted && inFlight.length < concurrency) {
        const next = await chunks.next();
        if (next.done) exhausted = true;
        else {
          const pending = postChunk(client, ledger, next.value, options, signal, progress);
          pending.catch(() => {}); // awaited in order below; this only silences an early rejection
          inFlight.push(pending);
        }
      }
      const head = inFlight.shift();
      if (!head) break;
      for (const result of await head) {
        progress.done++;
        if (result.ok) progress.succeeded++;
        else progress.failed++;
        yield result;
      }
      options.onProgress?.({ ...progress });
    }
  } finally {
    stop.abort();
    await Promise.allSettled(inFlight);
    await chunks.return(undefined);
  }
}

const RETRYABLE = new Set([408, 429, 500, 502, 503, 504]);

function retryable(error: unknown): boolean {
  if (error instanceof FormanceConnectionError || error instanceof FormanceTimeoutError) return true;
  return error instanceof FormanceAPIError && RETRYABLE.has(error.status);
}

/**
 * Posts a chunk, retrying what is safe to retry. A retry can overlap an attempt the ledger is still
 * processing (after a client timeout, the server goes on): an element then races its own earlier
 * copy and may be refused as a reference CONFLICT instead of replayed (the transaction insert
 * checks the reference before the log checks the key, ledger `internal/controller/ledger/log_process.go`).
 * So after a retry, elements refused with CONFLICT are sent again, alone, until the earlier copy
 * is committed and they replay (or the retries are spent and the CONFLICT stands).
 */
async function postChunk(
  client: CoreClient,
  ledger: string,
  chunk: Chunk,
  options: ImportOptions,
  signal: AbortSignal,
  progress: ImportProgress,
): Promise<ImportResult[]> {
  const policy = options.retry === false ? { maxRetries: 0 } : (options.retry ?? {});
  const maxRetries = policy.maxRetries ?? 5;
  const initialDelay = policy.initialDelay ?? 500;
  const maxDelay = policy.maxDelay ?? 8_000;
  const final: ImportResult[] = new Array(chunk.elements.length);
  let pending = chunk.elements.map((_, i) => i);
  let retried = false;
  for (let attempt = 1; ; attempt++) {
    const sent: Chunk = {
      first: 0,
      keys: pending.map((i) => chunk.keys[i]!),
      elements: pending.map((i) => chunk.elements[i]!),
    };
    let results: readonly V2BulkElementResult[] | undefined;
    let failure: unknown;
    progress.calls++;
    try {
      const response = await createBulk(
        client,
        { ledger, continueOnFailure: true, parallel: options.parallel ?? false, body: sent.elements },
        // Retries are ours (per chunk, below): the core does not retry a POST without a key.
        { ...options.request, signal, retry: false },
      );
      results = response.data;
    } catch (error) {
      failure = error;
      // One element failed: the 400 carries every element's result.
      if (error instanceof FormanceBadRequestError) results = bulkResults(error.body);
      else if (error instanceof FormanceValidationError) throw renumber(error, chunk.first, pending);
    }
    if (results && results.length === sent.elements.length) {
      const again: number[] = [];
      toResults(sent, results).forEach((result, local) => {
        const i = pending[local]!;
        const raced = retried && !result.ok && result.error.code === "CONFLICT" && attempt <= maxRetries;
        if (raced) again.push(i);
        else final[i] = { ...result, index: chunk.first + i };
      });
      if (again.length === 0) return final;
      pending = again;
    } else {
      if (results) failure = new Error(`expected ${sent.elements.length} results, got ${results.length}`);
      if (signal.aborted || attempt > maxRetries || !retryable(failure)) {
        throw new ImportChunkError(chunk.first, chunk.elements.length, attempt, failure);
      }
      retried = true;
    }
    const base = Math.min(maxDelay, initialDelay * 2 ** (attempt - 1));
    await sleep(base / 2 + (Math.random() * base) / 2, signal);
  }
}

/** Waits, or resolves early when the import stops (the next attempt then fails as aborted). */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

function bulkResults(body: unknown): readonly V2BulkElementResult[] | undefined {
  const parsed = v.safeParse(V2BulkResponseSchema, body);
  return parsed.success ? parsed.output.data : undefined;
}

/**
 * One result per element, in input order. The ledger (v2.4.12) answers a bulk's results in the order
 * its worker finished them, which is not always the element order (`internal/api/bulking/handler_json.go`
 * sorts them by an element id that `bulker.go` never sets). A transaction result is put back at the
 * element with its reference; the results that carry none (refusals, transactions without a
 * reference) fill the remaining places in the order they came.
 */
function toResults(chunk: Chunk, results: readonly V2BulkElementResult[]): ImportResult[] {
  const byReference = new Map<string, number>();
  chunk.elements.forEach((element, i) => {
    const reference = (element.data as V2PostTransactionInput | undefined)?.reference;
    if (reference !== undefined) byReference.set(reference, byReference.has(reference) ? -1 : i);
  });
  const placed: (ImportResult | undefined)[] = new Array(results.length);
  const unplaced: V2BulkElementResult[] = [];
  for (const r of results) {
    const reference = "data" in r ? (r.data as V2Transaction | undefined)?.reference : undefined;
    const at = reference === undefined ? undefined : byReference.get(reference);
    if (at !== undefined && at >= 0 && !placed[at]) placed[at] = toResult(chunk, at, r);
    else unplaced.push(r);
  }
  let next = 0;
  return Array.from(placed, (p, i) => p ?? toResult(chunk, i, unplaced[next++]!));
}

function toResult(chunk: Chunk, i: number, r: V2BulkElementResult): ImportResult {
  const index = chunk.first + i;
  const key = chunk.keys[i]!;
  if (r.responseType === "ERROR" || !("data" in r) || !r.data) {
    const e = r as { errorCode?: string; errorDescription?: string };
    return {
      index,
      key,
      ok: false,
      error: { code: e.errorCode ?? "UNKNOWN", description: e.errorDescription ?? "" },
    };
  }
  return { index, key, ok: true, transaction: r.data as V2Transaction };
}

/** Input errors name the transaction by its index in the source, not in what was sent. */
function renumber(error: FormanceValidationError, first: number, sent: number[]): FormanceValidationError {
  return new FormanceValidationError(
    error.issues.map((issue) => ({
      ...issue,
      path: issue.path.replace(
        /^body\.(\d+)(?:\.data)?/,
        (_, i: string) => `source[${first + (sent[Number(i)] ?? Number(i))}]`,
      ),
    })),
    error.operation,
  );
}
