// Token sources: where the transport gets its bearer token from.
//
// `clientCredentials` runs the OAuth2 client-credentials grant against the Formance auth server
// (an OIDC provider), caches tokens per scope set, refreshes them ahead of expiry and shares one
// in-flight request between concurrent callers. `bearerToken` hands out a fixed or computed token.
//
// No Node-only imports: this module runs in browsers and edge runtimes too.

import { readText } from "./body";
import { FormanceAuthError, FormanceResponseTooLargeError } from "./errors";
import { type RetryOptions, resolveRetry, retryDelay, sleep } from "./retry";

/** Token responses are small: anything bigger is not one. */
const MAX_TOKEN_RESPONSE = 1024 * 1024;
const DEFAULT_TOKEN_TIMEOUT = 30_000;

export interface TokenSource {
  /** Returns a bearer token valid for these scopes (undefined = send no Authorization header). */
  getToken(scopes: readonly string[], signal?: AbortSignal): Promise<string | undefined>;
  /** Called after a 401 made with `token`: forget it (only if it is still the cached one for these scopes), so the next getToken fetches a fresh one. */
  invalidate(scopes: readonly string[], token: string): void;
}

export interface ClientCredentialsOptions {
  /** Absolute URL of the token endpoint, e.g. `https://example.formance.cloud/api/auth/oauth/token`. */
  tokenURL: string;
  clientId: string;
  clientSecret: string;
  /** default globalThis.fetch (looked up at call time) */
  fetch?: typeof fetch;
  /** Time limit of one token request in ms (default 30 000). */
  timeout?: number;
  /** Retry policy of the token request (the client's `retry` option); default as for API calls. */
  retry?: RetryOptions | false;
  /** ms clock, default Date.now (tests inject) */
  now?: () => number;
}

/** Refresh this long before `expires_in` runs out, at most. */
const MAX_REFRESH_MARGIN_MS = 60_000;
/** ...and at most this fraction of the token's lifetime. */
const REFRESH_MARGIN_FRACTION = 0.1;
/** Longest server-provided description kept in an error message. */
const MAX_MESSAGE_DETAIL = 300;

interface CachedToken {
  token: string;
  /** Scopes the token is known to carry (granted `scope` when the server said, else requested). */
  scopes: ReadonlySet<string>;
  /** ms timestamp from which the token is treated as expired; Infinity when the server gave no expiry. */
  refreshAt: number;
}

/** Sorted, de-duplicated scopes. Whitespace inside an entry separates scopes, as in the `scope` field. */
function normalizeScopes(scopes: readonly string[]): string[] {
  const set = new Set<string>();
  for (const entry of scopes) {
    for (const s of String(entry).split(/\s+/)) if (s) set.add(s);
  }
  return [...set].sort();
}

function isSuperset(have: ReadonlySet<string>, want: readonly string[]): boolean {
  return want.every((s) => have.has(s));
}

/** Rejects with the signal's reason as soon as it aborts, without touching `promise` itself. */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

const HTML_NAMES: Record<string, string> = { "&": "amp", "<": "lt", ">": "gt", '"': "quot", "'": "#39" };

/**
 * Builds a function that removes every spelling of `secret` a server might echo back: raw,
 * JSON-escaped, URL- and form-encoded, HTML-escaped (named and numeric entities), base64 (also of
 * `clientId:secret`, as in Basic auth). What no rule covers is caught by `stillLeaks`.
 */
