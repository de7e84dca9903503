// @formance/wallets/v1: one standalone function per operation, e.g. `fn(createClient(options), input)`.
export * from "./generated/v1/operations";
export type * from "./generated/types";
