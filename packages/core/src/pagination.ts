// Cursor pagination: a call that is awaitable (first page) and `for await`-iterable (every item).
import { APIPromise } from "./api-promise";
import type { CoreClient } from "./client";
import type { OperationDescriptor } from "./descriptor";
import type { RequestOptions } from "./options";
import { execute, type Input, type RawPage, type Result } from "./request";

export class Page<T> implements AsyncIterable<T> {
  /** Items of this page. */
  readonly data: T[];
  readonly hasMore: boolean;
  /** Cursor of the next page, when there is one. */
  readonly next: string | undefined;
  /** Cursor of the previous page, when there is one. */
  readonly previous: string | undefined;
  readonly pageSize: number | undefined;
  readonly #fetch: (cursor: string) => PagePromise<T>;

  constructor(raw: RawPage<T>, fetchPage: (cursor: string) => PagePromise<T>) {
    this.data = raw.data;
    this.hasMore = raw.hasMore;
    this.next = raw.next;
    this.previous = raw.previous;
    this.pageSize = raw.pageSize;
    this.#fetch = fetchPage;
  }

  hasNextPage(): boolean {
    return this.hasMore && this.next !== undefined;
  }

  /** Fetches the next page. Throws when there is none (check `hasNextPage()`). */
  getNextPage(): PagePromise<T> {
    if (!this.next) throw new RangeError("There is no next page (hasMore is false)");
    return this.#fetch(this.next);
  }

  /** Fetches the previous page. Throws when there is none. */
  getPreviousPage(): PagePromise<T> {
    if (!this.previous) throw new RangeError("There is no previous page");
    return this.#fetch(this.previous);
  }

  /** This page and every following page. */
  async *iterPages(): AsyncGenerator<Page<T>> {
    let page: Page<T> = this;
    yield page;
    while (page.hasNextPage()) {
      page = await page.getNextPage();
      yield page;
    }
  }

  /** Every item from this page on, fetching pages as needed. */
  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    for await (const page of this.iterPages()) yield* page.data;
  }
}

export class PagePromise<T> extends APIPromise<Page<T>> implements AsyncIterable<T> {
  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    yield* await this;
  }
}

/** Runs a cursor-paginated operation. The next page sends the cursor plus the inputs the server needs again. */
export function paginate<T>(
  client: CoreClient,
  d: OperationDescriptor,
  input: Input | undefined,
  options: RequestOptions = {},
): PagePromise<T> {
  const keep = (field: string) =>
    d.keepOnNextPage?.includes(field) || !d.params?.[field]?.startsWith("query");
  const fetchPage = (cursor: string): PagePromise<T> => {
    const next: Input = { cursor };
    for (const [field, value] of Object.entries(input ?? {}))
      if (field !== "body" && keep(field)) next[field] = value;
    return paginate<T>(client, d, next, options);
  };
  const result = execute<RawPage<T>>(client, d, input, options).then(
    ({ data, response }): Result<Page<T>> => ({ data: new Page(data, fetchPage), response }),
  );
  return new PagePromise(result);
}
