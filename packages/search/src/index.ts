// @formance/search: the Search client class, its schemas and types, and the core runtime it stands on.
// Standalone, tree-shakable functions live in the version subpaths ("@formance/search/v1").
export * from "@formance/sdk-core";
export * from "./generated/schemas";
export { Search, type SearchV1 } from "./generated/service";
export type * from "./generated/types";
