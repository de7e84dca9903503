// The promise every operation returns: await it for the result, or call `.withResponse()`.
import type { Result } from "./descriptor";

export class APIPromise<T> implements PromiseLike<T> {
  readonly #result: Promise<Result<T>>;

  constructor(result: Promise<Result<T>>) {
    this.#result = result;
  }

  /** The result together with the raw `Response` (status, headers such as `Idempotency-Hit`). */
  withResponse(): Promise<Result<T>> {
    return this.#result;
  }

  // biome-ignore lint/suspicious/noThenProperty: this is a thenable on purpose.
  then<A = T, B = never>(
    onfulfilled?: ((value: T) => A | PromiseLike<A>) | null,
    onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.#result.then((r) => r.data).then(onfulfilled, onrejected);
  }

  catch<B = never>(onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<T | B> {
    return this.then(undefined, onrejected);
  }

  finally(onfinally?: (() => void) | null): Promise<T> {
    return this.then().finally(onfinally);
  }

  get [Symbol.toStringTag](): string {
    return "APIPromise";
  }
}
