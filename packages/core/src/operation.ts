// `operation(descriptor)` turns generated data into a callable standalone function (pages:
// `pageOperation` in pagination.ts; NDJSON streams: `streamOperation` in stream.ts).
import type { APIPromise } from "./api-promise";
import type { CoreClient } from "./context";
import type { Input, OperationDescriptor } from "./descriptor";
import type { RequestOptions } from "./options";
import type { PagePromise } from "./pagination";
import { request } from "./request";

type Call<I, R> = {} extends I
  ? (client: CoreClient, input?: I, options?: RequestOptions) => R
  : (client: CoreClient, input: I, options?: RequestOptions) => R;

/** A standalone operation function: `createTransaction(client, input, options?)`. */
export type Operation<I, O> = Call<I, APIPromise<O>> & { readonly descriptor: OperationDescriptor };
/** A cursor-paginated operation: the result is awaitable (first page) and `for await`-iterable. */
export type PageOperation<I, T> = Call<I, PagePromise<T>> & { readonly descriptor: OperationDescriptor };

/**
 * A standalone operation function for a JSON, count or void result. Pages and NDJSON streams have
 * their own factories (`pageOperation`, `streamOperation`), so a bundle carries only the kinds it calls.
 */
/* @__NO_SIDE_EFFECTS__ */
export function operation<F>(descriptor: OperationDescriptor): F {
  const run = (client: CoreClient, input?: Input, options?: RequestOptions) =>
    request(client, descriptor, input, options);
  return Object.assign(run, { descriptor }) as F;
}

/** An operation bound to a client: the same call without the client argument. */
export type BoundOperation<F> = F extends (client: CoreClient, ...args: infer A) => infer R
  ? (...args: A) => R
  : never;

/**
 * The operations of an object bound to one client (other properties dropped, as `bind` does).
 * Generated facades spell this out member by member, so that each method keeps its docs.
 */
export type Bound<T> = {
  [K in keyof T as T[K] extends { descriptor: OperationDescriptor } ? K : never]: BoundOperation<T[K]>;
};

export function bind<T extends Record<string, unknown>>(client: CoreClient, operations: T): Bound<T> {
  const bound: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(operations)) {
    if (typeof fn === "function" && "descriptor" in fn) {
      bound[name] = (input?: Input, options?: RequestOptions) => (fn as Function)(client, input, options);
    }
  }
  return bound as Bound<T>;
}
