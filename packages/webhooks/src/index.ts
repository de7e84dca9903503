// @formance/webhooks: the Webhooks client class, its schemas and types, and the core runtime it stands on.
// Standalone, tree-shakable functions live in the version subpaths ("@formance/webhooks/v1").
export * from "@formance/sdk-core";
export * from "./generated/schemas";
export { Webhooks, type WebhooksV1 } from "./generated/service";
export type * from "./generated/types";
export * from "./lib/index";
