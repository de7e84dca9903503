// @formance/payments: the Payments client class, its schemas and types, and the core runtime it stands on.
// Standalone, tree-shakable functions live in the version subpaths ("@formance/payments/v1", "@formance/payments/v3").
export * from "@formance/sdk-core";
export * from "./generated/schemas";
export { Payments, type PaymentsV1, type PaymentsV3 } from "./generated/service";
export type * from "./generated/types";
