// @formance/payments/v1: one standalone function per operation, e.g. `fn(createClient(options), input)`.

export type * from "./generated/types";
export * from "./generated/v1/operations";
