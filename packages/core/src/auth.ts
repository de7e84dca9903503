// Token sources: where the transport gets its bearer token from.
//
// `clientCredentials` runs the OAuth2 client-credentials grant against the Formance auth server
// (an OIDC provider), caches tokens per scope set, refreshes them ahead of expiry and shares one
// in-flight request between concurrent callers. `bearerToken` hands out a fixed or computed token.
//
// No Node-only imports: this module runs in browsers and edge runtimes too.

import { FormanceAuthError } from "./errors";

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

/** Builds a function that removes every spelling of `secret` a server might echo back. */
function makeRedactor(secret: string): (text: string) => string {
  if (!secret) return (text) => text;
  const form = new URLSearchParams({ s: secret }).toString().slice(2);
  const variants = [
    ...new Set([secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret), form]),
  ].sort((a, b) => b.length - a.length);
  return (text) => {
    for (const v of variants) if (text.includes(v)) text = text.split(v).join("[redacted]");
    return text;
  };
}

function redactDeep(value: unknown, redact: (text: string) => string): unknown {
  if (typeof value === "string") return redact(value);
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, redact));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[redact(k)] = redactDeep(v, redact);
    return out;
  }
  return value;
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

function errorDetail(body: unknown): string {
  if (typeof body === "string") return clip(body);
  if (body === null || typeof body !== "object") return "";
  const b = body as Record<string, unknown>;
  const code = typeof b.error === "string" ? b.error : typeof b.errorCode === "string" ? b.errorCode : "";
  const description =
    typeof b.error_description === "string"
      ? b.error_description
      : typeof b.errorMessage === "string"
        ? b.errorMessage
        : typeof b.errorDescription === "string"
          ? b.errorDescription
          : "";
  return [code, clip(description)].filter(Boolean).join(": ");
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
  const redact = makeRedactor(clientSecret);
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

  async function request(scopes: readonly string[]): Promise<CachedToken> {
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
        signal: AbortSignal.timeout(options.timeout ?? 30_000),
      });
    } catch (error) {
      throw new FormanceAuthError(
        `token request to ${describeURL(tokenURL)} failed: ${redact(connectionDetail(error))}`,
        { cause: error },
      );
    }
    try {
      text = await response.text();
    } catch (error) {
      throw new FormanceAuthError(
        `token request failed: ${response.status}: could not read the response body: ${redact(connectionDetail(error))}`,
        { status: response.status, cause: error },
      );
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
      const body = isJSON ? redactDeep(json, redact) : text === "" ? undefined : redact(text);
      const detail = errorDetail(body);
      throw new FormanceAuthError(
        `token request failed: ${response.status}${detail ? ` ${detail}` : " (empty response body)"}`,
        { status: response.status, body },
      );
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
      const fields = Object.keys(payload).map(redact).join(", ") || "none";
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
      const value = typeof token === "function" ? await raceAbort(Promise.resolve(token()), signal) : token;
      return value === "" ? undefined : value;
    },
    invalidate() {
      // Nothing cached.
    },
  };
}
