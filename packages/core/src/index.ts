export { APIPromise } from "./api-promise";
export { bearerToken, type ClientCredentialsOptions, clientCredentials, type TokenSource } from "./auth";
export { type CoreClient, createClient, toClient, VERSION } from "./client";
export type { HttpMethod, OperationDescriptor, ParamLocation, Result } from "./descriptor";
export * from "./errors";
export type {
  AfterResponseHook,
  AfterResponseState,
  BeforeErrorHook,
  BeforeErrorState,
  BeforeRequestHook,
  BeforeRequestState,
  BeforeRetryHook,
  BeforeRetryState,
  HookContext,
  HookOperation,
  HookOptions,
  Hooks,
} from "./hooks";
export { parseJSON, stringifyJSON } from "./json";
export type { LogEntry, Logger } from "./logger";
export { type NDJSONOptions, parseNDJSON } from "./ndjson";
export {
  type Bound,
  type BoundOperation,
  bind,
  type Operation,
  operation,
  type PageOperation,
} from "./operation";
export type { ClientOptions, CloudEnvironment, CloudServer, RequestOptions, ValidationMode } from "./options";
export { Page, PagePromise, pageOperation } from "./pagination";
export type { RetryOptions } from "./retry";
export { bigint, list, map, oneOf, openEnum, type Schema, timestamp, toIssues } from "./schema";
export { type StreamBody, type StreamBodyInput, streamBody, streamOperation } from "./stream";
