// @formance/orchestration: the Orchestration client class, its schemas and types, and the core runtime it stands on.
// Standalone, tree-shakable functions live in the version subpaths ("@formance/orchestration/v1", "@formance/orchestration/v2").
export * from "@formance/sdk-core";
export * from "./generated/schemas";
export { Orchestration, type OrchestrationV1, type OrchestrationV2 } from "./generated/service";
export type * from "./generated/types";
