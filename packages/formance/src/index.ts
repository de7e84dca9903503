// @formance/sdk: every Formance service behind one client. Services are created on first use and
// share one core client (one token cache, one connection setup).
import { Auth } from "@formance/auth";
import { Ledger } from "@formance/ledger";
import { Orchestration } from "@formance/orchestration";
import { Payments } from "@formance/payments";
import { Reconciliation } from "@formance/reconciliation";
import {
  type APIPromise,
  type ClientOptions,
  type CoreClient,
  type RequestOptions,
  toClient,
} from "@formance/sdk-core";
import { Search } from "@formance/search";
import { Wallets } from "@formance/wallets";
import { Webhooks } from "@formance/webhooks";
import { getVersions } from "./generated/gateway/operations";
import type { GetVersionsResponse } from "./generated/types";

export class Formance {
  readonly client: CoreClient;
  #services = new Map<string, unknown>();

  /** Client options, or a core client created with `createClient`. */
  constructor(clientOrOptions?: ClientOptions | CoreClient) {
    this.client = toClient(clientOrOptions);
  }

  #get<T>(name: string, make: (client: CoreClient) => T): T {
    let service = this.#services.get(name) as T | undefined;
    if (!service) this.#services.set(name, (service = make(this.client)));
    return service;
  }

  get ledger(): Ledger {
    return this.#get("ledger", (c) => new Ledger(c));
  }
  get payments(): Payments {
    return this.#get("payments", (c) => new Payments(c));
  }
  get orchestration(): Orchestration {
    return this.#get("orchestration", (c) => new Orchestration(c));
  }
  get wallets(): Wallets {
    return this.#get("wallets", (c) => new Wallets(c));
  }
  get webhooks(): Webhooks {
    return this.#get("webhooks", (c) => new Webhooks(c));
  }
  get reconciliation(): Reconciliation {
    return this.#get("reconciliation", (c) => new Reconciliation(c));
  }
  get auth(): Auth {
    return this.#get("auth", (c) => new Auth(c));
  }
  /** @deprecated The search service is deprecated upstream. */
  get search(): Search {
    return this.#get("search", (c) => new Search(c));
  }

  /** Show stack version information: the versions of the services behind the gateway (`GET /versions`). */
  getVersions(options?: RequestOptions): APIPromise<GetVersionsResponse> {
    return getVersions(this.client, {}, options);
  }
}

// Each service package under its name: its types (`ledger.V2Transaction`), schemas and classes.
export * as auth from "@formance/auth";
export * as ledger from "@formance/ledger";
export * as orchestration from "@formance/orchestration";
export * as payments from "@formance/payments";
export * as reconciliation from "@formance/reconciliation";
// `createClient`, the errors and the core types come with this line.
export * from "@formance/sdk-core";
export * as search from "@formance/search";
export * as wallets from "@formance/wallets";
export * as webhooks from "@formance/webhooks";
export type * from "./generated/types";
export { Auth, Ledger, Orchestration, Payments, Reconciliation, Search, Wallets, Webhooks };
