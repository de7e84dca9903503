// The retry decision on its own (retry.ts `retryDelay`): a table of failures, no server.

import { describe, expect, it } from "vitest";
import { methodIsRetryable, resolveRetry, retryDelay } from "../src/retry";

const policy = resolveRetry({
  maxRetries: 2,
  initialDelay: 500,
  maxDelay: 8_000,
  maxRetryAfter: 60_000,
  budget: 120_000,
});
const NOW = 1_000_000_000_000;

interface Row {
  why: string;
  method: string;
  /** The answer's status, or "none" when the attempt got no answer (connection, cut body, time limit). */
  failure: number | "none";
  keyed: boolean;
  /** Retries already made. */
  retries: number;
  retryAfter?: string;
  /** Budget left, in ms. */
  left: number;
  /** undefined: no retry; else the bounds of the wait, in ms. */
  wait: [number, number] | undefined;
}

const rows: Row[] = [
  {
    why: "GET, 503: backoff",
    method: "GET",
    failure: 503,
    keyed: false,
    retries: 0,
    left: 120_000,
    wait: [250, 500],
  },
  {
    why: "second retry doubles",
    method: "GET",
    failure: 500,
    keyed: false,
    retries: 1,
    left: 120_000,
    wait: [500, 1_000],
  },
  {
    why: "retries used up",
    method: "GET",
    failure: 503,
    keyed: false,
    retries: 2,
    left: 120_000,
    wait: undefined,
  },
  {
    why: "400 is final",
    method: "GET",
    failure: 400,
    keyed: false,
    retries: 0,
    left: 120_000,
    wait: undefined,
  },
  {
    why: "404 is final",
    method: "DELETE",
    failure: 404,
    keyed: false,
    retries: 0,
    left: 120_000,
    wait: undefined,
  },
  {
    why: "409 is final",
    method: "POST",
    failure: 409,
    keyed: true,
    retries: 0,
    left: 120_000,
    wait: undefined,
  },
  {
    why: "408 is retried",
    method: "PUT",
    failure: 408,
    keyed: false,
    retries: 0,
    left: 120_000,
    wait: [250, 500],
  },
  {
    why: "POST without a key: never",
    method: "POST",
    failure: 503,
    keyed: false,
    retries: 0,
    left: 120_000,
    wait: undefined,
  },
  {
    why: "POST with a key",
    method: "POST",
    failure: 503,
    keyed: true,
    retries: 0,
    left: 120_000,
    wait: [250, 500],
  },
  {
    why: "PATCH without a key, no answer",
    method: "PATCH",
    failure: "none",
    keyed: false,
    retries: 0,
    left: 120_000,
    wait: undefined,
  },
  {
    why: "GET, no answer",
    method: "GET",
    failure: "none",
    keyed: false,
    retries: 0,
    left: 120_000,
    wait: [250, 500],
  },
  {
    why: "POST with a key, no answer",
    method: "POST",
    failure: "none",
    keyed: true,
    retries: 1,
    left: 120_000,
    wait: [500, 1_000],
  },
  {
    why: "429 with Retry-After seconds",
    method: "GET",
    failure: 429,
    keyed: false,
    retries: 0,
    retryAfter: "3",
    left: 120_000,
    wait: [3_000, 3_000],
  },
  {
    why: "Retry-After as an HTTP date",
    method: "GET",
    failure: 503,
    keyed: false,
    retries: 0,
    retryAfter: new Date(NOW + 7_000).toUTCString(),
    left: 120_000,
    wait: [7_000, 7_000],
  },
  {
    why: "Retry-After 0",
    method: "GET",
    failure: 429,
    keyed: false,
    retries: 0,
    retryAfter: "0",
    left: 120_000,
    wait: [0, 0],
  },
  {
    why: "Retry-After beyond maxRetryAfter",
    method: "GET",
    failure: 429,
    keyed: false,
    retries: 0,
    retryAfter: "61",
    left: 120_000,
    wait: undefined,
  },
  {
    why: "unreadable Retry-After: backoff",
    method: "GET",
    failure: 503,
    keyed: false,
    retries: 0,
    retryAfter: "soon",
    left: 120_000,
    wait: [250, 500],
  },
  {
    why: "Retry-After ignored without an answer",
    method: "GET",
    failure: "none",
    keyed: false,
    retries: 0,
    left: 120_000,
    wait: [250, 500],
  },
  {
    why: "Retry-After past the budget",
    method: "GET",
    failure: 503,
    keyed: false,
    retries: 0,
    retryAfter: "10",
    left: 10_000,
    wait: undefined,
  },
  {
    why: "Retry-After within the budget",
    method: "GET",
    failure: 503,
    keyed: false,
    retries: 0,
    retryAfter: "10",
    left: 10_001,
    wait: [10_000, 10_000],
  },
  {
    why: "backoff past the budget",
    method: "GET",
    failure: 503,
    keyed: false,
    retries: 0,
    left: 250,
    wait: undefined,
  },
  { why: "budget spent", method: "GET", failure: "none", keyed: false, retries: 0, left: 0, wait: undefined },
];

describe("retryDelay", () => {
  it.each(rows)("$why", (row) => {
    const headers = new Headers(row.retryAfter === undefined ? {} : { "retry-after": row.retryAfter });
    const answer = row.failure === "none" ? undefined : { status: row.failure, headers };
    const state = {
      policy,
      canRetry: methodIsRetryable(row.method, row.keyed),
      retries: row.retries,
      started: NOW - (policy.budget - row.left),
    };
    // Backoff is random: many draws, all within the bounds.
    for (let i = 0; i < 50; i++) {
      const delay = retryDelay(state, answer, NOW);
      if (row.wait === undefined) expect(delay).toBeUndefined();
      else {
        expect(delay).toBeGreaterThanOrEqual(row.wait[0]);
        expect(delay).toBeLessThanOrEqual(row.wait[1]);
      }
    }
  });

  it("never retries a request that cannot be replayed (a one-shot stream body)", () => {
    const state = { policy, canRetry: false, retries: 0, started: NOW };
    expect(retryDelay(state, undefined, NOW)).toBeUndefined();
    expect(retryDelay(state, { status: 503, headers: new Headers() }, NOW)).toBeUndefined();
  });

  it("caps the backoff at maxDelay", () => {
    const many = resolveRetry({ maxRetries: 10 });
    const state = { policy: many, canRetry: true, retries: 8, started: NOW };
    const delay = retryDelay(state, undefined, NOW)!;
    expect(delay).toBeGreaterThanOrEqual(4_000);
    expect(delay).toBeLessThanOrEqual(8_000);
  });
});
