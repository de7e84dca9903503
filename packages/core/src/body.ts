// Reading response bodies with a size limit enforced while the bytes arrive, never after the fact.
import { FormanceResponseTooLargeError, type OperationRef } from "./errors";

export function tooLarge(
  limit: number,
  status: number,
  op: OperationRef | undefined,
  what = "response body",
): FormanceResponseTooLargeError {
  return new FormanceResponseTooLargeError(
    `${op ? `${op.name}: ` : ""}${what} exceeds maxResponseSize (${limit} bytes); reading stopped`,
    { limit, status, operation: op },
  );
}

/** The body as text (UTF-8, like `Response.text()`), failing as soon as it grows past `limit` bytes. */
export async function readText(
  response: Response,
  limit: number,
  op: OperationRef | undefined,
): Promise<string> {
  const declared = Number(response.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > limit) {
    await response.body?.cancel().catch(() => {});
    throw tooLarge(limit, response.status, op);
  }
  if (!response.body) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge(limit, response.status, op);
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(concat(chunks, total));
}

export function concat(chunks: readonly Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
