// `createClient`: options resolved once, one fetch, one token source, shared by every service.
import { bearerToken, clientCredentials, type TokenSource } from "./auth";
import type { CoreClient } from "./context";
import { FormanceValidationError } from "./errors";
import {
  type ClientOptions,
  checkClientOptions,
  resolvePathPrefix,
  resolveServerURL,
  resolveTokenURL,
} from "./options";
import { createTransport, defaultFetch } from "./send";

export type { CoreClient };

declare const __VERSION__: string;
export const VERSION: string = typeof __VERSION__ === "string" ? __VERSION__ : "0.0.0-dev";

/** Builds the client every operation runs on. Service classes and the umbrella share one. */
export function createClient(options: ClientOptions = {}): CoreClient {
  checkClientOptions(options);
  const serverURL = resolveServerURL(options.serverURL);
  if (options.tokenURL !== undefined) resolveTokenURL(serverURL, options.tokenURL); // checks it
  const fetchImpl = options.fetch ?? defaultFetch;
  let auth: TokenSource | undefined;
  if (options.accessToken !== undefined) {
    auth = bearerToken(options.accessToken);
  } else if (options.clientId || options.clientSecret) {
    if (!options.clientId || !options.clientSecret) {
      throw new FormanceValidationError([
        {
          path: options.clientId ? "clientSecret" : "clientId",
          message: "clientId and clientSecret must be given together",
        },
      ]);
    }
    auth = clientCredentials({
      tokenURL: resolveTokenURL(serverURL, options.tokenURL),
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      fetch: fetchImpl,
      ...(options.tokenTimeout !== undefined ? { timeout: options.tokenTimeout } : {}),
      ...(options.retry !== undefined ? { retry: options.retry } : {}),
    });
  }
  return {
    options: withHiddenSecrets(options),
    serverURL,
    fetch: fetchImpl,
    http: createTransport({ serverURL, fetch: fetchImpl, auth, hooks: options.hooks }),
    auth,
    validate: options.validate ?? "lenient",
    userAgent: `formance-sdk-typescript/${VERSION}`,
    prefix: (service) => (service ? resolvePathPrefix(options.pathPrefix, service) : ""),
  };
}

/** Accepts either a ready client or options, so `new Ledger(options)` and `new Ledger(client)` both work. */
export function toClient(clientOrOptions: CoreClient | ClientOptions | undefined): CoreClient {
  return clientOrOptions && "fetch" in clientOrOptions && "prefix" in clientOrOptions
    ? (clientOrOptions as CoreClient)
    : createClient(clientOrOptions as ClientOptions | undefined);
}

const SECRET_OPTIONS = ["clientSecret", "accessToken"] as const;

/**
 * A frozen copy of the options whose secrets are readable but not enumerable: they stay out of
 * `JSON.stringify`, `util.inspect`, `console.log` and spreads, on the client and on every service
 * object holding it.
 */
function withHiddenSecrets(options: ClientOptions): Readonly<ClientOptions> {
  const copy: Record<string, unknown> = { ...options };
  for (const key of SECRET_OPTIONS) {
    if (key in copy) {
      const value = copy[key];
      delete copy[key];
      // An accessor: even a showHidden inspection prints `[Getter]`, not the value.
      Object.defineProperty(copy, key, { get: () => value, enumerable: false });
    }
  }
  return Object.freeze(copy) as Readonly<ClientOptions>;
}
