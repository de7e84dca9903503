// The stack suite's coverage: how many of the operations in operations.json (all but search's) got a
// response through the gateway, and why the others cannot run here.
import type { Coverage } from "../../lib/operations";

/**
 * Operations that cannot be exercised against the local stack, keyed `service.operationId`, with the
 * reason. An entry shows up in the summary with its reason instead of as "missing".
 */
export const NOT_RUNNABLE_HERE: Record<string, string> = {};

/**
 * Operations exercised only with an error answer here, and why no success can be had from this stack.
 * Listed with the reason under the count.
 */
export const ONLY_ERRORS_HERE: Record<string, string> = {
  "auth.readUser": "users exist only after a login through a delegated OIDC provider; none here (404 pinned)",
  "orchestration.v2GetServerInfo":
    "not served by flows v2.6.0 under /v2 (404 pinned; docs/SERVER-BEHAVIOUR.md)",
  "payments.uninstallConnector": "not served by payments v3.4.0 without a connector id (405 pinned)",
  "payments.readConnectorConfig": "not served by payments v3.4.0 without a connector id (405 pinned)",
  "payments.resetConnector": "not served by payments v3.4.0 without a connector id (405 pinned)",
  "payments.listConnectorTasks": "not served by payments v3.4.0 without a connector id (405 pinned)",
  "payments.getConnectorTask": "not served by payments v3.4.0 without a connector id (404 pinned)",
  "payments.connectorsTransfer": "not served by payments v3.4.0 (405 pinned)",
  "payments.retryTransferInitiation":
    "retries only an initiation whose last adjustment is FAILED, which needs a connector error the engine does not retry; dummypay's transfers cannot fail that way (docs/SERVER-BEHAVIOUR.md, Payments; 400 for a processed and a rejected one pinned)",
  "payments.v3RetryPaymentInitiation": "as payments.retryTransferInitiation (400 for a processed one pinned)",
  "payments.v3GetOrder": "dummypay has no orders, and an unknown id is a 400 (pinned)",
  "payments.v3GetConversion": "dummypay has no conversions, and an unknown id is a 400 (pinned)",
};

export function stackCoverageLines(result: Coverage): string[] {
  const lines = [`e2e: ${result.exercised.length}/${result.total} operations exercised against real servers`];
  const byService = new Map<string, { done: number; total: number }>();
  const missing = new Set(result.missing.map((m) => m.operationId));
  for (const id of [...result.exercised, ...missing]) {
    const service = id.split(".")[0] ?? "?";
    const entry = byService.get(service) ?? { done: 0, total: 0 };
    entry.total += 1;
    if (!missing.has(id)) entry.done += 1;
    byService.set(service, entry);
  }
  lines.push(
    `e2e:   by service: ${[...byService].map(([s, { done, total }]) => `${s} ${done}/${total}`).join(", ")}`,
  );
  for (const { operationId, reason } of result.missing) {
    lines.push(`e2e:   not exercised: ${operationId}: ${reason ?? "no test calls it yet"}`);
  }
  for (const { operationId, statuses } of result.errorsOnly) {
    const why = ONLY_ERRORS_HERE[operationId] ?? "no test gets a success from it yet";
    lines.push(`e2e:   answered only with errors: ${operationId} ${statuses.join("/")}: ${why}`);
  }
  return lines;
}
