// The generator's own rules, checked independently of its output files.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { EVENT_PATCHES, EXTRA_EVENTS, RENAMES, RULES } from "../src/corrections.mjs";
import { generate } from "../src/main.mjs";
import { PURE, pure } from "../src/schemas.mjs";
import { placement, SERVICES } from "../src/spec.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const specDir = resolve(root, process.env.FORMANCE_OPENAPI_DIR ?? "../shared/openapi");
const hasSpecs = existsSync(join(specDir, "operations.json"));
// One generation takes seconds on a busy machine: made once, and only the determinism test makes another.
const SLOW = 180_000;
let files = new Map();
beforeAll(() => {
  if (hasSpecs) files = generate(specDir).files;
}, SLOW);

describe("naming (docs/MIGRATION.md, Method names)", () => {
  it.each([
    [{ operationId: "v2CreateTransaction", tags: ["ledger.v2"] }, "ledger", "v2", "createTransaction"],
    [{ operationId: "v3InitiatePayment", tags: ["payments.v3"] }, "payments", "v3", "initiatePayment"],
    [{ operationId: "getServerInfo", tags: ["payments.v1"] }, "payments", "v1", "getServerInfo"],
    [{ operationId: "v2GetInfo", tags: ["ledger"] }, "ledger", "v2", "getInfo"],
    [{ operationId: "CreateTransactions", tags: ["ledger.v1"] }, "ledger", "v1", "createTransactions"],
    [{ operationId: "getVersions", tags: [] }, "gateway", "", "getVersions"],
    [{ operationId: "createClient", tags: ["auth.v1"] }, "auth", "v1", "createOAuthClient"],
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
  const doc = readFileSync(join(root, "docs/SERVER-BEHAVIOUR.md"), "utf8");
  const headings = new Set([...doc.matchAll(/^## (.+)$/gm)].map((m) => m[1].trim()));

  it("every rule cites sections of docs/SERVER-BEHAVIOUR.md that exist", () => {
    expect(headings.size).toBeGreaterThan(3);
    for (const rule of RULES)
      for (const section of rule.section.split(", ")) expect(headings, rule.rule).toContain(section);
  });

  it("every rename and event correction says why", () => {
    for (const [from, r] of Object.entries(RENAMES)) expect(r.why, from).toMatch(/\w{10}/);
    for (const p of EVENT_PATCHES) expect(p.why, p.type).toMatch(/formancehq\//);
    for (const byName of Object.values(EXTRA_EVENTS))
      for (const [name, e] of Object.entries(byName)) expect(e.source, name).toMatch(/formancehq\//);
  });
});

describe("service table", () => {
  it("names each service's package, folder, class and versions", () => {
    for (const [service, s] of Object.entries(SERVICES)) {
      expect(s.package, service).toMatch(/^@formance\//);
      expect(readFileSync(join(root, s.folder, "package.json"), "utf8")).toContain(`"name": "${s.package}"`);
      if (service !== "gateway") expect(s.className, service).toMatch(/^[A-Z]\w+$/);
    }
  });
});

describe.skipIf(!hasSpecs)("generation", () => {
  it(
    "is deterministic and matches the committed files, events and entry files included",
    () => {
      const first = files;
      const second = generate(specDir).files;
      expect([...second.entries()]).toEqual([...first.entries()]);
      for (const [path, content] of first) expect(readFileSync(join(root, path), "utf8"), path).toBe(content);
      expect(first.has("packages/webhooks/src/generated/events/schemas.ts")).toBe(true);
      expect(first.has("packages/ledger/src/v2.ts")).toBe(true);
      expect(first.has("packages/ledger/package.json")).toBe(true);
    },
    SLOW,
  );

  it("applies the corrections on the wire descriptors", () => {
    const ledgerV2 = files.get("packages/ledger/src/generated/v2/operations.ts");
    const block = (name) =>
      ledgerV2.slice(
        ledgerV2.indexOf(`export const ${name}:`),
        ledgerV2.indexOf("});", ledgerV2.indexOf(`export const ${name}:`)),
      );
    expect(block("listTransactions")).toContain('body: "query"'); // Ledger, Payments
    expect(block("listTransactions")).toContain('keepOnNextPage: ["pageSize"]'); // All services, Ledger
    expect(block("countTransactions")).toContain('kind: "count"'); // Ledger
    expect(block("exportLogs")).toContain('kind: "ndjson"'); // Ledger
    expect(block("importLogs")).toContain('body: "stream"'); // Ledger
    expect(block("createExporter")).toContain('scopes: ["ledger:write"]'); // All services: no security block in the spec
    expect(block("createTransaction")).toContain('idempotencyHeader: "Idempotency-Key"'); // Ledger
    const webhooks = files.get("packages/webhooks/src/generated/v1/operations.ts");
    const replay = webhooks.slice(webhooks.indexOf("export const replayDelivery:"));
    expect(replay.slice(0, replay.indexOf("});"))).toMatch(/idempotencyKey: \/\*#__PURE__\*\/v\.optional\(/); // Webhooks: required in the spec
  });
});

describe.skipIf(!hasSpecs)("shell", () => {
  it("re-exports src/lib/ from a service's entry only when src/lib/index.ts exists", () => {
    expect(files.get("packages/webhooks/src/index.ts")).toContain('export * from "./lib/index";');
    expect(files.get("packages/wallets/src/index.ts")).not.toContain("./lib/index");
  });

  it("re-exports a named list from the core, never the whole core", () => {
    const index = files.get("packages/ledger/src/index.ts");
    expect(index).not.toContain('export * from "@formance/sdk-core"');
    expect(index).toMatch(/createClient,\n[\s\S]*\} from "@formance\/sdk-core";/);
    expect(index).not.toMatch(/\boperation,|\bbind,/);
  });

  it("gives every version an entry file and an exports subpath", () => {
    const pkg = JSON.parse(files.get("packages/payments/package.json"));
    expect(Object.keys(pkg.exports)).toEqual([".", "./v1", "./v3", "./package.json"]);
    expect(files.get("packages/payments/src/v3.ts")).toContain('export * from "./generated/v3/operations";');
  });

  it("names the gateway operation after what the caller writes", () => {
    expect(files.get("packages/formance/src/generated/operations.ts")).toContain('name: "getVersions",');
  });

  it("emits event payloads with the core's Go-null helpers", () => {
    const schemas = files.get("packages/webhooks/src/generated/events/schemas.ts");
    expect(schemas).toContain('from "@formance/sdk-core"');
    expect(schemas).toMatch(/transactions: \/\*#__PURE__\*\/list\(/);
    expect(schemas).not.toMatch(/v\.nullable\([^)]*, \[\]\)/);
  });
});
