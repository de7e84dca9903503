// Every operation of operations.json exists under its DESIGN §4 name, on the umbrella and as a
// standalone function in its package's version subpath, with the spec's method, path and docs.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as auth from "@formance/auth/v1";
import * as ledgerV1 from "@formance/ledger/v1";
import * as ledgerV2 from "@formance/ledger/v2";
import * as orchestrationV1 from "@formance/orchestration/v1";
import * as orchestrationV2 from "@formance/orchestration/v2";
import * as paymentsV1 from "@formance/payments/v1";
import * as paymentsV3 from "@formance/payments/v3";
import * as reconciliation from "@formance/reconciliation/v1";
import * as search from "@formance/search/v1";
import * as wallets from "@formance/wallets/v1";
import * as webhooks from "@formance/webhooks/v1";
import { describe, expect, it } from "vitest";
import { Formance } from "../src/index";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const specDir = resolve(root, process.env.FORMANCE_OPENAPI_DIR ?? "../shared/openapi");
const hasSpecs = existsSync(join(specDir, "operations.json"));

interface SpecOperation {
  service: string;
  method: string;
  path: string;
  operationId: string;
  tags: string[];
  summary: string;
  deprecated: boolean;
}

const modules: Record<string, Record<string, unknown>> = {
  "ledger.v1": ledgerV1,
  "ledger.v2": ledgerV2,
  "payments.v1": paymentsV1,
  "payments.v3": paymentsV3,
  "orchestration.v1": orchestrationV1,
  "orchestration.v2": orchestrationV2,
  "wallets.v1": wallets,
  "webhooks.v1": webhooks,
  "reconciliation.v1": reconciliation,
  "auth.v1": auth,
  "search.v1": search,
};

/** DESIGN §4, written independently of the generator. */
function expectedPlace(op: SpecOperation): { group: string; method: string } {
  const tag = op.tags[0];
  const group = tag === undefined ? "" : tag === "ledger" ? "ledger.v2" : tag;
  const bare = op.operationId.replace(/^v[0-9]+(?=[A-Z])/, "");
  return { group, method: bare.charAt(0).toLowerCase() + bare.slice(1) };
}

describe.skipIf(!hasSpecs)("all operations of operations.json", () => {
  const operations: SpecOperation[] = hasSpecs
    ? JSON.parse(readFileSync(join(specDir, "operations.json"), "utf8"))
    : [];
  const sdk = new Formance({ serverURL: "http://127.0.0.1:9" });
  const client = sdk.client;

  it("lists 260 operations", () => {
    expect(operations).toHaveLength(260);
  });

  it.each(operations.map((op) => [`${op.service} ${op.operationId}`, op] as const))("%s", (_, op) => {
    const { group, method } = expectedPlace(op);
    if (group === "") {
      expect(op.operationId).toBe("getVersions");
      expect(typeof sdk.getVersions).toBe("function");
      return;
    }
    const [service, version] = group.split(".") as [string, string];
    // Umbrella: sdk.<service>.<version>.<method>
    const facade = (sdk as unknown as Record<string, Record<string, Record<string, unknown>>>)[service]![
      version
    ]!;
    expect(typeof facade[method], `sdk.${group}.${method}`).toBe("function");
    // Standalone function with its descriptor
    const fn = modules[group]![method] as {
      descriptor: { method: string; path: string; deprecated?: boolean };
    };
    expect(typeof fn, `@formance/${service}/${version} ${method}`).toBe("function");
    expect(fn.descriptor.method).toBe(op.method);
    expect(client.prefix(service) + fn.descriptor.path).toBe(op.path);
    expect(Boolean(fn.descriptor.deprecated)).toBe(op.deprecated);
  });

  it("documents each method with its summary, and marks deprecated ones", () => {
    const sources = new Map<string, string>();
    for (const op of operations) {
      const { group, method } = expectedPlace(op);
      const [service, version] = group ? group.split(".") : ["formance", "gateway"];
      const file = join(root, "packages", service!, "src/generated", version!, "operations.ts");
      if (!sources.has(file)) sources.set(file, readFileSync(file, "utf8"));
      const text = sources.get(file)!;
      const at = text.indexOf(`export const ${method}:`);
      expect(at, `${op.operationId} in ${file}`).toBeGreaterThan(0);
      const docStart = text.lastIndexOf("/**", at);
      const jsdoc = text.slice(docStart, at);
      expect(jsdoc, op.operationId).toContain(op.summary.trim().split("\n")[0]!);
      expect(jsdoc.includes("@deprecated"), `${op.operationId} @deprecated`).toBe(op.deprecated);
    }
  });
});
