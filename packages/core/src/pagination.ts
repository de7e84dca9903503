// Cursor pagination: a call that is awaitable (first page) and `for await`-iterable (every item).
import * as v from "valibot";
import { APIPromise } from "./api-promise";
import type { CallContext, CoreClient, HttpRequest } from "./context";
import type { Input, OperationDescriptor, RawPage, Result } from "./descriptor";
import { FormancePaginationError, FormanceResponseValidationError, type OperationRef } from "./errors";
import type { RequestOptions } from "./options";
import { check, isObject, parseBody, throwIfFailed } from "./response";

/** Consecutive empty pages (that still claim more) after which a walk stops: the server makes no progress. */
export const MAX_EMPTY_PAGES = 10;
/** How many cursors a walk remembers to detect a cycle (the oldest are forgotten beyond this). */
export const MAX_REMEMBERED_CURSORS = 10_000;

import { execute } from "./request";

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
  /** The cursor this page was fetched with (undefined for a first page). */
  readonly #cursor: string | undefined;
  readonly #operation: OperationRef | undefined;

  constructor(
    raw: RawPage<T>,
    fetchPage: (cursor: string) => PagePromise<T>,
    cursor?: string,
    operation?: OperationRef,
  ) {
    this.data = raw.data;
    this.hasMore = raw.hasMore;
    this.next = raw.next;
    this.previous = raw.previous;
    this.pageSize = raw.pageSize;
    this.#fetch = fetchPage;
    this.#cursor = cursor;
    this.#operation = operation;
  }

  hasNextPage(): boolean {
    return this.hasMore && this.next !== undefined;
  }

  /** Fetches the next page. Throws when there is none (check `hasNextPage()`). */
  getNextPage(): PagePromise<T> {
    if (!this.next) throw new RangeError("There is no next page (hasMore is false)");
    if (this.next === this.#cursor)
      throw this.#noProgress(`the next cursor is the one of this page`, this.next);
    return this.#fetch(this.next);
  }

  #noProgress(why: string, cursor: string | undefined): FormancePaginationError {
    const op = this.#operation;
    return new FormancePaginationError(`${op ? `${op.name}: ` : ""}pagination stopped: ${why}`, {
      ...(cursor !== undefined ? { cursor } : {}),
      operation: op,
    });
  }

  /** Fetches the previous page. Throws when there is none. */
  getPreviousPage(): PagePromise<T> {
    if (!this.previous) throw new RangeError("There is no previous page");
    return this.#fetch(this.previous);
  }

  /** This page and every following page. */
  async *iterPages(): AsyncGenerator<Page<T>> {
    // A server that repeats a cursor (a cycle) or keeps sending empty pages would never end the walk.
    const seen = new Set<string>();
    if (this.#cursor !== undefined) seen.add(this.#cursor);
    let empty = 0;
    let page: Page<T> = this;
    yield page;
    while (page.hasNextPage()) {
      const next = page.next!;
      if (seen.has(next)) throw page.#noProgress("the server repeated a cursor already visited", next);
      if (seen.size >= MAX_REMEMBERED_CURSORS) seen.delete(seen.values().next().value!);
      seen.add(next);
      empty = page.data.length === 0 ? empty + 1 : 0;
      if (empty >= MAX_EMPTY_PAGES) {
        throw page.#noProgress(`${MAX_EMPTY_PAGES} empty pages in a row that all claimed more`, next);
      }
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

/** A standalone cursor-paginated operation: its result is awaitable (first page) and `for await`-iterable. */
/* @__NO_SIDE_EFFECTS__ */
export function pageOperation<F>(descriptor: OperationDescriptor): F {
  const run = (client: CoreClient, input?: Input, options?: RequestOptions) =>
    paginate(client, descriptor, input, options);
  return Object.assign(run, { descriptor }) as F;
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
  const cursor = typeof input?.cursor === "string" ? input.cursor : undefined;
  const op = { id: d.id, name: d.name };
  const result = execute<RawPage<T>>(client, d, input, options, readPage).then(
    ({ data, response }): Result<Page<T>> => ({ data: new Page(data, fetchPage, cursor, op), response }),
  );
  return new PagePromise(result);
}

/** The reader of a page: the cursor envelope, its items validated one by one (paths start at `data`). */
function readPage(
  context: CallContext,
  response: Response,
  text: string | undefined,
  http: HttpRequest,
): RawPage<unknown> {
  const { client, d, op } = context;
  throwIfFailed(context, response, text, http);
  const { value, rawBody } = parseBody(context, response, text, "page")!;
  const status = response.status;
  if (!isObject(value) && client.validate !== "off") {
    // Most likely not the endpoint we meant (a proxy page, a wrong pathPrefix): don't report "no items".
    throw new FormanceResponseValidationError(
      [{ path: d.unwrap ?? "", message: "Expected the page envelope (an object with data, hasMore, next)" }],
      { rawBody, status, operation: op },
    );
  }
  const cursor = isObject(value) ? value : {};
  const items = Array.isArray(cursor.data) ? cursor.data : [];
  return {
    data: d.output
      ? (check(client, v.array(d.output), items, rawBody, status, op, "data") as unknown[])
      : items,
    hasMore: cursor.hasMore === true,
    next: typeof cursor.next === "string" && cursor.next ? cursor.next : undefined,
    previous: typeof cursor.previous === "string" && cursor.previous ? cursor.previous : undefined,
    pageSize: typeof cursor.pageSize === "number" ? cursor.pageSize : undefined,
  };
}
