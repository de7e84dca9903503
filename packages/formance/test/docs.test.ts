// What an editor shows: every method of the umbrella carries its operation's summary, and
// deprecated operations are tagged, as resolved through the built packages' type declarations.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../../..");
const specDir = resolve(root, process.env.FORMANCE_OPENAPI_DIR ?? "../shared/openapi");
const hasSpecs = existsSync(join(specDir, "operations.json"));

interface SpecOperation {
  operationId: string;
  tags: string[];
  summary: string;
  deprecated: boolean;
}

describe.skipIf(!hasSpecs)("editor hover on sdk methods", () => {
  it("shows the spec summary of all 260 operations, and @deprecated where the spec says so", () => {
    const operations: SpecOperation[] = JSON.parse(readFileSync(join(specDir, "operations.json"), "utf8"));
    const calls = operations.map((op) => {
      const tag = op.tags[0];
      const bare = op.operationId.replace(/^v[0-9]+(?=[A-Z])/, "");
      const path = tag === undefined ? "sdk" : `sdk.${tag === "ledger" ? "ledger.v2" : tag}`;
      const rule = bare.charAt(0).toLowerCase() + bare.slice(1);
      const method = path === "sdk.auth.v1" && rule === "createClient" ? "createOAuthClient" : rule; // docs/MIGRATION.md
      return { op, expression: `${path}.${method}` };
    });
    const file = join(here, "__hover__.ts");
    const code = `import { Formance } from "../src/index";\nconst sdk = new Formance();\n${calls.map((c) => `${c.expression};`).join("\n")}\n`;
    const config = ts.getParsedCommandLineOfConfigFile(
      join(here, "../tsconfig.json"),
      {},
      {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: () => {},
      },
    )!;
    const service = ts.createLanguageService({
      getScriptFileNames: () => [file],
      getScriptVersion: () => "1",
      getScriptSnapshot: (name) =>
        name === file
          ? ts.ScriptSnapshot.fromString(code)
          : ts.sys.fileExists(name)
            ? ts.ScriptSnapshot.fromString(ts.sys.readFile(name)!)
            : undefined,
      getCurrentDirectory: () => here,
      getCompilationSettings: () => config.options,
      getDefaultLibFileName: (options) => ts.getDefaultLibFilePath(options),
      fileExists: (name) => name === file || ts.sys.fileExists(name),
      readFile: (name) => (name === file ? code : ts.sys.readFile(name)),
    });
    let offset = code.indexOf("\n", code.indexOf("new Formance")) + 1;
    for (const { op, expression } of calls) {
      const at = offset + expression.lastIndexOf(".") + 1;
      offset += expression.length + 2;
      const info = service.getQuickInfoAtPosition(file, at);
      const docs = ts.displayPartsToString(info?.documentation);
      expect(docs, expression).toContain(op.summary.trim().split("\n")[0]);
      const deprecated = (info?.tags ?? []).some((t) => t.name === "deprecated");
      expect(deprecated, `${expression} @deprecated`).toBe(op.deprecated);
    }
  }, 180_000); // a language service over every package: slow on a busy machine
});
