// Shared by every e2e file: the ledger under test (chosen once by global-setup.ts), a client for it,
// unique names, and assertions whose failure messages name the operation and the server's answer.
import {
  type ClientOptions,
  FormanceAPIError,
  isFormanceError,
  Ledger,
  stringifyJSON,
  type V2BulkElementInput,
} from "@formance/ledger";
import { describe, expect, inject } from "vitest";
import { recordLedgerResponses } from "./coverage";

export const LEDGER_URL: string = inject("formanceLedgerURL") ?? "";
export const SKIP_REASON: string = inject("formanceE2ESkipReason") ?? "";
recordLedgerResponses();

/** A `describe` that runs against the ledger, or is skipped (saying why) when there is none. */
export function describeLedger(name: string, body: () => void): void {
  if (LEDGER_URL) describe(name, body);
  else describe.skip(`${name} (skipped: no ledger: ${SKIP_REASON || "unknown reason"})`, body);
}

/**
 * A standalone ledger client talking to the ledger directly (no gateway, so no path prefix), on the
 * default fetch. The responses are recorded through the global fetch (lib/coverage.ts), so the run can
 * say which ledger operations it exercised.
 */
export function client(options: ClientOptions = {}): Ledger {
  return new Ledger({ serverURL: LEDGER_URL, pathPrefix: "", timeout: 120_000, ...options });
}

// Ledger names must match ^[0-9a-zA-Z_-]{1,63}$ and be unique across runs against a long-lived ledger.
const RUN = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
let counter = 0;

export function uniqueName(tag: string): string {
  return `e2e-${tag}-${RUN}-${++counter}`.slice(0, 63);
}

/** The run id, shared by every ledger this test file creates (handy in metadata filters). */
export const RUN_ID = RUN;

/** Creates a ledger with a unique name and returns the name. */
export async function newLedger(
  ledger: Ledger,
  tag: string,
  body: { bucket?: string; metadata?: Record<string, string> } = {},
): Promise<string> {
  const name = uniqueName(tag);
  await ledger.v2.createLedger({
    ledger: name,
    body: { ...body, metadata: { e2e: RUN_ID, ...body.metadata } },
  });
  return name;
}

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

export interface ExpectedError {
  status: number;
  /** The expected `errorCode`; several when the server version decides between them. */
  code?: string | readonly string[];
  /** The expected error class (e.g. FormanceConflictError). */
  type?: abstract new (
    ...args: never[]
  ) => FormanceAPIError;
}

/**
 * Awaits a call that must fail with an API error, checks status / code / class, and returns the error.
 * The failure message names the operation and quotes what the server said.
 */
export async function expectAPIError(
  call: PromiseLike<unknown>,
  want: ExpectedError,
): Promise<FormanceAPIError> {
  const wanted = `${want.status}${want.code ? ` ${[want.code].flat().join(" or ")}` : ""}`;
  let result: unknown;
  try {
    result = await call;
  } catch (error) {
    if (!(error instanceof FormanceAPIError)) {
      const what = isFormanceError(error) ? `${error.name}: ${error.message}` : String(error);
      throw new Error(`expected a FormanceAPIError ${wanted}, got ${what}`, { cause: error });
    }
    const context = `${error.message} (body: ${describeBody(error.body)})`;
    expect(error.status, context).toBe(want.status);
    if (want.code !== undefined) expect([want.code].flat(), context).toContain(error.code);
    if (want.type) expect(error, context).toBeInstanceOf(want.type);
    return error;
  }
  throw new Error(
    `expected a FormanceAPIError ${wanted}, but the call succeeded with ${describeBody(result)}`,
  );
}

function describeBody(body: unknown): string {
  if (body === undefined) return "empty";
  try {
    const text = typeof body === "string" ? body : stringifyJSON(body);
    return text.length > 500 ? `${text.slice(0, 500)}...` : text;
  } catch {
    return String(body);
  }
}

/** A bulk element creating one transaction of `amount` USD/2 from `source` to `destination`. */
export function createTx(amount: bigint, source = "world", destination = "users:bulk"): V2BulkElementInput {
  return {
    action: "CREATE_TRANSACTION",
    data: { postings: [{ amount, asset: "USD/2", source, destination }] },
  };
}

/** The per-element results a failed bulk call carries in its 400 body (`{ data: [...] }`). */
export function bulkResults(error: FormanceAPIError): Array<Record<string, unknown>> {
  const data = (error.body as { data?: unknown } | undefined)?.data;
  if (!Array.isArray(data)) {
    throw new Error(
      `${error.message}: expected the bulk results in body.data, got ${describeBody(error.body)}`,
    );
  }
  return data as Array<Record<string, unknown>>;
}
