// @formance/ledger: the Ledger client class, its schemas and types, and the core runtime it stands on.
// Standalone, tree-shakable functions live in the version subpaths ("@formance/ledger/v1", "@formance/ledger/v2").
export * from "@formance/sdk-core";
export * from "./generated/schemas";
export { Ledger, type LedgerV1, type LedgerV2 } from "./generated/service";
export type * from "./generated/types";
export * from "./lib/index";
