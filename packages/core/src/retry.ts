// The one retry policy of the SDK: which failures are retried, and how long to wait.

export interface RetryOptions {
  /** Retries after the first attempt. Default 2. */
  maxRetries?: number;
  /** First backoff delay in ms. Default 500. */
  initialDelay?: number;
  /** Longest backoff delay in ms. Default 8 000. */
  maxDelay?: number;
  /** Longest `Retry-After` honoured, in ms; a longer one stops the retries. Default 60 000. */
  maxRetryAfter?: number;
  /** Total time budget for all attempts and waits, in ms. Default 120 000. */
  budget?: number;
}

export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);
const SAFE_METHODS = new Set(["GET", "HEAD", "PUT", "DELETE", "OPTIONS"]);

export interface ResolvedRetry {
  maxRetries: number;
  initialDelay: number;
  maxDelay: number;
  maxRetryAfter: number;
  budget: number;
}

export function resolveRetry(...layers: (RetryOptions | false | undefined)[]): ResolvedRetry {
  let merged: ResolvedRetry = {
    maxRetries: 2,
    initialDelay: 500,
    maxDelay: 8_000,
    maxRetryAfter: 60_000,
    budget: 120_000,
  };
  for (const layer of layers) {
    if (layer === false) merged = { ...merged, maxRetries: 0 };
    else if (layer) merged = { ...merged, ...stripUndefined(layer) };
  }
  return merged;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** POST and PATCH are retried only when an Idempotency-Key makes the retry safe. */
export function methodIsRetryable(method: string, hasIdempotencyKey: boolean): boolean {
  return SAFE_METHODS.has(method) || hasIdempotencyKey;
}

/** Exponential backoff with full jitter: a random delay in [base/2, base]. */
export function backoffDelay(
  retry: number,
  policy: ResolvedRetry,
  random: () => number = Math.random,
): number {
  const base = Math.min(policy.maxDelay, policy.initialDelay * 2 ** retry);
  return Math.round(base / 2 + (random() * base) / 2);
}

/** `Retry-After` in ms (delta-seconds or HTTP date), or undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  // Every HTTP date form starts with the day name ("Wed, 21 Oct 2015 07:28:00 GMT"). Anything else
  // (`-1`, `soon`, a bare year) is invalid and treated as absent, though Date.parse may accept it.
  if (!/^[A-Za-z]{3,9},? /.test(trimmed)) return undefined;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Where a call stands when an attempt fails: what the retry decision needs of it. */
export interface RetryState {
  policy: ResolvedRetry;
  /** Whether the request may be sent again: a replayable body, and a safe method or an idempotency key. */
  canRetry: boolean;
  /** Retries already made. */
  retries: number;
  /** When the call started (ms since the epoch): the budget runs from there. */
  started: number;
}

/**
 * The retry decision, pure: the wait in ms before the next attempt, or undefined for none.
 * `answer` is the server's answer that failed, or undefined when the attempt got none (the
 * connection failed, the body was cut short, the time limit passed). The caller's abort and the
 * SDK's own errors (a redirect, a body over the size limit) never reach it: they are final.
 */
export function retryDelay(
  call: RetryState,
  answer: { status: number; headers: Headers } | undefined,
  now: number = Date.now(),
): number | undefined {
  const { policy } = call;
  if (answer && !RETRYABLE_STATUSES.has(answer.status)) return undefined;
  if (!call.canRetry || call.retries >= policy.maxRetries) return undefined;
  const retryAfter = answer && parseRetryAfter(answer.headers.get("retry-after"), now);
  if (retryAfter !== undefined && retryAfter > policy.maxRetryAfter) return undefined;
  const delay = retryAfter ?? backoffDelay(call.retries, policy);
  return now - call.started + delay >= policy.budget ? undefined : delay;
}

/** Waits `ms`, rejecting early with the signal's reason if it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
