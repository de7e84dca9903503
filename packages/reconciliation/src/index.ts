// @formance/reconciliation: the Reconciliation client class, its schemas and types, and the core runtime it stands on.
// Standalone, tree-shakable functions live in the version subpaths ("@formance/reconciliation/v1").
export * from "@formance/sdk-core";
export * from "./generated/schemas";
export { Reconciliation, type ReconciliationV1 } from "./generated/service";
export type * from "./generated/types";
