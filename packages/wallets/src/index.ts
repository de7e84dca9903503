// @formance/wallets: the Wallets client class, its schemas and types, and the core runtime it stands on.
// Standalone, tree-shakable functions live in the version subpaths ("@formance/wallets/v1").
export * from "@formance/sdk-core";
export * from "./generated/schemas";
export { Wallets, type WalletsV1 } from "./generated/service";
export type * from "./generated/types";
