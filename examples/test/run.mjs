#!/usr/bin/env node
// Runs one example: `node examples/test/run.mjs pagination` (FORMANCE_URL, default http://localhost:8080).
// Node 20 cannot run TypeScript, so the example is bundled with esbuild (the one tsup uses) into a
// temporary ES module, then its `main()` is called. The packages must be built (`pnpm build`).
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const examples = join(dirname(fileURLToPath(import.meta.url)), "..");
const root = join(examples, "..");

/** esbuild: resolvable from the root only through tsup (a root devDependency), which depends on it. */
export async function loadEsbuild() {
  try {
    return await import("esbuild");
  } catch {
    const fromRoot = createRequire(join(root, "package.json"));
    const fromTsup = createRequire(fromRoot.resolve("tsup"));
    return import(pathToFileURL(fromTsup.resolve("esbuild")).href);
  }
}

/** Bundles examples/<name>.ts into `outfile` (an ES module for Node, or the browser). */
export async function bundleExample(name, outfile, platform = "node") {
  const esbuild = await loadEsbuild();
  await esbuild.build({
    entryPoints: [join(examples, `${name}.ts`)],
    outfile,
    bundle: true,
    platform,
    format: "esm",
    target: platform === "node" ? "node20" : "es2022",
    sourcemap: "inline",
    logLevel: "warning",
    // Built packages keep a bare `import "valibot"`, which esbuild drops (valibot has no side effects).
    logOverride: { "ignored-bare-import": "silent" },
    absWorkingDir: examples,
  });
  return outfile;
}

async function cli() {
  const name = process.argv[2]?.replace(/\.ts$/, "");
  if (!name || name === "browser" || !existsSync(join(examples, `${name}.ts`))) {
    console.error("usage: node examples/test/run.mjs <example>   (pagination, filters, idempotent-retries,");
    console.error("       error-handling, standalone-ledger; browser.ts is for bundlers, see browser.html)");
    process.exit(2);
  }
  const scratch = await mkdtemp(join(tmpdir(), "formance-example-"));
  try {
    const file = await bundleExample(name, join(scratch, `${name}.mjs`));
    const { main } = await import(pathToFileURL(file).href);
    if (typeof main !== "function") {
      console.error(
        `examples/${name}.ts exports no main(serverURL); run it with a TypeScript runner (npx tsx)`,
      );
      process.exit(2);
    }
    await main(process.env.FORMANCE_URL ?? "http://localhost:8080");
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  cli().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
