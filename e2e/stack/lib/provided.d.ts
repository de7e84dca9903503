// What global-setup.ts hands to the stack test files through `provide` / `inject`.
import "vitest";

export interface StackClient {
  id: string;
  secret: string;
  scopes: string[];
}

export interface ProvidedStack {
  /** The gateway's origin; "" when there is no stack. */
  gateway: string;
  /** The services that run (ledger, auth, wallets, ...). */
  services: string[];
  /** The static clients of auth: `e2e` (every scope), `readonly` (few scopes). */
  clients: Record<string, StackClient>;
  /** The ledger's own URL (without the gateway), for the services' setup. */
  ledgerURL: string;
  /** Why there is no stack; "" when there is one. */
  skipReason: string;
  /** File each worker appends the responses it got through the gateway to; "" when not counting. */
  coverageFile: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    formanceStack: ProvidedStack;
  }
}