function makeRedactor(secret: string, clientId: string): (text: string) => string {
  const html = (entity: (c: string) => string) => secret.replace(/[&<>"']/g, (c) => `&${entity(c)};`);
  const base64 = (text: string) =>
    btoa(String.fromCharCode(...new TextEncoder().encode(text))).replace(/=+$/, "");
  const variants = [
    secret,
    JSON.stringify(secret).slice(1, -1),
    encodeURIComponent(secret),
    new URLSearchParams({ s: secret }).toString().slice(2),
    html((c) => HTML_NAMES[c]!),
    html((c) => `#${c.charCodeAt(0)}`),
    base64(secret),
    base64(`${clientId}:${secret}`),
  ].sort((a, b) => b.length - a.length);
  return (text) => {
    for (const v of variants) if (v) text = text.split(v).join("[redacted]");
    return text;
  };
}

/** True when `text` still holds 8 consecutive characters of the secret (or all of a shorter one). */
function stillLeaks(text: string, secret: string): boolean {
  const size = Math.min(8, secret.length);
  for (let i = 0; size && i + size <= secret.length; i++) {
    if (text.includes(secret.slice(i, i + size))) return true;
  }
  return false;
}

/**
 * The only parts of a token-endpoint error body the SDK keeps: the OAuth `error` and
 * `error_description` (or the Formance `errorCode`/`errorMessage`), redacted; a part that still
 * holds a piece of the secret is dropped. Nothing else is ever echoed.
 */
function oauthError(json: unknown, redact: (text: string) => string, secret: string) {
  const b = (json ?? {}) as Record<string, unknown>;
  const out: { error?: string; error_description?: string } = {};
  for (const [key, value] of [
    ["error", b.error ?? b.errorCode],
    ["error_description", b.error_description ?? b.errorMessage ?? b.errorDescription],
  ] as const) {
    const text = typeof value === "string" ? clip(redact(value)) : "";
    if (text && !stillLeaks(text, secret)) out[key] = text;
  }
  return out.error || out.error_description ? out : undefined;
}

function describeURL(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`; // never userinfo or query
  } catch {
    return "(invalid token URL)";
  }
}

function clip(text: string): string {
  const t = text.trim();
  return t.length > MAX_MESSAGE_DETAIL ? `${t.slice(0, MAX_MESSAGE_DETAIL)}…` : t;
}

function parseExpiresIn(value: unknown): number | undefined {
  const n = typeof value === "number" ? value : typeof value === "string" ? Number(value) : Number.NaN;
  return Number.isFinite(n) ? n : undefined;
}

function connectionDetail(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  const code = typeof cause?.code === "string" ? ` (${cause.code})` : "";
  return `${message}${code}`;
}

/** OAuth2 client-credentials grant with per-scope-set caching, early refresh and single-flight requests. */
export function clientCredentials(options: ClientCredentialsOptions): TokenSource {
  const { tokenURL, clientId, clientSecret } = options;
  const now = options.now ?? Date.now;
  const redact = makeRedactor(clientSecret, clientId);
  const cache = new Map<string, CachedToken>();
  const inFlight = new Map<string, Promise<CachedToken>>();

  function fresh(entry: CachedToken | undefined): entry is CachedToken {
    return entry !== undefined && now() < entry.refreshAt;
  }

  function lookup(key: string, scopes: readonly string[]): CachedToken | undefined {
    const exact = cache.get(key);
    if (fresh(exact)) return exact;
    for (const entry of cache.values()) {
      if (fresh(entry) && isSuperset(entry.scopes, scopes)) return entry;
    }
    return undefined;
  }

  const policy = resolveRetry(options.retry);
  /** Failures the retry policy may retry (connection, timeout, body cut short: no answer; else the answer). */
  const retryable = new WeakMap<object, { answer: Response | undefined }>();

  /** The token request, retried under the client's retry policy (it is safe to repeat). */
  async function request(scopes: readonly string[]): Promise<CachedToken> {
    const state = { policy, canRetry: true, retries: 0, started: Date.now() };
    for (; ; state.retries++) {
      try {
        return await requestOnce(scopes);
      } catch (error) {
        const retry = typeof error === "object" && error !== null ? retryable.get(error) : undefined;
        const delay = retry && retryDelay(state, retry.answer);
        if (delay === undefined) throw error;
        await sleep(delay);
      }
    }
  }

  function retryableError(error: FormanceAuthError, answer?: Response): FormanceAuthError {
    retryable.set(error, { answer });
    return error;
  }

  async function requestOnce(scopes: readonly string[]): Promise<CachedToken> {
    const form = new URLSearchParams({
      grant_type: "client_credentials",
      client_id: clientId,
      client_secret: clientSecret,
    });
    if (scopes.length > 0) form.set("scope", scopes.join(" "));

    const doFetch = options.fetch ?? globalThis.fetch;
    const startedAt = now();
    let response: Response;
    let text: string;
    try {
      response = await doFetch(tokenURL, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
        body: form.toString(),
        // The request is shared by every waiter: it must settle even if the endpoint hangs.
        signal: AbortSignal.timeout(options.timeout ?? DEFAULT_TOKEN_TIMEOUT),
        // Following a 307/308 would re-send the secret to wherever the Location points.
        redirect: "manual",
      });
    } catch (error) {
      throw retryableError(
        new FormanceAuthError(
          `token request to ${describeURL(tokenURL)} failed: ${redact(connectionDetail(error))}`,
          { cause: error },
        ),
      );
    }
    if (response.type === "opaqueredirect" || (response.status >= 300 && response.status < 400)) {
      await response.body?.cancel().catch(() => {});
      const location = response.headers.get("location");
      throw new FormanceAuthError(
        `token request to ${describeURL(tokenURL)} was redirected (${response.status || "opaque redirect"}) to ${
          location ? describeURL(new URL(location, tokenURL).toString()) : "an unknown location"
        }; redirects are not followed (check tokenURL)`,
        { status: response.status },
      );
    }
    try {
      text = await readText(response, MAX_TOKEN_RESPONSE, undefined);
    } catch (error) {
      const failure = new FormanceAuthError(
        `token request failed: ${response.status}: could not read the response body: ${redact(connectionDetail(error))}`,
        { status: response.status, cause: error },
      );
      throw error instanceof FormanceResponseTooLargeError ? failure : retryableError(failure);
    }

    let json: unknown;
    let isJSON = false;
    if (text.trim() !== "") {
      try {
        json = JSON.parse(text);
        isJSON = true;
      } catch {
        // not JSON
      }
    }

    if (!response.ok) {
      const body = isJSON ? oauthError(json, redact, clientSecret) : undefined;
      const detail = [body?.error, body?.error_description].filter(Boolean).join(": ");
      const fallback =
        text.trim() === ""
          ? " (empty response body)"
          : ` (${isJSON ? "JSON" : "non-JSON"} body of ${text.length} characters, not shown)`;
      const error = new FormanceAuthError(
        `token request failed: ${response.status}${detail ? ` ${detail}` : fallback}`,
        { status: response.status, body },
      );
      throw retryableError(error, response);
    }

    // Success bodies carry the token: never copy them into an error.
    if (!isJSON || json === null || typeof json !== "object" || Array.isArray(json)) {
      throw new FormanceAuthError(`token response (status ${response.status}) is not a JSON object`, {
        status: response.status,
      });
    }
    const payload = json as Record<string, unknown>;
    const token = payload.access_token;
    if (typeof token !== "string" || token === "") {
      const fields =
        Object.keys(payload)
          .map(redact)
          .filter((key) => !stillLeaks(key, clientSecret))
          .join(", ") || "none";
      throw new FormanceAuthError(
        `token response (status ${response.status}) has no access_token (fields: ${fields})`,
        { status: response.status },
      );
    }

    const expiresIn = parseExpiresIn(payload.expires_in);
    let refreshAt = Number.POSITIVE_INFINITY;
    if (expiresIn !== undefined) {
      const lifetime = Math.max(0, expiresIn * 1000);
      refreshAt = startedAt + lifetime - Math.min(MAX_REFRESH_MARGIN_MS, lifetime * REFRESH_MARGIN_FRACTION);
    }
    const granted = typeof payload.scope === "string" ? normalizeScopes([payload.scope]) : scopes;
    return { token, scopes: new Set(granted), refreshAt };
  }

  function prune(): void {
    for (const [key, entry] of cache) if (!fresh(entry)) cache.delete(key);
  }

  function fetchShared(key: string, scopes: readonly string[]): Promise<CachedToken> {
    const pending = inFlight.get(key);
    if (pending) return pending;
    const promise = request(scopes).then(
      (entry) => {
        inFlight.delete(key);
        prune();
        cache.set(key, entry);
        return entry;
      },
      (error: unknown) => {
        inFlight.delete(key); // failures are not cached: the next call tries again
        throw error;
      },
    );
    // Every waiter may have aborted; don't let a later failure surface as an unhandled rejection.
    promise.catch(() => {});
    inFlight.set(key, promise);
    return promise;
  }

  return {
    async getToken(scopes, signal) {
      if (signal?.aborted) throw signal.reason;
      const wanted = normalizeScopes(scopes);
      const key = wanted.join(" ");
      const cached = lookup(key, wanted);
      if (cached) return cached.token;
      // The shared request is never tied to one caller's signal: aborting only detaches that caller.
      const entry = await raceAbort(fetchShared(key, wanted), signal);
      return entry.token;
    },

    invalidate(_scopes, token) {
      // A token is only ever cached under the key it was fetched for, but may have been served for
      // a subset of scopes; dropping every entry still holding this exact token covers both cases
      // and leaves a newer token alone.
      for (const [key, entry] of cache) if (entry.token === token) cache.delete(key);
    },
  };
}

/** A fixed token, or a function called for each request (its result is not cached). */
export function bearerToken(token: string | (() => string | Promise<string>)): TokenSource {
  return {
    async getToken(_scopes, signal) {
      if (signal?.aborted) throw signal.reason;
      if (typeof token !== "function") return token === "" ? undefined : token;
      let value: unknown;
      try {
        value = await raceAbort(Promise.resolve().then(token), signal);
      } catch (error) {
        if (signal?.aborted) throw error;
        const detail = error instanceof Error ? error.message : String(error);
        throw new FormanceAuthError(`the accessToken function failed: ${detail}`, { cause: error });
      }
      if (typeof value !== "string") {
        throw new FormanceAuthError(`the accessToken function returned ${typeof value}, not a string`);
      }
      return value === "" ? undefined : value;
    },
    invalidate() {
      // Nothing cached.
    },
  };
}
