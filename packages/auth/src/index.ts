// @formance/auth: the Auth client class, its schemas and types, and the core runtime it stands on.
// Standalone, tree-shakable functions live in the version subpaths ("@formance/auth/v1").
export * from "@formance/sdk-core";
export * from "./generated/schemas";
export { Auth, type AuthV1 } from "./generated/service";
export type * from "./generated/types";
