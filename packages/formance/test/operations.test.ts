// Every operation of operations.json exists under its public name (docs/MIGRATION.md, "Method names"), on the
// umbrella and as a standalone function in its package's version subpath, with the spec's method, path
// and docs. The packages and versions come from the service table (tools/codegen/services.json).
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import SERVICES from "@formance/codegen/services.json";
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

/** Every version subpath of every service package, e.g. `ledger.v2` → `@formance/ledger/v2`. */
const modules: Record<string, Record<string, unknown>> = {};
for (const [service, { package: name, versions }] of Object.entries(SERVICES))
  for (const version of versions) modules[`${service}.${version}`] = await import(`${name}/${version}`);

/** Names that differ from the rule, on purpose (docs/MIGRATION.md). */
const RENAMED: Record<string, string> = { "auth.v1.createClient": "createOAuthClient" };

/** The naming rule, written independently of the generator. */
function expectedPlace(op: SpecOperation): { group: string; method: string } {
  const tag = op.tags[0];
  const group = tag === undefined ? "" : tag === "ledger" ? "ledger.v2" : tag;
  const bare = op.operationId.replace(/^v[0-9]+(?=[A-Z])/, "");
  const method = bare.charAt(0).toLowerCase() + bare.slice(1);
  return { group, method: RENAMED[`${group}.${method}`] ?? method };
}

it("the table lists every service package, and the umbrella depends on each", () => {
  const manifest = JSON.parse(readFileSync(join(root, "packages/formance/package.json"), "utf8"));
  const packages = Object.entries(SERVICES)
    .filter(([service]) => service !== "gateway")
    .map(([, s]) => s.package);
  expect(packages).toHaveLength(8);
  for (const name of packages) expect(manifest.dependencies[name], name).toBe("workspace:^");
  expect(Object.keys(modules)).toHaveLength(11);
});

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
      const [service, version] = group ? group.split(".") : ["gateway", ""];
      const folder = SERVICES[service as keyof typeof SERVICES].folder;
      const file = join(root, folder, "src/generated", version!, "operations.ts");
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
