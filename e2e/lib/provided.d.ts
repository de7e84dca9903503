// What global-setup.ts hands to the test files through `provide` / `inject`.
import "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    /** Base URL of a ledger reachable without the gateway; "" when none could be had. */
    formanceLedgerURL: string;
    /** Why there is no ledger; "" when there is one. */
    formanceE2ESkipReason: string;
    /** File each test worker appends the ledger's responses to (lib/coverage.ts); "" when not counting. */
    formanceE2ECoverageFile: string;
  }
}
