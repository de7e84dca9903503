// Turns a validated input into an HTTP request: URL with path and query, headers, body.
import type { CallContext, HttpRequest } from "./context";
import type { Input } from "./descriptor";
import { FormanceValidationError, type ValidationIssue } from "./errors";
import { stringifyJSON } from "./json";
import { headerIssues } from "./options";

export function build({ client, d, op, options }: CallContext, input: Input): HttpRequest {
  const query = new URLSearchParams();
  const headers = new Headers(client.options.headers);
  if (!headers.has("user-agent")) headers.set("user-agent", client.userAgent);
  headers.set(
    "accept",
    d.kind === "ndjson" ? "application/x-ndjson, application/octet-stream" : "application/json",
  );
  const pathValues: Record<string, string> = {};
  const issues: ValidationIssue[] = [];
  const setHeader = (name: string, value: string, path: string) => {
    const found = headerIssues(name, value, path);
    if (found.length) issues.push(...found);
    else headers.set(name, value);
  };

  for (const [field, location] of Object.entries(d.params ?? {})) {
    const value = input[field];
    if (value === undefined || value === null) continue;
    const [where, wire = field, style] = location.split(":") as [string, string?, string?];
    if (where === "path") {
      const encoded = pathSegment(scalar(value), field, issues);
      if (encoded !== undefined) pathValues[wire] = encoded;
    } else if (where === "header") setHeader(wire, scalar(value), field);
    else if (style === "deepObject" && typeof value === "object") {
      for (const [key, item] of Object.entries(value)) query.append(`${wire}[${key}]`, scalar(item));
    } else if (Array.isArray(value)) {
      for (const item of value) query.append(wire, scalar(item));
    } else query.append(wire, scalar(value));
  }

  let body: () => BodyInit | undefined = () => undefined;
  let replayable = true;
  const payload = input.body;
  if (payload !== undefined) {
    if (d.body === "query") {
      if (typeof payload !== "object" || payload === null || Object.keys(payload).length > 0) {
        query.set("query", stringifyJSON(payload));
      }
    } else if (d.body === "stream") {
      // Already a BodyInit: the operation's input schema (`streamBody`, stream.ts) made it one.
      const streamed = payload as BodyInit;
      replayable = !(streamed instanceof ReadableStream);
      headers.set("content-type", "application/octet-stream");
      body = () => streamed;
    } else {
      const text = stringifyJSON(payload);
      headers.set("content-type", "application/json");
      body = () => text;
    }
  }

  if (options.idempotencyKey !== undefined && !d.idempotencyHeader) {
    // The server would ignore it, so it cannot make a retried write safe: say so rather than pretend.
    issues.push({
      path: "options.idempotencyKey",
      message: `${d.name} does not accept an idempotency key (the server ignores it; the call is not retried)`,
    });
  }
  for (const [key, value] of Object.entries(options.headers ?? {})) {
    setHeader(key, value, `options.headers.${key}`);
  }
  if (d.idempotencyHeader) {
    // One key per logical call, reused by every retry, so a retried POST cannot apply twice.
    // Precedence: per-call headers, then the input field, then options.idempotencyKey, else a new key.
    const fromHeaders = Object.keys(options.headers ?? {}).some(
      (k) => k.toLowerCase() === d.idempotencyHeader!.toLowerCase(),
    );
    if (!fromHeaders && !headers.has(d.idempotencyHeader) && options.idempotencyKey !== undefined) {
      setHeader(d.idempotencyHeader, options.idempotencyKey, "options.idempotencyKey");
    }
    const key = headers.get(d.idempotencyHeader);
    if (key === null) headers.set(d.idempotencyHeader, globalThis.crypto.randomUUID());
    else if (key.trim() === "") {
      // A server treating a blank key as none would apply every retry: never send one.
      issues.push({ path: "idempotencyKey", message: "An idempotency key cannot be blank" });
    }
  }
  if (issues.length) throw new FormanceValidationError(issues, op);

  const path = d.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = pathValues[name];
    if (value === undefined)
      throw new FormanceValidationError([{ path: name, message: "Required path parameter" }], op);
    return value;
  });
  const search = query.toString();
  const target = `${client.prefix(d.service)}${path}${search ? `?${search}` : ""}`;
  return {
    method: d.method,
    path: target,
    url: `${client.serverURL}${target}`,
    headers,
    body,
    replayable,
  };
}

/**
 * A path parameter, percent-encoded. `""`, `.` and `..` are refused: fetch resolves dot segments
 * and collapses an empty one, so the request would reach another endpoint (`address: ".."` on an
 * account's metadata would delete the ledger's). Already-encoded input (`%2e`) is encoded again and
 * stays literal.
 */
function pathSegment(value: string, field: string, issues: ValidationIssue[]): string | undefined {
  if (value === "" || value === "." || value === "..") {
    issues.push({
      path: field,
      message: `${JSON.stringify(value)} is not allowed in a URL path (it would address another endpoint)`,
    });
    return undefined;
  }
  try {
    return encodeURIComponent(value);
  } catch {
    issues.push({ path: field, message: "Contains a lone UTF-16 surrogate, which cannot be sent in a URL" });
    return undefined;
  }
}

function scalar(value: unknown): string {
  if (typeof value === "string") return value;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "object" && value !== null) return stringifyJSON(value);
  return String(value);
}
