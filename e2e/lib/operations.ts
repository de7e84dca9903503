// Maps the requests the suite recorded (lib/coverage.ts) to the ledger operations of operations.json
// (in FORMANCE_OPENAPI_DIR, default ../shared/openapi beside the repository) and says which ran.
import { readFileSync } from "node:fs";
import { join } from "node:path";

export interface RecordedRequest {
  method: string;
  path: string;
  status: number;
}

interface Operation {
  operationId: string;
  method: string;
  /** Path segments without the gateway's /api/ledger prefix; `null` stands for a path parameter. */
  segments: Array<string | null>;
}

export interface Coverage {
  total: number;
  exercised: string[];
  /** Operations no test called, with the reason when it is a known exception. */
  missing: Array<{ operationId: string; reason?: string }>;
  /** Operations that were called but only ever answered with an error status. */
  errorsOnly: Array<{ operationId: string; statuses: number[] }>;
  /** Requests that matched no operation (a path the spec does not describe). */
  unmatched: string[];
}

/**
 * Operations that cannot be exercised against a local ledger, with the reason. Empty: every ledger
 * operation runs in the suite. An entry here shows up in the summary instead of as "missing".
 */
export const NOT_RUNNABLE: Record<string, string> = {};

export function operationsFile(root: string): string {
  const dir = process.env.FORMANCE_OPENAPI_DIR ?? join(root, "..", "shared", "openapi");
  return join(dir, "operations.json");
}

export function loadLedgerOperations(file: string): Operation[] {
  const all = JSON.parse(readFileSync(file, "utf8")) as Array<{
    service: string;
    method: string;
    path: string;
    operationId: string;
  }>;
  return all
    .filter((op) => op.service === "ledger")
    .map((op) => ({
      operationId: op.operationId,
      method: op.method.toUpperCase(),
      segments: splitPath(op.path.replace(/^\/api\/ledger(?=\/|$)/, "")).map((s) =>
        /^\{[^}]+\}$/.test(s) ? null : s,
      ),
    }));
}

/**
 * Every operation of operations.json but search's (it needs OpenSearch), for the stack suite: full
 * gateway paths (`/api/<service>/...`), ids qualified by service (`wallets.getServerInfo`), since
 * several services share an operation id.
 */
export function loadStackOperations(file: string): Operation[] {
  const all = JSON.parse(readFileSync(file, "utf8")) as Array<{
    service: string;
    method: string;
    path: string;
    operationId: string;
  }>;
  return all
    .filter((op) => op.service !== "search")
    .map((op) => ({
      operationId: `${op.service}.${op.operationId}`,
      method: op.method.toUpperCase(),
      segments: splitPath(op.path).map((s) => (/^\{[^}]+\}$/.test(s) ? null : s)),
    }));
}

function splitPath(path: string): string[] {
  return path.split("/").filter((s) => s !== "");
}

/** The operation a request was for: same method, same shape, and the most literal segments in common. */
export function matchOperation(operations: Operation[], method: string, path: string): Operation | undefined {
  const segments = splitPath(path).map(decodeURIComponent);
  let best: Operation | undefined;
  let bestLiterals = -1;
  for (const op of operations) {
    if (op.method !== method || op.segments.length !== segments.length) continue;
    if (!op.segments.every((s, i) => s === null || s === segments[i])) continue;
    const literals = op.segments.filter((s) => s !== null).length;
    if (literals > bestLiterals) {
      best = op;
      bestLiterals = literals;
    }
  }
  return best;
}

export function coverage(
  operations: Operation[],
  requests: RecordedRequest[],
  notRunnable: Record<string, string> = NOT_RUNNABLE,
): Coverage {
  const statuses = new Map<string, Set<number>>();
  const unmatched = new Set<string>();
  for (const request of requests) {
    const op = matchOperation(operations, request.method, request.path);
    if (!op) {
      unmatched.add(`${request.method} ${request.path}`);
      continue;
    }
    if (!statuses.has(op.operationId)) statuses.set(op.operationId, new Set());
    statuses.get(op.operationId)!.add(request.status);
  }
  const ids = operations.map((op) => op.operationId);
  return {
    total: ids.length,
    exercised: ids.filter((id) => statuses.has(id)),
    missing: ids
      .filter((id) => !statuses.has(id))
      .map((operationId) => ({ operationId, reason: notRunnable[operationId] })),
    errorsOnly: ids
      .filter((id) => statuses.has(id) && [...statuses.get(id)!].every((s) => s >= 400))
      .map((operationId) => ({ operationId, statuses: [...statuses.get(operationId)!].sort() })),
    unmatched: [...unmatched].sort(),
  };
}

export function readRecorded(file: string): RecordedRequest[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return [];
  }
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as RecordedRequest);
}

/** The lines the runner prints: the count, then what is missing or only ever failed. */
export function coverageLines(result: Coverage, version: string): string[] {
  const lines = [
    `e2e: ledger ${result.exercised.length}/${result.total} operations exercised against ledger ${version}`,
  ];
  const unexplained = result.missing.filter((m) => !m.reason).map((m) => m.operationId);
  if (unexplained.length)
    lines.push(`e2e:   not exercised (${unexplained.length}): ${unexplained.join(", ")}`);
  for (const { operationId, reason } of result.missing.filter((m) => m.reason)) {
    lines.push(`e2e:   not exercised: ${operationId}: ${reason}`);
  }
  if (result.errorsOnly.length) {
    lines.push(
      `e2e:   answered only with errors: ${result.errorsOnly
        .map((e) => `${e.operationId} ${e.statuses.join("/")}`)
        .join(", ")}`,
    );
  }
  return lines;
}
