// The generator's own rules, checked independently of its output files.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { RULES } from "../src/corrections.mjs";
import { generate } from "../src/main.mjs";
import { PURE, pure } from "../src/schemas.mjs";
import { placement } from "../src/spec.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const specDir = resolve(root, process.env.FORMANCE_OPENAPI_DIR ?? "../shared/openapi");
const hasSpecs = existsSync(join(specDir, "operations.json"));
// Generating every service takes seconds on an idle machine and much longer on a busy one.
const GENERATION = { timeout: 180_000 };

describe("naming (DESIGN §4)", () => {
  it.each([
    [{ operationId: "v2CreateTransaction", tags: ["ledger.v2"] }, "ledger", "v2", "createTransaction"],
    [{ operationId: "v3InitiatePayment", tags: ["payments.v3"] }, "payments", "v3", "initiatePayment"],
    [{ operationId: "getServerInfo", tags: ["payments.v1"] }, "payments", "v1", "getServerInfo"],
    [{ operationId: "v2GetInfo", tags: ["ledger"] }, "ledger", "v2", "getInfo"],
    [{ operationId: "CreateTransactions", tags: ["ledger.v1"] }, "ledger", "v1", "createTransactions"],
    [{ operationId: "getVersions", tags: [] }, "gateway", "", "getVersions"],
    [
      { operationId: "v3UpdateConnectorConfig", tags: ["payments.v3"] },
      "payments",
      "v3",
      "updateConnectorConfig",
    ],
  ])("%o", (op, service, version, method) => {
    expect(placement(op)).toEqual({ service, version, method });
  });
});

describe("pure annotations", () => {
  it("marks every call, and nothing inside strings", () => {
    const out = pure('v.looseObject({ a: v.optional(list(XSchema)), "b(c)": openEnum(["d(e)", "f\\"g("]) })');
    expect(out).toBe(
      `${PURE}v.looseObject({ a: ${PURE}v.optional(${PURE}list(XSchema)), "b(c)": ${PURE}openEnum(["d(e)", "f\\"g("]) })`,
    );
  });
});

describe("corrections table", () => {
  it("every rule cites the API-FACTS section it encodes", () => {
    for (const rule of RULES) expect(rule.section, rule.rule).toMatch(/^§\d/);
  });
});

describe.skipIf(!hasSpecs)("generation", () => {
  it("is deterministic and matches the committed files", GENERATION, () => {
    const first = generate(specDir).files;
    const second = generate(specDir).files;
    expect([...second.entries()]).toEqual([...first.entries()]);
    for (const [path, content] of first) expect(readFileSync(join(root, path), "utf8"), path).toBe(content);
  });

  it("applies the corrections on the wire descriptors", GENERATION, () => {
    const ledgerV2 = generate(specDir).files.get("packages/ledger/src/generated/v2/operations.ts");
    const block = (name) =>
      ledgerV2.slice(
        ledgerV2.indexOf(`export const ${name}:`),
        ledgerV2.indexOf("});", ledgerV2.indexOf(`export const ${name}:`)),
      );
    expect(block("listTransactions")).toContain('body: "query"'); // §3.4
    expect(block("listTransactions")).toContain('keepOnNextPage: ["pageSize"]'); // §2.2
    expect(block("countTransactions")).toContain('kind: "count"'); // §4
    expect(block("exportLogs")).toContain('kind: "ndjson"'); // §8.1
    expect(block("importLogs")).toContain('body: "stream"'); // §8.1
    expect(block("createExporter")).toContain('scopes: ["ledger:write"]'); // §7.3: no security block in the spec
    expect(block("createTransaction")).toContain('idempotencyHeader: "Idempotency-Key"'); // §5.1
    const webhooks = generate(specDir).files.get("packages/webhooks/src/generated/v1/operations.ts");
    const replay = webhooks.slice(webhooks.indexOf("export const replayDelivery:"));
    expect(replay.slice(0, replay.indexOf("});"))).toMatch(/idempotencyKey: \/\*#__PURE__\*\/v\.optional\(/); // §5.1: required in the spec
  });
});
